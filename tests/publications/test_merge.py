"""Finding look-alike publications and merging them, in the admin and as a service."""

from datetime import date, datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from profiles.models import ResearchTopic
from publications.models import (
    FieldOrigin,
    FieldSource,
    Publication,
    PublicationCitationYear,
    PublicationNotice,
)
from publications.services import publication_merge
from tests.factories import AuthorFactory, PublicationFactory, publication_with_authors

pytestmark = pytest.mark.django_db
NoticeKind = PublicationNotice.Kind
CHANGELIST = reverse("admin:publications_publication_changelist")


@pytest.fixture
def look_alikes():
    alice, bob, carol = (AuthorFactory(display_name=n) for n in ["Alice A", "Bob B", "Carol C"])
    rnn = ResearchTopic.objects.create(slug="rnn", name_fr="RNR", name_en="RNN")
    theory = ResearchTopic.objects.create(slug="theory", name_fr="Théorie", name_en="Theory")
    kept = publication_with_authors(
        [alice, bob], title="State Soup: In-Context Skill Learning", year=2024, abstract="", doi=""
    )
    kept.topics.add(rnn)
    copy = publication_with_authors(
        [bob, carol],
        title="State soup — in-context skill learning",
        year=2024,
        abstract="The full abstract.",
        doi="10.1000/soup",
    )
    copy.topics.add(rnn, theory)
    other = PublicationFactory(title="Something else entirely")
    return kept, copy, other


def test_merge_moves_authors_topics_and_missing_fields(look_alikes):
    kept, copy, _other = look_alikes

    report = publication_merge(keep=kept, duplicates=[copy])

    kept.refresh_from_db()
    assert not Publication.objects.filter(pk=copy.pk).exists()
    assert [a.author.display_name for a in kept.authorships.order_by("position")] == [
        "Alice A",
        "Bob B",
        "Carol C",
    ]
    assert set(kept.topics.values_list("slug", flat=True)) == {"rnn", "theory"}
    assert kept.abstract == "The full abstract."
    assert kept.doi == "10.1000/soup"  # the identifier moved from the deleted copy
    assert report.added_authors == ["Carol C"]
    assert sorted(report.filled_fields) == ["abstract", "doi"]


def test_possible_duplicates_filter_groups_look_alikes(editor_client, look_alikes):
    kept, copy, other = look_alikes

    response = editor_client.get(CHANGELIST, {"duplicates": "yes"})

    listed = list(response.context["cl"].result_list)
    assert set(listed) == {kept, copy}
    assert other not in listed


def test_admin_merge_action_asks_which_to_keep_then_merges(editor_client, look_alikes):
    kept, copy, _other = look_alikes
    selection = {"action": "merge", ACTION_CHECKBOX_NAME: [kept.pk, copy.pk]}

    confirm = editor_client.post(CHANGELIST, selection, HTTP_ACCEPT_LANGUAGE="en")

    assert confirm.status_code == 200
    assert "Choose the publication to keep" in confirm.content.decode()
    assert Publication.objects.filter(pk=copy.pk).exists()

    done = editor_client.post(CHANGELIST, {**selection, "keep": copy.pk}, HTTP_ACCEPT_LANGUAGE="en")

    assert done.status_code == 302
    assert not Publication.objects.filter(pk=kept.pk).exists()
    copy.refresh_from_db()
    assert [a.author.display_name for a in copy.authorships.order_by("position")] == [
        "Bob B",
        "Carol C",
        "Alice A",
    ]


