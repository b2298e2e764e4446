"""OpenAlex: a researcher's works across pages, and each work mapped onto the model's fields."""

from datetime import date

import pytest

from harvest.sources.base import HarvestedWork, Person, SourceError
from harvest.sources.openalex import OpenAlexSource, abstract_from_index, work_kind

PASCANU = Person(openalex_id="A5001234567", orcid="0000-0002-1825-0097", name="Razvan Pascanu")
CURSOR_2 = "IlsxNjA5MzcyODAwMDAwLCAnaHR0cHM6Ly9vcGVuYWxleC5vcmcvVzI5NjMwNDUzNTQnXSI="
CURSOR_3 = "IlsxNTQ3MTY4MDAwMDAwLCAnaHR0cHM6Ly9vcGVuYWxleC5vcmcvVzI5ODAwMDAwMDQnXSI="
ABSTRACT_A = (
    "Training recurrent networks is hard: gradients vanish, or they explode. "
    "We study why gradients vanish (and why they explode) from an analytical, a geometric "
    "and a dynamical systems perspective. We propose a gradient norm clipping strategy to deal "
    "with exploding gradients and a soft constraint for the vanishing gradients problem. "
    "We validate empirically our hypothesis and proposed solutions in the experimental section."
)


@pytest.fixture
def openalex(source_server):
    return source_server("openalex")


@pytest.fixture
def three_pages(openalex, stored_body):
    """The works of A5001234567, served as OpenAlex pages them: 2 + 2 + 2, by cursor."""
    for number, cursor in enumerate(["*", CURSOR_2, CURSOR_3], start=1):
        openalex.expect_request(
            "/works",
            query_string={
                "filter": "author.id:A5001234567",
                "per-page": "200",
                "cursor": cursor,
                "mailto": "directory@example.org",
            },
        ).respond_with_json(stored_body(f"openalex/works-page-{number}.json"))
    return openalex


def _works(person=PASCANU, **kwargs) -> list[HarvestedWork]:
    source = OpenAlexSource()
    try:
        return list(source.works_of(person, **kwargs))
    finally:
        source.close()


def test_every_work_of_every_page_is_yielded_once(three_pages):
    works = _works()

    assert [work.openalex_id for work in works] == [
        "W2950635152",
        "W2963045354",
        "W4313000001",
        "W2980000004",
        "W2100000005",
        "W3100000006",
    ]
    assert len(three_pages.log) == 3
    assert {work.source for work in works} == {"openalex"}
    assert all(work.source_id == work.openalex_id for work in works)


def test_a_journal_article_is_mapped_field_by_field(three_pages):
    work = _works()[0]

    assert work.title == "On the dynamics of gradients in recurrent networks"
    assert (work.year, work.month) == (2021, 3)
    assert work.kind == "article"
    assert work.doi == "10.1162/neco_a_01362"
    assert work.venue == "Neural Computation"
    assert (work.volume, work.issue, work.pages) == ("33", "4", "1012–1047")
    assert work.language == "en"
    assert work.url == "https://doi.org/10.1162/neco_a_01362"
    assert work.pdf_url == (
        "https://papyrus.bib.umontreal.ca/xmlui/bitstream/1866/12345/1/article.pdf"
    )
    assert work.cited_by_count == 412
    assert work.counts_by_year == {2021: 43, 2022: 98, 2023: 151, 2024: 120}
    assert work.is_retracted is False
    assert work.authors_truncated is False
    assert work.arxiv_id == ""
    assert work.fetched_at is not None
    assert work.payload["id"] == "https://openalex.org/W2950635152"


def test_the_abstract_is_rebuilt_word_for_word(three_pages):
    assert _works()[0].abstract == ABSTRACT_A


def test_an_inverted_index_with_repeated_words_and_punctuation():
    index = {
        "rose": [1, 3, 5],
        "A": [0],
        "is": [2, 4],
        "—": [6],
        "«vraiment»,": [7],
        "c'est": [8],
        "ça.": [9],
    }

    assert abstract_from_index(index) == "A rose is rose is rose — «vraiment», c'est ça."
    assert abstract_from_index(None) == ""
    assert abstract_from_index({"word": "not positions"}) == ""


