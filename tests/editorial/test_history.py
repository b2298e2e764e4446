"""Editors never lose work: history with a readable comparison, revert, recovery of deleted
entries, imports and merges that can be undone, and comments and times as editors read them."""

import time
from datetime import datetime, timezone

import pytest
import reversion
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from reversion.models import Revision, Version

from profiles.models import Researcher, ResearchTopic
from publications.models import (
    Author,
    Authorship,
    Publication,
    PublicationLink,
    PublicationNotice,
)
from publications.services import publication_import_bibtex, publication_merge
from tests.editorial.editing import change_url, history_url, save_form
from tests.factories import (
    AuthorFactory,
    ResearchTopicFactory,
    publication_with_authors,
    researcher_with_author,
)
from tests.pages import form_data, text_of

# History and comparison ------------------------------------------------------------------


def test_each_save_in_the_admin_is_a_version_with_its_editor(editor_client, paper):
    url = change_url(paper)
    assert (
        save_form(editor_client, url, "publication_form", title="Notes, revised").status_code == 302
    )
    assert (
        save_form(editor_client, url, "publication_form", venue="Scientific Memoirs").status_code
        == 302
    )

    history = editor_client.get(history_url(paper))
    page = text_of(history)
    assert history.status_code == 200
    assert page.count("editor") >= 2
    # Two versions: the second compares with the first.
    assert page.count("Comparer avec la version précédente") == 1