def test_merge_needs_two_publications(editor_client, look_alikes):
    kept, _copy, _other = look_alikes

    response = editor_client.post(
        CHANGELIST,
        {"action": "merge", ACTION_CHECKBOX_NAME: [kept.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "Select at least two publications to merge." in response.content.decode()
    assert Publication.objects.count() == 3


# What the harvest found of each duplicate --------------------------------------------------


def _harvested(publication: Publication, *, count: int, read: str, years: dict[int, int]):
    publication.cited_by_count = count
    publication.citations_read_at = datetime.fromisoformat(read)
    publication.save()
    PublicationCitationYear.objects.bulk_create(
        PublicationCitationYear(publication=publication, year=year, count=n)
        for year, n in years.items()
    )


def _source(publication: Publication, name: str, origin: str, source: str = "", locked=False):
    FieldSource.objects.create(
        publication=publication, field_name=name, origin=origin, source=source, locked=locked
    )


def test_merge_keeps_what_the_harvest_found_of_the_duplicates(look_alikes):
    kept, copy, _other = look_alikes
    kept.dblp_key = "conf/iclr/SoupA24"
    kept.save()
    copy.openalex_id, copy.dblp_key = "W123", "journals/corr/Soup24"
    copy.save()
    _harvested(kept, count=10, read="2026-01-05T12:00:00+00:00", years={2024: 4, 2025: 6})
    _harvested(copy, count=25, read="2026-03-03T12:00:00+00:00", years={2025: 9, 2026: 16})
    notices = PublicationNotice.objects
    notices.create(publication=kept, kind=NoticeKind.CORRECTION, doi="10.1000/fix")
    notices.create(publication=copy, kind=NoticeKind.CORRECTION, doi="10.1000/fix")
    notices.create(
        publication=copy, kind=NoticeKind.RETRACTION, doi="10.1000/gone", date=date(2026, 2, 1)
    )
    _source(kept, "title", FieldOrigin.EDITOR, locked=True)
    _source(kept, "cited_by_count", FieldOrigin.HARVEST, "crossref")
    _source(copy, "title", FieldOrigin.HARVEST, "openalex")
    _source(copy, "cited_by_count", FieldOrigin.HARVEST, "openalex")
    _source(copy, "abstract", FieldOrigin.IMPORT, "bibtex")
    _source(copy, "openalex_id", FieldOrigin.HARVEST, "openalex")

    report = publication_merge(keep=kept, duplicates=[copy])

    kept.refresh_from_db()
    assert (kept.openalex_id, kept.dblp_key) == ("W123", "conf/iclr/SoupA24")
    assert kept.cited_by_count == 25
    assert kept.citations_read_at == datetime.fromisoformat("2026-03-03T12:00:00+00:00")
    assert dict(kept.citation_years.values_list("year", "count")) == {2024: 4, 2025: 9, 2026: 16}
    assert sorted(kept.notices.values_list("kind", "doi", "date")) == [
        ("correction", "10.1000/fix", None),
        ("retraction", "10.1000/gone", date(2026, 2, 1)),
    ]
    assert kept.is_retracted
    sources = {s.field_name: (s.origin, s.source, s.locked) for s in kept.field_sources.all()}
    assert sources == {
        "title": ("editor", "", True),  # the kept one's, where both have one
        "cited_by_count": ("harvest", "openalex", False),  # with the count it took
        "abstract": ("import", "bibtex", False),  # the copy's abstract filled the kept one's
        "openalex_id": ("harvest", "openalex", False),
    }
    assert "openalex_id" in report.filled_fields
    assert report.added_notices == ["Rétractation (2026-02-01)"]  # in the editor's language
    assert FieldSource.objects.count() == 4  # the copy's went with it


def test_merge_keeps_the_larger_count_of_the_publication_kept(look_alikes):
    kept, copy, _other = look_alikes
    _harvested(kept, count=40, read="2026-01-05T12:00:00+00:00", years={2025: 30})
    _harvested(copy, count=25, read="2026-03-03T12:00:00+00:00", years={2025: 20, 2023: 5})
    _source(kept, "cited_by_count", FieldOrigin.HARVEST, "crossref")
    _source(copy, "cited_by_count", FieldOrigin.HARVEST, "openalex")

    publication_merge(keep=kept, duplicates=[copy])

    kept.refresh_from_db()
    assert kept.cited_by_count == 40
    assert kept.citations_read_at == datetime.fromisoformat("2026-01-05T12:00:00+00:00")
    assert dict(kept.citation_years.values_list("year", "count")) == {2023: 5, 2025: 30}
    assert kept.field_sources.get().source == "crossref"


def test_a_source_of_a_value_the_merge_did_not_take_is_not_kept(look_alikes):
    kept, copy, _other = look_alikes
    kept.abstract = "The kept abstract."
    kept.save()
    _source(copy, "abstract", FieldOrigin.IMPORT, "bibtex")
    _source(copy, "topics", FieldOrigin.EDITOR, locked=True)

    publication_merge(keep=kept, duplicates=[copy])

    assert list(kept.field_sources.values_list("field_name", "locked")) == [("topics", True)]


def test_the_merged_page_shows_the_duplicates_retraction(client, look_alikes):
    kept, copy, _other = look_alikes
    PublicationNotice.objects.create(publication=copy, kind=PublicationNotice.Kind.RETRACTION)
    assert (
        "retracted"
        not in client.get(kept.get_absolute_url().replace("/fr/", "/en/")).content.decode()
    )

    publication_merge(keep=kept, duplicates=[copy])

    page = client.get(kept.get_absolute_url().replace("/fr/", "/en/", 1)).content.decode()
    assert "This publication was retracted." in page