def test_authors_keep_their_order_orcids_and_ids(three_pages):
    authors = _works()[1].authors

    assert [author.name for author in authors] == [
        "Razvan Pascanu",
        "Çağlar Gülçehre",
        "Kyunghyun Cho",
        "Yoshua Bengio",
    ]
    assert [author.orcid for author in authors] == [
        "0000-0002-1825-0097",
        "0000-0003-4567-890X",
        "",
        "0000-0002-1694-233X",
    ]
    assert [author.openalex_id for author in authors] == [
        "A5001234567",
        "A5004567890",
        "A5005678901",
        "A5003456789",
    ]


def test_a_truncated_author_list_and_a_retraction_are_kept(three_pages):
    work = _works()[5]

    assert work.is_retracted is True
    assert work.authors_truncated is True
    assert len(work.authors) == 100
    assert work.authors[0].name == "Ana Martins"
    assert work.authors[-1].orcid == "0000-0002-1825-0097"
    assert work.pages == "1"
    assert work.doi == "10.5555/jmlr.2020.0006"


def test_each_kind_and_the_arxiv_ids_found_in_locations(three_pages):
    works = _works()

    assert [work.kind for work in works] == [
        "article",
        "inproceedings",
        "preprint",
        "incollection",
        "thesis",
        "article",
    ]
    # From an arxiv.org location, and from an arXiv DOI.
    assert (works[1].arxiv_id, works[1].arxiv_version) == ("1312.6026", "v5")
    assert (works[2].arxiv_id, works[2].arxiv_version) == ("2301.00001", "")
    assert works[1].venue == "International Conference on Machine Learning"
    assert works[3].title == "Recurrent networks in practice & theory"
    assert works[4].language == "fr"


@pytest.mark.parametrize(
    ("openalex_type", "source_type", "kind"),
    [
        ("article", "journal", "article"),
        ("article", "conference", "inproceedings"),
        ("article", None, "article"),
        ("preprint", "repository", "preprint"),
        ("posted-content", None, "preprint"),
        ("book", "ebook platform", "book"),
        ("book-chapter", "book series", "incollection"),
        ("dissertation", "repository", "thesis"),
        ("report", None, "report"),
        ("dataset", "repository", "misc"),
        ("paratext", "journal", "misc"),
        (None, None, "misc"),
    ],
)
def test_kind_mapping(openalex_type, source_type, kind):
    source = {"type": source_type} if source_type else None
    record = {"type": openalex_type, "primary_location": {"source": source}}

    assert work_kind(record) == kind


def test_changes_since_a_date_and_the_api_key_are_asked_for(openalex, settings, stored_body):
    settings.HARVEST_SOURCES["openalex"]["API_KEY"] = "key-for-tests"
    openalex.expect_request(
        "/works",
        query_string={
            "filter": "author.id:A5001234567,from_updated_date:2024-05-01",
            "per-page": "200",
            "cursor": "*",
            "mailto": "directory@example.org",
            "api_key": "key-for-tests",
        },
    ).respond_with_json(stored_body("openalex/work-empty-page.json"))

    assert _works(since=date(2024, 5, 1)) == []
    assert len(openalex.log) == 1


def test_an_orcid_is_used_when_there_is_no_author_id(openalex, stored_body):
    openalex.expect_request(
        "/works",
        query_string={
            "filter": "author.orcid:0000-0002-1825-0097",
            "per-page": "200",
            "cursor": "*",
            "mailto": "directory@example.org",
        },
    ).respond_with_json(stored_body("openalex/works-page-3.json"))

    works = _works(Person(orcid="https://orcid.org/0000-0002-1825-0097"))

    assert [work.openalex_id for work in works] == ["W2100000005", "W3100000006"]


