"""What visitors see of a work's citations and notices: on its page, in lists, in its metadata."""

import json
import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from profiles.models import ResearchTopic
from publications.models import (
    FieldOrigin,
    FieldSource,
    Publication,
    PublicationCitationYear,
    PublicationNotice,
)
from tests.factories import AuthorFactory, publication_with_authors, researcher_with_author

pytestmark = pytest.mark.django_db
Kind = PublicationNotice.Kind
# 10:00 on 3 March 2026 on the site's calendar (Toronto).
READ_AT = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


def cited(publication: Publication, count: int = 1234, source: str = "openalex") -> Publication:
    """``publication`` with a citation count read by the harvest from ``source``."""
    publication.cited_by_count, publication.citations_read_at = count, READ_AT
    publication.save()
    if source:
        FieldSource.objects.create(
            publication=publication,
            field_name="cited_by_count",
            origin=FieldOrigin.HARVEST,
            source=source,
            source_id="W2741809807",
        )
    return publication


def retracted(publication: Publication) -> Publication:
    """``publication`` with a correction, an expression of concern, then its retraction."""
    notices = [
        (Kind.CORRECTION, "10.1000/fix.1", date(2025, 1, 10)),
        (Kind.EXPRESSION_OF_CONCERN, "10.1000/concern.1", date(2025, 6, 2)),
        (Kind.RETRACTION, "10.1000/retract.1", date(2026, 2, 14)),
    ]
    for kind, doi, day in notices:
        PublicationNotice.objects.create(publication=publication, kind=kind, doi=doi, date=day)
    return publication


def with_years(publication: Publication, count: int) -> Publication:
    PublicationCitationYear.objects.bulk_create(
        PublicationCitationYear(publication=publication, year=2026 - n, count=n * 1000 + 7)
        for n in range(count)
    )
    return publication


def page(client, publication: Publication, language: str) -> str:
    with translation.override(language):
        url = publication.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    """The page's words, tags taken out and spaces joined."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


@pytest.fixture
def publication() -> Publication:
    return publication_with_authors([AuthorFactory(display_name="Ada Lovelace")], title="Engines")


def test_the_page_says_how_often_the_work_is_cited_where_and_when_in_english(client, publication):
    cited(publication)

    words = text_of(page(client, publication, "en"))

    assert "Cited by 1,234 (OpenAlex, read on 3 March 2026)" in words


def test_the_page_writes_the_count_and_date_the_french_way(client, publication):
    cited(publication)

    html = page(client, publication, "fr")

    assert "1\xa0234" in html
    assert "3 mars 2026" in html
    assert "1,234" not in html


def test_a_count_without_a_recorded_source_says_only_when_it_was_read(client, publication):
    cited(publication, count=5, source="")

    words = text_of(page(client, publication, "en"))

    assert "Cited by 5 (read on 3 March 2026)" in words


def test_a_work_never_counted_says_nothing_of_citations(client, publication):
    html = page(client, publication, "en")

    assert "Cited by" not in html
    assert "<table" not in html


def test_citations_per_year_are_a_table_with_a_caption_and_headers(client, publication):
    with_years(cited(publication), 3)

    html = page(client, publication, "en")

    table = re.search(r"<table.*?</table>", html, re.S).group(0)
    assert "<caption>Citations per year</caption>" in table
    assert '<th scope="col">Year</th><th scope="col">Citations</th>' in table
    rows = re.findall(r'<tr><th scope="row">(\d+)</th><td>([^<]+)</td></tr>', table)
    assert rows == [("2024", "2,007"), ("2025", "1,007"), ("2026", "7")]
    french = page(client, publication, "fr")
    assert '<th scope="row">2024</th><td>2\xa0007</td>' in french


def test_a_retracted_work_says_so_first_with_the_notice(client, publication):
    retracted(publication)

    html = page(client, publication, "en")

    article = html[html.index('<article class="publication-page">') :]
    alert = re.search(r'<p class="publication-alert">.*?</p>', article, re.S).group(0)
    assert article.index(alert) < article.index("<h1")
    assert text_of(alert) == (
        "This publication was retracted on 14 February 2026. (notice: DOI 10.1000/retract.1)"
    )
    assert 'href="https://doi.org/10.1000/retract.1"' in alert
    french = page(client, publication, "fr")
    assert "14 février 2026" in french


def test_corrections_and_concerns_are_listed_with_their_dois(client, publication):
    retracted(publication)

    html = page(client, publication, "en")

    notices = re.search(r'<ul class="notice-list">.*?</ul>', html, re.S).group(0)
    assert text_of(notices) == (
        "Correction, 10 January 2025 · DOI 10.1000/fix.1 "
        "Expression of concern, 2 June 2025 · DOI 10.1000/concern.1"
    )
    assert 'href="https://doi.org/10.1000/fix.1"' in notices
    assert 'href="https://doi.org/10.1000/concern.1"' in notices


def test_a_withdrawn_work_without_a_date_or_doi_says_so(client, publication):
    PublicationNotice.objects.create(publication=publication, kind=Kind.WITHDRAWAL)

    words = text_of(page(client, publication, "en"))

    assert "This publication was withdrawn." in words
    assert "notice:" not in words


def test_the_page_costs_the_same_queries_with_no_citations_or_with_many(
    client, django_assert_num_queries
):
    bare = publication_with_authors([AuthorFactory()])
    full = retracted(with_years(cited(publication_with_authors([AuthorFactory()])), 30))
    # The publication (with the source of its count), its authors, versions, topics,
    # citations per year, notices and links.
    with django_assert_num_queries(7):
        page(client, bare, "en")
    with django_assert_num_queries(7):
        html = page(client, full, "en")
    assert html.count('<th scope="row">') == 30


def test_the_cached_page_changes_with_its_citations_and_notices(client, publication):
    assert "Cited by" not in page(client, publication, "en")
    cited(publication)
    PublicationCitationYear.objects.create(publication=publication, year=2025, count=12)
    assert "<td>12</td>" in page(client, publication, "en")

    notice = PublicationNotice.objects.create(
        publication=publication, kind=Kind.RETRACTION, doi="10.1000/retract.2"
    )
    assert "This publication was retracted." in page(client, publication, "en")
    notice.delete()
    assert "retracted" not in page(client, publication, "en")

    FieldSource.objects.filter(publication=publication).update(source="crossref")
    FieldSource.objects.get(publication=publication).save()
    assert "(Crossref, read on 3 March 2026)" in text_of(page(client, publication, "en"))


# Lists ---------------------------------------------------------------------------------------


@pytest.fixture
def listed():
    """A researcher's retracted publication (with a topic) beside one that is not; and a
    retracted publication without any author."""
    researcher = researcher_with_author(slug="ada")
    topic = ResearchTopic.objects.create(slug="engines", name_fr="Moteurs", name_en="Engines")
    withdrawn = retracted(
        cited(publication_with_authors([researcher.author], title="Withdrawn paper"))
    )
    sound = cited(publication_with_authors([researcher.author], title="Sound paper"), count=8)
    unsigned = retracted(publication_with_authors([], title="Unsigned paper"))
    for publication in (withdrawn, sound, unsigned):
        publication.topics.add(topic)
    return researcher, topic


def badges(html: str) -> dict[str, str]:
    """Each listed publication's title, with its meta line (its badge marked [badge])."""
    items = re.findall(
        r'<h[34] class="publication__title"[^>]*><a[^>]*>([^<]+)</a></h[34]>\s*'
        r'<p class="publication__meta">(.*?)</p>',
        html,
        re.S,
    )
    return {
        title: text_of(re.sub(r'<strong class="badge badge--retracted">', "[badge]", meta))
        for title, meta in items
    }


