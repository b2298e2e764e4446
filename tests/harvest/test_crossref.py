"""Crossref: works completed by DOI, their JATS abstracts cleaned, their notices read."""

from datetime import date

import pytest

from harvest.sources.base import HarvestedAuthor, HarvestedWork, Person, SourceError, Update
from harvest.sources.crossref import CrossrefSource, updated_works, work_kind

MAILTO = {"mailto": "directory@example.org"}


@pytest.fixture
def crossref(source_server):
    return source_server("crossref")


def _complete(doi: str) -> HarvestedWork | None:
    source = CrossrefSource()
    try:
        return source.complete(HarvestedWork(source="orcid", source_id="1", title="?", doi=doi))
    finally:
        source.close()


def _serve(crossref, doi: str, body) -> None:
    crossref.expect_request(f"/works/{doi}", query_string=MAILTO).respond_with_json(body)


def test_a_journal_article_is_completed_by_its_doi(crossref, stored_body):
    _serve(crossref, "10.1162/neco_a_01362", stored_body("crossref/work-journal-article.json"))

    work = _complete("https://doi.org/10.1162/NECO_a_01362")

    assert work.source == "crossref"
    assert work.source_id == work.doi == "10.1162/neco_a_01362"
    assert work.title == "On the dynamics of gradients in recurrent networks"
    assert work.kind == "article"
    assert (work.year, work.month) == (2021, 3)
    assert work.venue == "Neural Computation"
    assert (work.volume, work.issue, work.pages) == ("33", "4", "1012–1047")
    assert work.publisher == "MIT Press"
    assert work.language == "en"
    assert work.url == "https://direct.mit.edu/neco/article/33/4/1012/97487"
    assert work.cited_by_count == 398
    assert work.arxiv_id == "1211.5063"
    assert work.is_retracted is False
    assert work.updates == ()
    assert work.payload["DOI"] == "10.1162/NECO_a_01362"


def test_authors_come_in_sequence_order_with_bare_orcids(crossref, stored_body):
    _serve(crossref, "10.1162/neco_a_01362", stored_body("crossref/work-journal-article.json"))

    authors = _complete("10.1162/neco_a_01362").authors

    assert authors == (
        HarvestedAuthor(
            name="Razvan Pascanu",
            given_name="Razvan",
            family_name="Pascanu",
            orcid="0000-0002-1825-0097",
        ),
        HarvestedAuthor(
            name="Yoshua Bengio",
            given_name="Yoshua",
            family_name="Bengio",
            orcid="0000-0002-1694-233X",
        ),
        HarvestedAuthor(name="Tomáš Mikolov", given_name="Tomáš", family_name="Mikolov"),
        HarvestedAuthor(name="The RNN Consortium"),
    )


def test_the_jats_abstract_is_plain_text(crossref, stored_body):
    _serve(crossref, "10.1162/neco_a_01362", stored_body("crossref/work-journal-article.json"))

    abstract = _complete("10.1162/neco_a_01362").abstract

    assert abstract == (
        "Training recurrent networks is hard: gradients vanish or explode when T>100.\n\n"
        "We propose clipping & a soft constraint, and show results on Penn Treebank — with "
        "gains of 5\u2009%."
    )


def test_a_book_chapter_brings_its_editors_book_and_pages(crossref, stored_body):
    body = stored_body("crossref/work-book-chapter.json")
    body["message"]["editor"][0]["ORCID"] = "https://orcid.org/0000-0002-1825-0098"
    _serve(crossref, "10.1007/978-3-030-30484-3_2", body)

    work = _complete("10.1007/978-3-030-30484-3_2")

    assert work.kind == "incollection"
    assert work.title == "Recurrent networks in practice: A tutorial"
    assert (
        work.venue == "Artificial Neural Networks and Machine Learning – ICANN 2019: Deep Learning"
    )
    assert (work.volume, work.pages) == ("11727", "12–19")
    assert work.publisher == "Springer International Publishing"
    assert (work.year, work.month) == (2019, 9)
    assert [(e.given_name, e.family_name) for e in work.editors] == [
        ("Igor V.", "Tetko"),
        ("Věra", "Kůrková"),
        ("Pavel", "Karpov"),
        ("Fabian", "Theis"),
    ]
    # An ORCID iD whose check character is wrong is left out, not kept wrong.
    assert [e.orcid for e in work.editors] == ["", "", "", "0000-0002-2419-1943"]
    assert [a.name for a in work.authors] == ["Razvan Pascanu"]


