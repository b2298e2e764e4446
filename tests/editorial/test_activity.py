"""The recent activity page: every editor's latest changes, filterable, each entry linking to
its history, or to its recovery once deleted; for staff only, linked from the admin's home."""

from django.urls import reverse

from tests.editorial.editing import change_url, history_url, save_form
from tests.factories import AuthorFactory, ResearchTopicFactory
from tests.pages import text_of


def test_recent_activity_lists_everyone_and_filters(editor_client, second_editor, paper, editor):
    url = change_url(paper)
    save_form(editor_client, url, "publication_form", title="Edited by the editor")
    topic = ResearchTopicFactory(name_fr="Logique", name_en="Logic")
    save_form(second_editor, change_url(topic), "researchtopic_form", name_en="Logic and proof")
    delete_url = reverse("admin:publications_author_delete", args=[AuthorFactory().pk])
    editor_client.post(delete_url, {"post": "yes"})

    activity = reverse("admin_recent_activity")
    everything = editor_client.get(activity)
    page = text_of(everything)
    html = everything.content.decode()
    assert everything.status_code == 200
    assert "Edited by the editor" in page
    assert "Logique" in page
    assert change_url(paper) in html
    assert history_url(paper) in html
    assert "/recover/" in html  # the deleted author

    marie = second_editor.get(activity).wsgi_request.user
    only_marie = text_of(editor_client.get(activity, {"editor": marie.pk}))
    assert "Edited by the editor" not in only_marie
    assert "Logique" in only_marie

    only_topics = text_of(editor_client.get(activity, {"kind": "researchtopic"}))
    assert "Edited by the editor" not in only_topics
    assert "Logique" in only_topics

    odd = editor_client.get(activity, {"editor": "x", "kind": "nope", "page": "-3"})
    assert odd.status_code == 200
    assert "Edited by the editor" in text_of(odd)  # every editor and every kind
    assert "Logique" in text_of(odd)


def test_recent_activity_is_for_staff_only(client, db):
    response = client.get(reverse("admin_recent_activity"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_recent_activity_is_refused_to_staff_who_may_see_no_entry(client, django_user_model):
    client.force_login(
        django_user_model.objects.create_user(username="guest", password="x", is_staff=True)
    )
    assert client.get(reverse("admin_recent_activity")).status_code == 403


def test_the_admin_index_links_to_recent_activity(editor_client):
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin_recent_activity") in html