def list_pages(researcher, topic, language: str) -> list[str]:
    with translation.override(language):
        return [
            researcher.get_absolute_url(),
            reverse("publications:publication_list"),
            reverse("profiles:topic_detail", args=[topic.slug]),
        ]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_list_items_of_retracted_publications_carry_a_badge(client, listed, language):
    researcher, topic = listed
    badge = "[badge]Retracted " if language == "en" else "[badge]"
    for url in list_pages(researcher, topic, language):
        items = badges(client.get(url).content.decode())
        assert items["Withdrawn paper"].startswith(badge), url
        assert "[badge]" not in items["Sound paper"], url
        if url != researcher.get_absolute_url():  # a profile lists its owner's works only
            assert items["Unsigned paper"].startswith(badge), url
        assert "Cited by" not in items["Sound paper"]


def test_list_items_say_how_often_each_work_is_cited_when_the_site_shows_it(
    client, listed, settings
):
    settings.SHOW_CITATION_COUNTS = True
    researcher, topic = listed
    for url in list_pages(researcher, topic, "en"):
        items = badges(client.get(url).content.decode())
        assert items["Withdrawn paper"].endswith("· Cited by 1,234"), url
        assert items["Sound paper"].endswith("· Cited by 8"), url
        assert "Cited by" not in items.get("Unsigned paper", "")
    with translation.override("fr"):
        french = client.get(researcher.get_absolute_url()).content.decode()
    assert "1\xa0234" in french


def test_the_badge_costs_no_query_of_its_own(client):
    """A list reads retractions with the authors: the same queries with or without them."""
    researcher = researcher_with_author(slug="bob")
    for number in range(3):
        publication_with_authors([researcher.author], title=f"Paper {number}")
    url = researcher.get_absolute_url()

    def queries() -> int:
        for cache in caches.all():
            cache.clear()  # every item read again
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured)

    before = queries()
    for publication in Publication.objects.all():
        retracted(publication)
    assert queries() == before
    assert client.get(url).content.decode().count("badge--retracted") == 3


# Metadata ------------------------------------------------------------------------------------


def test_json_ld_names_the_work_in_openalex_and_dblp(client, publication):
    publication.doi = "10.1000/engines"
    publication.openalex_id = "W2741809807"
    publication.dblp_key = "conf/nips/PascanuMB13"
    publication.save()

    html = page(client, publication, "en")

    payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    article = json.loads(payload.group(1))
    assert article["sameAs"] == [
        "https://doi.org/10.1000/engines",
        "https://openalex.org/W2741809807",
        "https://dblp.org/rec/conf/nips/PascanuMB13",
    ]


def test_json_ld_has_no_same_as_without_identifiers(client, publication):
    html = page(client, publication, "en")

    assert '"sameAs"' not in html
