"""The public publication list: filters, search, sort orders, facet counts and pagination."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.models import ResearchTopic
from publications.models import Author, Publication
from tests.factories import (
    AuthorFactory,
    PublicationFactory,
    publication_with_authors,
    researcher_with_author,
)
from tests.pages import checkbox_counts, text_of, titles

URL = "/fr/publications/"
Kind = Publication.Kind


def checked_values(response, name: str) -> set[str]:
    return set(
        re.findall(
            rf'<input type="checkbox" name="{name}" value="([^"]+)" checked>',
            response.content.decode(),
        )
    )


def year_counts(response, select_id: str = "filter-year-from") -> dict[int, int]:
    """The count shown next to each year of a year menu (the empty "any year" left out)."""
    html = response.content.decode()
    select = html.split(f'id="{select_id}"')[1].split("</select>")[0]
    return {
        int(year): int(count)
        for year, count in re.findall(r'<option value="(\d+)"[^>]*>\d+ \((\d+)\)</option>', select)
    }


def next_page_params(response) -> dict[str, list[str]]:
    """The query parameters of the "next page" link."""
    href = re.search(r'<a href="([^"]*)" rel="next">', response.content.decode()).group(1)
    return parse_qs(urlsplit(unescape(href)).query)


def topic(slug: str, name: str) -> ResearchTopic:
    return ResearchTopic.objects.create(slug=slug, name_fr=name, name_en=name)


@pytest.fixture
def catalogue(db) -> dict:
    """A small hand-built list whose facet counts can be worked out by hand.

    ===========  =================  ====  ==============
    title        topics             year  kind
    ===========  =================  ====  ==============
    Alpha 2020   alpha              2020  article
    Both 2021    alpha, beta        2021  inproceedings
    Beta 2021    beta               2021  article
    Gamma 2022   gamma              2022  preprint
    Draft 2019   alpha (hidden)     2019  book
    ===========  =================  ====  ==============
    """
    alpha, beta, gamma = topic("alpha", "Alpha"), topic("beta", "Bêta"), topic("gamma", "Gamma")
    ada = researcher_with_author(given_name="Ada", family_name="Lovelace", slug="ada-lovelace")
    grace = researcher_with_author(given_name="Grace", family_name="Hopper", slug="grace-hopper")
    rows = [
        ("Alpha 2020", [alpha], 2020, Kind.JOURNAL_ARTICLE, [ada.author], True),
        ("Both 2021", [alpha, beta], 2021, Kind.CONFERENCE_PAPER, [ada.author, grace.author], True),
        ("Beta 2021", [beta], 2021, Kind.JOURNAL_ARTICLE, [grace.author], True),
        ("Gamma 2022", [gamma], 2022, Kind.PREPRINT, [AuthorFactory()], True),
        ("Draft 2019", [alpha], 2019, Kind.BOOK, [ada.author], False),
    ]
    publications = {}
    for title, topics, year, kind, authors, is_published in rows:
        publication = publication_with_authors(
            authors, title=title, year=year, kind=kind, is_published=is_published
        )
        publication.topics.set(topics)
        publications[title] = publication
    return publications


# Filters, one at a time and together


def test_without_filters_lists_every_published_publication_newest_first(client, catalogue):
    response = client.get(URL)

    assert titles(response) == ["Gamma 2022", "Beta 2021", "Both 2021", "Alpha 2020"]
    assert "4 publications" in text_of(response)


def test_topic_filter(client, catalogue):
    assert titles(client.get(URL, {"topic": "alpha"})) == ["Both 2021", "Alpha 2020"]
    assert titles(client.get(URL, {"topic": "gamma"})) == ["Gamma 2022"]


def test_two_topics_give_the_publications_of_either_each_listed_once(client, catalogue):
    response = client.get(URL, {"topic": ["alpha", "beta"]})

    assert titles(response) == ["Beta 2021", "Both 2021", "Alpha 2020"]
    assert "3 publications" in text_of(response)
    assert checked_values(response, "topic") == {"alpha", "beta"}


def test_year_range(client, catalogue):
    assert titles(client.get(URL, {"year_from": "2021"})) == [
        "Gamma 2022",
        "Beta 2021",
        "Both 2021",
    ]
    assert titles(client.get(URL, {"year_to": "2021"})) == [
        "Beta 2021",
        "Both 2021",
        "Alpha 2020",
    ]
    assert titles(client.get(URL, {"year_from": "2021", "year_to": "2021"})) == [
        "Beta 2021",
        "Both 2021",
    ]


def test_kind_filter_takes_one_or_several_kinds(client, catalogue):
    assert titles(client.get(URL, {"kind": "article"})) == ["Beta 2021", "Alpha 2020"]
    assert titles(client.get(URL, {"kind": ["article", "preprint"]})) == [
        "Gamma 2022",
        "Beta 2021",
        "Alpha 2020",
    ]


def test_researcher_filter_keeps_the_papers_they_sign(client, catalogue):
    response = client.get(URL, {"researcher": "ada-lovelace"})

    assert titles(response) == ["Both 2021", "Alpha 2020"]
    assert "Publications de Ada Lovelace" in text_of(response)


def test_filters_combine(client, catalogue):
    params = {"topic": ["alpha", "beta"], "kind": "article", "year_from": "2021"}
    assert titles(client.get(URL, params)) == ["Beta 2021"]
    params = {"researcher": "grace-hopper", "topic": "alpha", "year_to": "2021"}
    assert titles(client.get(URL, params)) == ["Both 2021"]
    params = {"q": "both", "kind": "article"}
    assert titles(client.get(URL, params)) == []


# Text search


@pytest.fixture
def searchable(db) -> None:
    pióro = AuthorFactory(display_name="Maciej Pióro")
    publication_with_authors(
        [pióro, AuthorFactory(display_name="Razvan Pascanu")],
        title="State Soup: In-Context Skill Learning",
        abstract="We mix the hidden states of gated linear recurrences.",
        venue="ICML 2024",
    )
    publication_with_authors(
        [AuthorFactory(display_name="Ada Lovelace")],
        title="Sketch of the Analytical Engine",
        abstract="Notes on a machine that weaves algebraic patterns.",
        venue="Scientific Memoirs",
    )
    publication_with_authors(
        [AuthorFactory(display_name="Ada Lovelace")],
        title="Unpublished linear notes",
        abstract="",
        is_published=False,
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("analytical", ["Sketch of the Analytical Engine"]),
        ("ÉNGINE", ["Sketch of the Analytical Engine"]),
        ("weaves", ["Sketch of the Analytical Engine"]),
        ("recurrences", ["State Soup: In-Context Skill Learning"]),
        ("memoirs", ["Sketch of the Analytical Engine"]),
        ("lovelace", ["Sketch of the Analytical Engine"]),
        ("pascanu", ["State Soup: In-Context Skill Learning"]),
    ],
)
def test_search_looks_in_title_abstract_venue_and_authors(client, searchable, query, expected):
    assert titles(client.get(URL, {"q": query})) == expected


@pytest.mark.parametrize("query", ["pioro", "PIÓRO", "Pióro", "maciej PIORO"])
def test_search_ignores_case_and_accents_in_author_names(client, searchable, query):
    response = client.get(URL, {"q": query})

    assert titles(response) == ["State Soup: In-Context Skill Learning"]
    assert "1 publication" in text_of(response)


def test_search_needs_every_word(client, searchable):
    assert titles(client.get(URL, {"q": "pióro recurrences"})) == [
        "State Soup: In-Context Skill Learning"
    ]
    assert titles(client.get(URL, {"q": "pióro engine"})) == []
    assert titles(client.get(URL, {"q": "lovelace engine"})) == ["Sketch of the Analytical Engine"]


def test_search_keeps_the_query_in_the_form(client, searchable):
    html = client.get(URL, {"q": "Pióro"}).content.decode()

    assert 'name="q" value="Pióro"' in html


def test_empty_result_says_so_and_offers_the_whole_list(client, searchable):
    response = client.get(URL, {"q": "quantum chromodynamics"})
    text = text_of(response)

    assert titles(response) == []
    assert "0 publication" in text
    assert "Aucune publication ne correspond à ces filtres." in text
    assert "Voir toutes les publications" in text


# Sort orders


@pytest.fixture
def sortable(db) -> None:
    for title, year in [("Beta", 2019), ("alpha", 2023), ("Gamma", 2021), ("Delta", 2023)]:
        publication_with_authors([AuthorFactory()], title=title, year=year)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Delta", "alpha", "Gamma", "Beta"]),
        ({"sort": "newest"}, ["Delta", "alpha", "Gamma", "Beta"]),
        ({"sort": "oldest"}, ["Beta", "Gamma", "alpha", "Delta"]),
    ],
)
def test_sort_by_year(client, sortable, params, expected):
    assert titles(client.get(URL, params)) == expected


def test_sort_by_title(client, db):
    for title in ["Beta", "Alpha", "Gamma", "Delta"]:
        publication_with_authors([AuthorFactory()], title=title)

    response = client.get(URL, {"sort": "title"})

    assert titles(response) == ["Alpha", "Beta", "Delta", "Gamma"]
    assert '<option value="title" selected>' in response.content.decode()


# Facet counts


def test_facet_counts_without_filters(client, catalogue):
    response = client.get(URL)

    assert checkbox_counts(response, "topic") == {"alpha": 2, "beta": 2, "gamma": 1}
    assert checkbox_counts(response, "kind") == {"article": 2, "inproceedings": 1, "preprint": 1}
    assert year_counts(response) == {2022: 1, 2021: 2, 2020: 1}
    assert year_counts(response, "filter-year-to") == {2022: 1, 2021: 2, 2020: 1}


def test_facet_counts_follow_the_other_filters_not_their_own(client, catalogue):
    response = client.get(URL, {"topic": "alpha"})

    # Topics ignore the topic filter itself: they say what choosing another one would add.
    assert checkbox_counts(response, "topic") == {"alpha": 2, "beta": 2, "gamma": 1}
    assert checkbox_counts(response, "kind") == {"article": 1, "inproceedings": 1}
    assert year_counts(response) == {2021: 1, 2020: 1}


def test_facet_counts_with_two_filters(client, catalogue):
    response = client.get(URL, {"topic": "alpha", "kind": "article"})

    assert titles(response) == ["Alpha 2020"]
    assert checkbox_counts(response, "topic") == {"alpha": 1, "beta": 1}
    assert checkbox_counts(response, "kind") == {"article": 1, "inproceedings": 1}
    assert checked_values(response, "kind") == {"article"}
    assert year_counts(response) == {2020: 1}


def test_year_counts_ignore_the_year_range(client, catalogue):
    response = client.get(URL, {"year_from": "2021"})

    assert checkbox_counts(response, "topic") == {"alpha": 1, "beta": 2, "gamma": 1}
    assert checkbox_counts(response, "kind") == {"article": 1, "inproceedings": 1, "preprint": 1}
    assert year_counts(response) == {2022: 1, 2021: 2, 2020: 1}
    assert '<option value="2021" selected>2021 (2)</option>' in response.content.decode()


def test_a_chosen_option_without_results_stays_visible_with_zero(client, catalogue):
    response = client.get(URL, {"topic": "gamma", "kind": "book"})

    assert titles(response) == []
    assert checkbox_counts(response, "kind") == {"preprint": 1, "book": 0}
    assert checked_values(response, "kind") == {"book"}


def test_unpublished_publications_are_never_listed_or_counted(client, catalogue):
    for params in [{}, {"topic": "alpha"}, {"researcher": "ada-lovelace"}]:
        response = client.get(URL, params)
        assert "Draft 2019" not in text_of(response)
        assert 2019 not in year_counts(response)
        assert "book" not in checkbox_counts(response, "kind")

    book = client.get(URL, {"kind": "book"})
    assert titles(book) == []
    assert checkbox_counts(book, "kind")["book"] == 0
    assert titles(client.get(URL, {"year_to": "2019"})) == []

    response = client.get(URL, {"q": "draft"})
    assert titles(response) == []
    assert checkbox_counts(response, "topic") == {}


# Pagination


def test_twenty_per_page_and_the_next_link_keeps_the_filters(client, db):
    chosen = topic("alpha", "Alpha")
    for number in range(45):
        publication = publication_with_authors(
            [AuthorFactory()], title=f"Paper {number:02d}", year=2000 + number % 20
        )
        publication.topics.add(chosen)
    publication_with_authors([AuthorFactory()], title="Off topic")

    params = {"topic": "alpha", "q": "paper", "sort": "title"}
    first = client.get(URL, params)
    assert titles(first) == [f"Paper {number:02d}" for number in range(20)]
    assert "45 publications" in text_of(first)
    assert "Page 1 sur 3" in text_of(first)
    assert next_page_params(first) == {
        "topic": ["alpha"],
        "q": ["paper"],
        "sort": ["title"],
        "page": ["2"],
    }

    second = client.get(URL, {**params, "page": "2"})
    assert titles(second) == [f"Paper {number:02d}" for number in range(20, 40)]
    assert next_page_params(second)["page"] == ["3"]
    assert 'rel="prev"' in second.content.decode()

    third = client.get(URL, {**params, "page": "3"})
    assert titles(third) == [f"Paper {number:02d}" for number in range(40, 45)]
    assert 'rel="next"' not in third.content.decode()


# Cost


def _grow(count: int, topics: list[ResearchTopic], lead: Author) -> None:
    """``count`` more publications, each with three authors (two of them researchers, the first
    always ``lead``) and two topics."""
    for _ in range(count):
        authors = [lead, researcher_with_author().author, AuthorFactory()]
        publication = PublicationFactory(kind=Kind.CONFERENCE_PAPER, year=2024)
        for position, author in enumerate(authors, start=1):
            publication.authorships.create(author=author, position=position)
        publication.topics.set(topics)


def _list_queries(client, params: dict) -> int:
    cache.clear()  # the worst case: no page, count or item in the cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    assert titles(response), "the cost is measured on a page that lists publications"
    return len(queries)


FILTERED = {
    "q": "study",
    "topic": ["cost-0", "cost-1"],
    "year_from": "2020",
    "year_to": "2024",
    "kind": "inproceedings",
    "researcher": "lead",
    "sort": "title",
}
# The unfiltered list: the page, its count, its authors, links and topics, the three facet
# counts and the topic names. The facets apply the filters the list validated once; on
# PostgreSQL the search looks up the authors with a similar name, once.
MAX_QUERIES_UNFILTERED = 10
MAX_QUERIES_FILTERED = 13


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_5_or_200_publications(client):
    topics = [topic(f"cost-{n}", f"Coût {n}") for n in range(2)]
    lead = researcher_with_author(slug="lead").author

    _grow(5, topics, lead)
    few = (_list_queries(client, {}), _list_queries(client, FILTERED))
    _grow(195, topics, lead)
    many = (_list_queries(client, {}), _list_queries(client, FILTERED))

    assert few == many
    unfiltered, filtered = many
    assert unfiltered <= MAX_QUERIES_UNFILTERED
    assert filtered <= MAX_QUERIES_FILTERED


def test_chosen_topics_are_listed_first_in_their_facet(client, db):
    topics = [
        ResearchTopic.objects.create(slug=slug, name_fr=name, name_en=name)
        for slug, name in [("a", "Algèbre"), ("b", "Biologie"), ("z", "Zoologie")]
    ]
    publication = publication_with_authors([AuthorFactory()])
    publication.topics.set(topics)

    response = client.get(URL, {"topic": "z"})

    assert list(checkbox_counts(response, "topic")) == ["z", "a", "b"]


def test_a_search_with_too_many_matches_to_rank_says_it_lists_the_newest_first(
    client, db, monkeypatch
):
    for year in (2020, 2024, 2022):
        PublicationFactory(title=f"Graph models of {year}", year=year)
    monkeypatch.setattr("publications.selectors.RANKED_MATCHES_LIMIT", 2)

    response = client.get(URL, {"q": "graph"})
    page = response.content.decode()
    assert titles(response) == [
        "Graph models of 2024",
        "Graph models of 2022",
        "Graph models of 2020",
    ]
    assert '<option value="newest" selected>' in page
    assert "3 publications correspondent : les plus récentes viennent en premier." in text_of(
        response
    )
    link = re.search(r'<a href="([^"]+)">Les trier par pertinence</a>', page)
    assert parse_qs(urlsplit(unescape(link.group(1))).query) == {
        "q": ["graph"],
        "sort": ["relevance"],
    }

    # Asked for the best matches, or with a few matches only, the list says nothing of it.
    response = client.get(URL, {"q": "graph", "sort": "relevance"})
    assert '<option value="relevance" selected>' in response.content.decode()
    assert "les plus récentes viennent en premier" not in text_of(response)
    monkeypatch.setattr("publications.selectors.RANKED_MATCHES_LIMIT", 3)
    cache.clear()
    response = client.get(URL, {"q": "graph"})
    assert '<option value="relevance" selected>' in response.content.decode()
    assert "les plus récentes viennent en premier" not in text_of(response)


# A page number that cannot be used


def notice_text(response) -> str:
    """The visible text of the notice of ignored parameters, or "" when there is none."""
    html = response.content.decode()
    if 'class="notice notice--warning"' not in html:
        return ""
    box = html.split('class="notice notice--warning"')[1].split("</div>")[0]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", f"<div {box}")).split())


@pytest.fixture
def two_pages(db) -> None:
    """25 publications: twenty on the first page, five on the second."""
    for number in range(25):
        publication_with_authors([AuthorFactory()], title=f"Paper {number:02d}", year=2000 + number)


@pytest.mark.parametrize(
    ("page", "shown", "notice"),
    [
        ("999", "Page 2 of 2", "There is no page 999: the last page (2) is shown."),
        ("3", "Page 2 of 2", "There is no page 3: the last page (2) is shown."),
        ("0", "Page 1 of 2", "There is no page 0: the first page is shown."),
        ("-1", "Page 1 of 2", "There is no page -1: the first page is shown."),
        ("abc", "Page 1 of 2", "“abc” is not a page number: the first page is shown."),
        ("1.5", "Page 1 of 2", "“1.5” is not a page number: the first page is shown."),
    ],
)
def test_a_page_that_does_not_exist_is_named_in_a_notice(client, two_pages, page, shown, notice):
    response = client.get("/en/publications/", {"page": page})

    assert response.status_code == 200
    assert shown in text_of(response)
    assert notice_text(response) == notice
    expected = "Paper 04" if shown == "Page 2 of 2" else "Paper 24"
    assert titles(response)[0] == expected


@pytest.mark.parametrize("page", ["", "1", "2"])
def test_a_page_that_exists_gives_no_notice(client, two_pages, page):
    response = client.get("/en/publications/", {"page": page})

    assert response.status_code == 200
    assert notice_text(response) == ""


def test_the_page_notice_is_in_french_on_a_french_page(client, two_pages):
    response = client.get(URL, {"page": "999"})

    assert "Page 2 sur 2" in text_of(response)
    assert "999" in notice_text(response)


def test_an_empty_list_names_a_page_beyond_the_first(client, db):
    response = client.get("/en/publications/", {"page": "2"})

    assert response.status_code == 200
    assert notice_text(response) == "There is no page 2: the first page is shown."


def test_a_bad_page_and_a_bad_filter_share_one_notice(client, two_pages):
    response = client.get("/en/publications/", {"page": "abc", "topic": "nowhere"})

    assert notice_text(response) == (
        "Some filters could not be used and were ignored: "
        "Research topics: “nowhere” is unknown. "
        "“abc” is not a page number: the first page is shown."
    )


def test_the_page_cache_keeps_the_notice_to_its_own_address(client, two_pages):
    client.get("/en/publications/", {"page": "999"})

    cached = client.get("/en/publications/", {"page": "999"})
    plain = client.get("/en/publications/")

    assert notice_text(cached) == "There is no page 999: the last page (2) is shown."
    assert notice_text(plain) == ""