def test_the_comparison_shows_what_changed_word_by_word(editor_client, paper):
    url = change_url(paper)
    save_form(editor_client, url, "publication_form", abstract="On the engine.")
    save_form(editor_client, url, "publication_form", title="Notes on the difference engine")
    older, newer = Version.objects.get_for_object(paper).order_by("pk")

    compare = reverse("admin:publications_publication_compare", args=[paper.pk])
    response = editor_client.get(compare, {"from": older.pk, "to": newer.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<del>analytical</del>" in html
    assert "<ins>difference</ins>" in html
    assert "Venue" not in text_of(response)
    assert "Lieu" not in text_of(response)


def test_the_comparison_escapes_what_editors_typed(editor_client, paper):
    url = change_url(paper)
    save_form(editor_client, url, "publication_form", title="Plain")
    save_form(editor_client, url, "publication_form", title="<script>alert(1)</script>")
    older, newer = Version.objects.get_for_object(paper).order_by("pk")

    compare = reverse("admin:publications_publication_compare", args=[paper.pk])
    html = editor_client.get(compare, {"from": older.pk, "to": newer.pk}).content.decode()

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_a_bad_comparison_address_is_a_404(editor_client, paper):
    compare = reverse("admin:publications_publication_compare", args=[paper.pk])
    assert editor_client.get(compare, {"from": "x", "to": "1"}).status_code == 404
    assert editor_client.get(compare, {"from": "999", "to": "998"}).status_code == 404


# Revert and recover --------------------------------------------------------------------------


def test_revert_a_publication_with_its_authors_to_an_earlier_version(editor_client, paper):
    url = change_url(paper)
    save_form(editor_client, url, "publication_form", title="First title")
    first = Version.objects.get_for_object(paper).get()
    hopper = Authorship.objects.get(publication=paper, author__display_name="Grace Hopper")
    Authorship.objects.filter(pk=hopper.pk).delete()
    save_form(editor_client, url, "publication_form", title="Second title")

    revert_url = reverse("admin:publications_publication_revision", args=[paper.pk, first.pk])
    response = save_form(editor_client, revert_url, "publication_form")

    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.title == "First title"
    names = list(
        paper.authorships.order_by("position").values_list("author__display_name", flat=True)
    )
    assert names == ["Ada Lovelace", "Grace Hopper"]


def test_a_deleted_publication_is_recovered_with_its_authors_and_topics(editor_client, paper):
    delete_url = reverse("admin:publications_publication_delete", args=[paper.pk])
    assert editor_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Publication.objects.filter(pk=paper.pk).exists()

    recover_list = editor_client.get(reverse("admin:publications_publication_recoverlist"))
    assert "Notes on the analytical engine" in text_of(recover_list)
    version = Version.objects.get_deleted(Publication).get(object_id=str(paper.pk))
    recover_url = reverse("admin:publications_publication_recover", args=[version.pk])
    response = save_form(editor_client, recover_url, "publication_form")

    assert response.status_code == 302
    restored = Publication.objects.get(pk=paper.pk)
    assert list(
        restored.authorships.order_by("position").values_list("author__display_name", flat=True)
    ) == ["Ada Lovelace", "Grace Hopper"]
    assert [t.name_en for t in restored.topics.all()] == ["Computing"]


def test_a_deleted_researcher_is_recovered_and_linked_to_their_author_again(editor_client, db):
    researcher = researcher_with_author(given_name="Yoshua", family_name="Bengio")
    author = researcher.author
    delete_url = reverse("admin:profiles_researcher_delete", args=[researcher.pk])
    assert editor_client.post(delete_url, {"post": "yes"}).status_code == 302
    author.refresh_from_db()
    assert author.researcher is None  # the author stays, unlinked

    version = Version.objects.get_deleted(Researcher).get(object_id=str(researcher.pk))
    recover_url = reverse("admin:profiles_researcher_recover", args=[version.pk])
    response = save_form(editor_client, recover_url, "researcher_form")

    assert response.status_code == 302
    author.refresh_from_db()
    assert author.researcher_id == researcher.pk


def test_a_deleted_topic_is_recovered(editor_client, db):
    topic = ResearchTopicFactory(name_fr="Optimisation", name_en="Optimization")
    delete_url = reverse("admin:profiles_researchtopic_delete", args=[topic.pk])
    assert editor_client.post(delete_url, {"post": "yes"}).status_code == 302

    version = Version.objects.get_deleted(ResearchTopic).get(object_id=str(topic.pk))
    recover_url = reverse("admin:profiles_researchtopic_recover", args=[version.pk])
    assert save_form(editor_client, recover_url, "researchtopic_form").status_code == 302
    assert ResearchTopic.objects.get(pk=topic.pk).name_en == "Optimization"


# Imports and merges are recorded and can be undone ---------------------------------------------


def test_an_import_is_one_named_revision(editor, db):
    report = publication_import_bibtex(
        text="@article{a, title={Alpha}, author={Doe, Jane}, journal={J}, year={2020}}\n"
        "@article{b, title={Beta}, author={Doe, Jane and Roe, Richard}, journal={J}, year={2021}}",
        user=editor,
    )

    revision = Revision.objects.get()
    assert len(report.created) == 2
    assert revision.user == editor
    assert "BibTeX" in revision.comment
    assert "2" in revision.comment
    kinds = sorted(v.content_type.model for v in revision.version_set.all())
    assert kinds == ["authorship", "authorship", "authorship", "publication", "publication"]


def test_a_dry_run_records_nothing(db):
    publication_import_bibtex(
        text="@article{a, title={Alpha}, author={Doe, Jane}, journal={J}, year={2020}}",
        dry_run=True,
    )
    assert not Revision.objects.exists()


def test_a_wrong_merge_is_undone_from_the_publication_history(editor_client, editor, paper):
    copy = publication_with_authors(
        [AuthorFactory(display_name="Charles Babbage")],
        title="Notes on the analytical engine (copy)",
        year=1950,
        doi="10.1000/engine",
    )
    publication_merge(keep=paper, duplicates=[copy], user=editor)
    assert not Publication.objects.filter(pk=copy.pk).exists()
    paper.refresh_from_db()
    assert paper.doi == "10.1000/engine"

    history = text_of(editor_client.get(history_url(paper)))
    assert "Avant la fusion de 1 publications dans « Notes on the analytical engine »" in history
    assert "Fusionnées dans « Notes on the analytical engine »" in history
    before = (
        Version.objects.get_for_object(paper)
        .filter(revision__comment__contains="1")
        .order_by("pk")
        .first()
    )
    revert_url = reverse("admin:publications_publication_revision", args=[paper.pk, before.pk])
    assert save_form(editor_client, revert_url, "publication_form").status_code == 302

    paper.refresh_from_db()
    restored = Publication.objects.get(pk=copy.pk)
    assert paper.doi == ""
    assert restored.doi == "10.1000/engine"
    assert list(
        paper.authorships.order_by("position").values_list("author__display_name", flat=True)
    ) == ["Ada Lovelace", "Grace Hopper"]
    assert list(restored.authorships.values_list("author__display_name", flat=True)) == [
        "Charles Babbage"
    ]


def test_an_undone_merge_brings_back_the_duplicates_notices_citations_and_links(
    editor_client, editor, paper
):
    copy = publication_with_authors(
        [AuthorFactory(display_name="Charles Babbage")],
        title="Notes on the analytical engine (copy)",
        year=1950,
        doi="10.1000/engine",
    )
    copy.notices.create(kind=PublicationNotice.Kind.CORRECTION, doi="10.1000/fix")
    copy.citation_years.create(year=2025, count=7)
    copy.links.create(kind=PublicationLink.Kind.SLIDES, url="https://example.org/slides.pdf")
    publication_merge(keep=paper, duplicates=[copy], user=editor)
    assert not PublicationNotice.objects.filter(publication_id=copy.pk).exists()

    before = (
        Version.objects.get_for_object(paper)
        .filter(revision__comment__contains="1")
        .order_by("pk")
        .first()
    )
    revert_url = reverse("admin:publications_publication_revision", args=[paper.pk, before.pk])
    assert save_form(editor_client, revert_url, "publication_form").status_code == 302

    restored = Publication.objects.get(pk=copy.pk)
    assert list(restored.notices.values_list("kind", "doi")) == [("correction", "10.1000/fix")]
    assert list(restored.citation_years.values_list("year", "count")) == [(2025, 7)]
    assert list(restored.links.values_list("kind", "url")) == [
        ("slides", "https://example.org/slides.pdf")
    ]


# What the history records ---------------------------------------------------------------------


def test_a_save_that_changes_nothing_records_nothing(editor_client, paper):
    topic = paper.topics.get()

    assert save_form(editor_client, change_url(paper), "publication_form").status_code == 302
    assert save_form(editor_client, change_url(topic), "researchtopic_form").status_code == 302

    assert not Revision.objects.exists()
    assert not Version.objects.exists()
    assert not LogEntry.objects.exists()
    activity = text_of(editor_client.get(reverse("admin_recent_activity")))
    assert "Notes on the analytical engine" not in activity


def test_a_change_to_the_authors_alone_is_a_version_of_the_publication(editor_client, paper):
    url = change_url(paper)
    data = form_data(editor_client.get(url), "publication_form")
    data["authorships-1-DELETE"] = ["on"]

    assert editor_client.post(url, data).status_code == 302

    version = Version.objects.get_for_object(paper).get()
    authors = [v for v in version.revision.version_set.all() if v._model is Authorship]
    assert [v.object_repr for v in authors] == ["1. Ada Lovelace"]


def test_the_hidden_snapshot_is_never_named_among_the_changes(editor_client, paper):
    url = change_url(paper)
    data = form_data(editor_client.get(url), "publication_form")
    time.sleep(1.1)  # an editor takes a moment: the snapshot was signed a second ago or more
    data["title"] = ["Notes, revised"]
    assert editor_client.post(url, data).status_code == 302

    entry = LogEntry.objects.get()
    assert "snapshot" not in entry.change_message.lower()
    assert "Titre" in entry.get_change_message()
    for address in (reverse("admin_recent_activity"), history_url(paper)):
        page = text_of(editor_client.get(address))
        assert "Titre" in page
        assert "snapshot" not in page.lower()


def test_comments_saved_before_are_read_without_the_snapshot(editor_client, editor, paper):
    with reversion.create_revision():
        reversion.set_user(editor)
        reversion.set_comment('[{"changed": {"fields": ["Title", "edit_snapshot"]}}]')
        reversion.add_to_revision(paper)
    with reversion.create_revision():
        reversion.set_user(editor)
        reversion.set_comment('[{"changed": {"fields": ["edit_snapshot"]}}]')
        reversion.add_to_revision(paper)

    for address in (reverse("admin_recent_activity"), history_url(paper)):
        page = text_of(editor_client.get(address))
        assert "Modification de Titre." in page
        assert "snapshot" not in page.lower()


@pytest.mark.parametrize(
    ("language", "shown"),
    [("fr", "12 mars 2025 10:08:12"), ("en", "March 12, 2025 10:08:12")],
)
def test_times_are_shown_to_the_second_in_the_editors_language(
    editor_client, paper, language, shown
):
    url = change_url(paper)
    save_form(editor_client, url, "publication_form", title="First title")
    save_form(editor_client, url, "publication_form", title="Second title")
    older, newer = Version.objects.get_for_object(paper).order_by("pk")
    # 14:08:12 UTC is 10:08:12 in Montréal, on daylight time since March 9.
    Revision.objects.filter(pk=older.revision_id).update(
        date_created=datetime(2025, 3, 12, 14, 8, 12, tzinfo=timezone.utc)
    )
    Revision.objects.filter(pk=newer.revision_id).update(
        date_created=datetime(2025, 3, 12, 16, 30, 0, tzinfo=timezone.utc)
    )
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    compare = reverse("admin:publications_publication_compare", args=[paper.pk])

    for address in (
        history_url(paper),
        reverse("admin_recent_activity"),
        f"{compare}?from={older.pk}&to={newer.pk}",
    ):
        page = text_of(editor_client.get(address))
        assert shown in page, address
        assert "12:30:00" in page, address
        assert "a.m." not in page, address
        assert "p.m." not in page, address


def test_every_curated_model_is_kept_in_the_history():
    for model in (Researcher, ResearchTopic, Author, Publication, Authorship):
        assert reversion.is_registered(model)
