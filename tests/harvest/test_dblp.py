"""DBLP adapter: a person's publications read from a local server that answers as dblp.org."""

from datetime import date

import pytest
from werkzeug import Response

from harvest.sources.base import HarvestedWork, Person, SourceError
from harvest.sources.dblp import DblpSource

PID = "184/4786"
PERSON_PATH = f"/pid/{PID}.xml"


@pytest.fixture
def dblp(source_server):
    """The DBLP adapter, reading dblp.org at the local server."""
    source_server("dblp")
    source = DblpSource()
    yield source
    source.close()


@pytest.fixture
def person_xml(stored_body):
    """A stored DBLP person record, as DBLP sends it (bytes): ``person_xml("person.xml")``."""
    return lambda name: stored_body(f"dblp/{name}").encode("utf-8")


def serve(httpserver, body: bytes, path: str = PERSON_PATH) -> None:
    httpserver.expect_request(path).respond_with_data(body, content_type="application/xml")


def works_by_key(dblp, pid: str = PID, **options) -> dict[str, HarvestedWork]:
    return {work.dblp_key: work for work in dblp.works_of(Person(dblp_pid=pid), **options)}


def test_a_person_file_gives_each_publication_in_order(dblp, httpserver, person_xml):
    serve(httpserver, person_xml("person.xml"))

    works = list(dblp.works_of(Person(dblp_pid=PID)))

    assert [request.path for request, _ in httpserver.log] == [PERSON_PATH]
    assert [work.source_id for work in works] == [
        "journals/corr/abs-1301-3781",
        "journals/jiml/CarberryVM22",
        "conf/iclr/VelickovicCCRLB18",
        "journals/corr/abs-1710-10903",
    ]
    assert {work.source for work in works} == {"dblp"}


def test_a_journal_article(dblp, httpserver, person_xml):
    serve(httpserver, person_xml("person.xml"))

    article = works_by_key(dblp)["journals/jiml/CarberryVM22"]

    assert article.kind == "article"
    # DBLP's closing period goes; the italics inside the title leave their text.
    assert article.title == "Notes on imaginary graph embeddings"
    assert article.year == 2022
    assert (article.venue, article.volume, article.issue) == ("J. Imagin. Mach. Learn.", "23", "4")
    assert article.pages == "101–135"
    assert article.doi == "10.5555/jiml.2022.0101"
    assert article.arxiv_id == ""
    assert article.url == "https://jiml.example.org/papers/v23/carberry22a.html"
    assert "<title>Notes on <i>imaginary</i> graph embeddings.</title>" in article.payload


def test_authors_keep_order_orcids_and_accents(dblp, httpserver, person_xml):
    serve(httpserver, person_xml("person.xml"))

    article = works_by_key(dblp)["journals/jiml/CarberryVM22"]

    # "0001" only tells namesakes apart in DBLP: it is not part of the name.
    assert [(author.name, author.orcid) for author in article.authors] == [
        ("Josiah Carberry", "0000-0002-1825-0097"),
        ("Petar Veličković", ""),
        ("Tomáš Mikolov", ""),
    ]


def test_a_conference_paper(dblp, httpserver, person_xml):
    serve(httpserver, person_xml("person.xml"))

    paper = works_by_key(dblp)["conf/iclr/VelickovicCCRLB18"]

    assert (paper.kind, paper.title, paper.year) == (
        "inproceedings",
        "Graph Attention Networks",
        2018,
    )
    assert paper.venue == "ICLR (Poster)"
    assert [author.name for author in paper.authors] == [
        "Petar Veličković",
        "Guillem Cucurull",
        "Arantxa Casanova",
        "Adriana Romero",
        "Pietro Liò",
        "Yoshua Bengio",
    ]
    assert (paper.doi, paper.arxiv_id) == ("", "")
    assert paper.url == "https://openreview.net/forum?id=rJXMpikCZ"


