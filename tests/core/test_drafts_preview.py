"""Drafts: an unpublished researcher or publication is invisible to visitors everywhere, and an
editor previews its public page under a banner that says so."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from tests.factories import publication_with_authors, researcher_with_author
from tests.pages import text_of

BANNER_FR = "Cette page n’est pas publiée : les visiteurs ne peuvent pas la voir."
BANNER_EN = "This page is not published: visitors cannot see it."


@pytest.fixture
def drafts(db):
    researcher = researcher_with_author(
        given_name="Draft", family_name="Person", slug="draft-person", is_published=False
    )
    colleague = researcher_with_author(given_name="Published", family_name="Colleague")
    paper = publication_with_authors(
        [colleague.author, researcher.author], title="A paper still in draft", is_published=False
    )
    topic = colleague.topics.create(slug="drafting", name_fr="Brouillons", name_en="Drafts")
    paper.topics.add(topic)
    researcher.topics.add(topic)
    return researcher, paper, colleague


def test_visitors_see_no_draft_anywhere(client, drafts):
    _, paper, colleague = drafts
    assert client.get("/fr/chercheurs/draft-person/").status_code == 404
    assert client.get("/en/researchers/draft-person/").status_code == 404
    assert client.get(f"/fr/publications/{paper.pk}/").status_code == 404
    assert client.get(f"/en/publications/{paper.pk}/").status_code == 404
    for url in [
        "/fr/",
        "/fr/publications/",
        "/fr/sujets/drafting/",
        colleague.get_absolute_url(),
        "/fr/feeds/publications.rss",
        "/fr/feeds/topics/drafting.atom",
        "/sitemap.xml",
    ]:
        page = client.get(url).content.decode()
        assert "Draft Person" not in page, url
        assert "draft-person" not in page, url
        assert "A paper still in draft" not in page, url
    assert client.get("/fr/feeds/researchers/draft-person.rss").status_code == 404
    assert client.get("/fr/chercheurs/draft-person/publications.bib").status_code == 404


def test_an_editor_previews_a_draft_researcher_under_a_banner(editor_client, drafts):
    researcher, _, _ = drafts

    response = editor_client.get("/fr/chercheurs/draft-person/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Aperçu" in text_of(response)
    assert BANNER_FR in text_of(response)
    assert reverse("admin:profiles_researcher_change", args=[researcher.pk]) in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    english = editor_client.get("/en/researchers/draft-person/")
    assert BANNER_EN in text_of(english)


def test_an_editor_previews_a_draft_publication(editor_client, drafts):
    _, paper, _ = drafts

    response = editor_client.get(f"/fr/publications/{paper.pk}/")

    assert response.status_code == 200
    assert BANNER_FR in text_of(response)
    assert "A paper still in draft" in text_of(response)
    assert reverse("admin:publications_publication_change", args=[paper.pk]) in (
        response.content.decode()
    )


def test_the_admin_view_on_site_link_leads_to_the_preview(editor_client, drafts):
    researcher, paper, _ = drafts
    for entry in (researcher, paper):
        content_type = ContentType.objects.get_for_model(entry)
        response = editor_client.get(f"/admin/r/{content_type.pk}/{entry.pk}/", follow=True)
        assert response.status_code == 200
        assert BANNER_FR in text_of(response)


def test_published_pages_have_no_banner_even_for_editors(editor_client, drafts):
    _, _, colleague = drafts
    response = editor_client.get(colleague.get_absolute_url())

    assert response.status_code == 200
    assert BANNER_FR not in text_of(response)
    assert "noindex" not in response.content.decode()


def test_staff_without_the_permission_get_a_404(django_user_model, drafts):
    _, paper, _ = drafts
    user = django_user_model.objects.create_user(username="intern", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_researchtopic"))
    client = Client()
    client.force_login(user)

    assert client.get("/fr/chercheurs/draft-person/").status_code == 404
    assert client.get(f"/fr/publications/{paper.pk}/").status_code == 404


def test_once_published_visitors_see_it_at_once(client, editor_client, drafts):
    researcher, paper, _ = drafts
    assert client.get("/fr/chercheurs/draft-person/").status_code == 404
    editor_client.get("/fr/chercheurs/draft-person/")  # a preview stores nothing

    researcher.is_published = True
    researcher.save()
    paper.is_published = True
    paper.save()

    assert client.get("/fr/chercheurs/draft-person/").status_code == 200
    assert BANNER_FR not in text_of(client.get("/fr/chercheurs/draft-person/"))
    assert "A paper still in draft" in text_of(client.get("/fr/publications/"))