def test_a_work_listed_on_two_pages_is_yielded_once(openalex, stored_body):
    first, second = (
        stored_body("openalex/works-page-1.json"),
        stored_body("openalex/works-page-3.json"),
    )
    second["results"].append(first["results"][0])
    openalex.expect_ordered_request("/works").respond_with_json(first)
    openalex.expect_ordered_request("/works").respond_with_json(second)

    works = _works()

    assert [work.openalex_id for work in works] == [
        "W2950635152",
        "W2963045354",
        "W2100000005",
        "W3100000006",
    ]


def test_a_person_without_identifiers_costs_no_request(openalex):
    assert _works(Person(name="Nobody")) == []
    assert openalex.log == []


def test_a_malformed_author_id_is_reported_without_a_request(openalex):
    with pytest.raises(SourceError, match="'X12' is not an OpenAlex author id"):
        _works(Person(openalex_id="X12"))
    assert openalex.log == []


def test_an_author_id_given_as_a_url_is_read(openalex, stored_body):
    openalex.expect_request("/works").respond_with_json(
        stored_body("openalex/work-empty-page.json")
    )

    _works(Person(openalex_id="https://openalex.org/A5001234567"))

    assert openalex.log[0][0].args["filter"] == "author.id:A5001234567"


def test_a_page_without_results_is_a_source_error(openalex):
    openalex.expect_request("/works").respond_with_json({"meta": {}, "error": "unexpected"})

    with pytest.raises(SourceError, match="openalex: a page of works has no list of results"):
        _works()


def test_a_cursor_that_comes_back_stops_the_harvest(openalex, stored_body):
    page = stored_body("openalex/works-page-1.json")
    page["meta"]["next_cursor"] = "*"
    openalex.expect_request("/works").respond_with_json(page)

    with pytest.raises(SourceError, match="page in a loop"):
        _works()
    assert len(openalex.log) == 1


def test_a_work_without_id_or_title_is_left_out(openalex, stored_body, caplog):
    page = stored_body("openalex/works-page-3.json")
    page["results"][0]["display_name"] = page["results"][0]["title"] = None
    page["results"].append("not a work")
    openalex.expect_request("/works").respond_with_json(page)

    works = _works()

    assert [work.openalex_id for work in works] == ["W3100000006"]
    assert "a work without an id or a title was left out" in caplog.text


def test_a_work_is_completed_by_its_doi(openalex, stored_body):
    openalex.expect_request(
        "/works/doi:10.1162/neco_a_01362", query_string={"mailto": "directory@example.org"}
    ).respond_with_json(stored_body("openalex/work-W2950635152.json"))
    found = HarvestedWork(source="orcid", source_id="123", title="x", doi="10.1162/NECO_A_01362")

    source = OpenAlexSource()
    work = source.complete(found)
    source.close()

    assert work.openalex_id == "W2950635152"
    assert work.abstract == ABSTRACT_A


def test_a_work_is_completed_by_its_openalex_id_first(openalex, stored_body):
    openalex.expect_request("/works/W2950635152").respond_with_json(
        stored_body("openalex/work-W2950635152.json")
    )
    found = HarvestedWork(
        source="dblp", source_id="k", title="x", openalex_id="W2950635152", doi="10.1/other"
    )

    assert OpenAlexSource().complete(found).doi == "10.1162/neco_a_01362"


def test_an_arxiv_preprint_is_looked_up_by_its_arxiv_doi(openalex, stored_body):
    page = stored_body("openalex/works-page-2.json")
    openalex.expect_request("/works/doi:10.48550/arxiv.2301.00001").respond_with_json(
        page["results"][0]
    )
    found = HarvestedWork(source="arxiv", source_id="2301.00001", title="x", arxiv_id="2301.00001")

    assert OpenAlexSource().complete(found).openalex_id == "W4313000001"


def test_a_work_openalex_does_not_know_is_none(openalex):
    openalex.expect_request("/works/doi:10.1/unknown").respond_with_data("", status=404)

    source = OpenAlexSource()
    assert (
        source.complete(HarvestedWork(source="orcid", source_id="1", title="x", doi="10.1/unknown"))
        is None
    )
    assert source.complete(HarvestedWork(source="orcid", source_id="2", title="no ids")) is None
    assert len(openalex.log) == 1