def test_a_retraction_marks_the_work_retracted_with_the_notices_doi(crossref, stored_body):
    _serve(crossref, "10.5555/jmlr.2020.0006", stored_body("crossref/work-retracted.json"))

    work = _complete("10.5555/jmlr.2020.0006")

    assert work.is_retracted is True
    # The publisher and Retraction Watch report the same retraction: it is kept once.
    assert work.updates == (
        Update(kind="correction", doi="10.5555/jmlr.2021.notice-12", date=date(2021, 2, 1)),
        Update(kind="retraction", doi="10.5555/jmlr.2022.retraction-3", date=date(2022, 5, 17)),
    )


def test_a_correction_alone_does_not_retract(crossref, stored_body):
    body = stored_body("crossref/work-retracted.json")
    body["message"]["updated-by"] = body["message"]["updated-by"][:1]
    _serve(crossref, "10.5555/jmlr.2020.0006", body)

    work = _complete("10.5555/jmlr.2020.0006")

    assert work.is_retracted is False
    assert [update.kind for update in work.updates] == ["correction"]


def test_a_retraction_notice_names_the_work_it_retracts(crossref, stored_body):
    _serve(
        crossref,
        "10.5555/jmlr.2022.retraction-3",
        stored_body("crossref/work-retraction-notice.json"),
    )

    notice = _complete("10.5555/jmlr.2022.retraction-3")

    # The notice itself stands; what it retracts is another work.
    assert notice.is_retracted is False
    assert notice.updates == ()
    assert updated_works(notice) == (
        Update(kind="retraction", doi="10.5555/jmlr.2020.0006", date=date(2022, 5, 17)),
    )


def test_a_notice_published_in_place_applies_to_the_work_itself(crossref, stored_body):
    body = stored_body("crossref/work-retraction-notice.json")
    body["message"]["DOI"] = "10.5555/jmlr.2020.0006"
    body["message"]["update-to"][0]["type"] = "expression-of-concern"
    _serve(crossref, "10.5555/jmlr.2020.0006", body)

    work = _complete("10.5555/jmlr.2020.0006")

    assert [(u.kind, u.doi) for u in work.updates] == [
        ("expression_of_concern", "10.5555/jmlr.2020.0006"),
        ("retraction", "10.5555/jmlr.2020.0006"),
    ]
    assert work.is_retracted is True


@pytest.mark.parametrize(
    ("crossref_type", "subtype", "kind"),
    [
        ("journal-article", None, "article"),
        ("proceedings-article", None, "inproceedings"),
        ("posted-content", "preprint", "preprint"),
        ("posted-content", "working_paper", "report"),
        ("book-chapter", None, "incollection"),
        ("book", None, "book"),
        ("monograph", None, "book"),
        ("report", None, "report"),
        ("dissertation", None, "thesis"),
        ("dataset", None, "misc"),
        ("peer-review", None, "misc"),
    ],
)
def test_kind_mapping(crossref_type, subtype, kind):
    assert work_kind({"type": crossref_type, "subtype": subtype}) == kind


def test_a_doi_crossref_does_not_know_is_none(crossref):
    crossref.expect_request("/works/10.48550/arxiv.2301.00001").respond_with_data(
        "Resource not found.", status=404, content_type="text/plain"
    )

    assert _complete("10.48550/arXiv.2301.00001") is None


def test_a_work_without_a_doi_costs_no_request(crossref):
    assert _complete("") is None
    assert crossref.log == []


def test_a_doi_with_reserved_characters_reaches_the_right_address(crossref, stored_body):
    doi = "10.1002/(sici)1097-4636(199706)35:4<455::aid-jbm5>3.0.co;2-c"
    body = stored_body("crossref/work-journal-article.json")
    body["message"]["DOI"] = doi
    _serve(crossref, doi, body)

    assert _complete(doi).doi == doi


def test_an_answer_that_is_not_a_work_is_a_source_error(crossref):
    crossref.expect_request("/works/10.1/x").respond_with_json(
        {"status": "ok", "message-type": "work-list", "message": {"items": []}}
    )

    with pytest.raises(SourceError, match=r"crossref: GET /works/10\.1/x answered something other"):
        _complete("10.1/x")


def test_a_record_without_a_title_is_left_out(crossref, stored_body, caplog):
    body = stored_body("crossref/work-journal-article.json")
    body["message"]["title"] = []
    _serve(crossref, "10.1162/neco_a_01362", body)

    assert _complete("10.1162/neco_a_01362") is None
    assert "has no title" in caplog.text


def test_crossref_lists_no_ones_works(crossref):
    source = CrossrefSource()

    assert list(source.works_of(Person(orcid="0000-0002-1825-0097"))) == []
    assert crossref.log == []