def test_corr_records_are_arxiv_preprints(dblp, httpserver, person_xml):
    serve(httpserver, person_xml("person.xml"))
    works = works_by_key(dblp)

    linked = works["journals/corr/abs-1710-10903"]
    assert (linked.kind, linked.arxiv_id, linked.doi) == ("preprint", "1710.10903", "")
    # CoRR is arXiv itself: its journal name and volume only repeat the arXiv id.
    assert (linked.venue, linked.volume) == ("", "")
    assert linked.url == "https://arxiv.org/abs/1710.10903"

    # Newer records link arXiv's DOI, which names the paper as well.
    word2vec = works["journals/corr/abs-1301-3781"]
    assert word2vec.kind == "preprint"
    assert (word2vec.arxiv_id, word2vec.doi) == ("1301.3781", "10.48550/arxiv.1301.3781")
    assert word2vec.authors[0].name == "Tomáš Mikolov"


def test_named_entities_of_dblps_data_keep_their_accents(dblp, httpserver, person_xml):
    serve(httpserver, person_xml("person_named_entities.xml"), "/pid/v/GaelVaroquaux.xml")

    [work] = dblp.works_of(Person(dblp_pid="v/GaelVaroquaux"))

    assert [author.name for author in work.authors] == [
        "Gaël Varoquaux",
        "Tomáš Mikolov",
        "Petar Veličković",
        "Günther Müller-Østergaard",
    ]
    assert work.title == "Entities & accents in Latin-1 data"
    assert work.pages == "7–12"


def test_since_keeps_the_records_changed_since(dblp, httpserver, person_xml):
    serve(httpserver, person_xml("person.xml"))

    works = works_by_key(dblp, since=date(2020, 1, 1))

    assert list(works) == ["journals/corr/abs-1301-3781", "journals/jiml/CarberryVM22"]


def test_too_many_requests_is_waited_out_then_read(dblp, httpserver, person_xml):
    httpserver.expect_ordered_request(PERSON_PATH).respond_with_response(
        Response("Too Many Requests", status=429, headers={"Retry-After": "1"})
    )
    httpserver.expect_ordered_request(PERSON_PATH).respond_with_data(
        person_xml("person.xml"), content_type="application/xml"
    )

    works = list(dblp.works_of(Person(dblp_pid=PID)))

    assert [response.status_code for _, response in httpserver.log] == [429, 200]
    assert len(works) == 4


def test_an_unknown_person_is_a_source_error(dblp, httpserver):
    httpserver.expect_request(PERSON_PATH).respond_with_data("Not Found", status=404)

    with pytest.raises(SourceError, match="no person has the id '184/4786'"):
        list(dblp.works_of(Person(dblp_pid=PID)))


def test_an_answer_that_is_not_a_person_record_is_a_source_error(dblp, httpserver):
    serve(httpserver, b'<?xml version="1.0"?><dblp><article key="x"/></dblp>')

    with pytest.raises(SourceError, match="not a person's record"):
        list(dblp.works_of(Person(dblp_pid=PID)))


def test_an_undefined_entity_is_a_source_error(dblp, httpserver):
    serve(httpserver, b"<dblpperson><r><article key='k'><title>&nosuch;</title></article></r>")

    with pytest.raises(SourceError, match="the answer is not XML"):
        list(dblp.works_of(Person(dblp_pid=PID)))


def test_an_id_that_is_not_a_dblp_id_asks_nothing(dblp, httpserver):
    with pytest.raises(SourceError, match="is not a DBLP person id"):
        list(dblp.works_of(Person(dblp_pid="../admin")))
    assert list(dblp.works_of(Person(name="Sans DBLP"))) == []
    assert httpserver.log == []


def test_dblp_completes_no_work(dblp, httpserver):
    work = HarvestedWork(source="crossref", source_id="10.5555/x", title="A work", doi="10.5555/x")

    assert dblp.complete(work) is None
    assert httpserver.log == []
