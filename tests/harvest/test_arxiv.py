"""arXiv adapter: works completed from a local server that answers as arXiv's API does."""

import re

import pytest
from werkzeug import Response

from harvest.sources.arxiv import ArxivSource
from harvest.sources.base import HarvestedWork, Person, SourceError

QUERY_PATH = "/api/query"


@pytest.fixture
def arxiv(source_server):
    """The arXiv adapter, reading arXiv's API at the local server."""
    source_server("arxiv", prefix=QUERY_PATH)
    source = ArxivSource()
    yield source
    source.close()


@pytest.fixture
def feed(stored_body):
    """A stored arXiv answer, as text: ``feed("error.xml")``."""
    return lambda name: stored_body(f"arxiv/{name}")


def found_elsewhere(arxiv_id: str, **fields) -> HarvestedWork:
    """A work as another source found it, with the arXiv id it gave."""
    return HarvestedWork(source="openalex", source_id="W1", title="x", arxiv_id=arxiv_id, **fields)


def serve(httpserver, ids: str, body: str) -> None:
    query = {"id_list": ids, "start": "0", "max_results": str(len(ids.split(",")))}
    httpserver.expect_request(QUERY_PATH, query_string=query).respond_with_data(
        body, content_type="application/atom+xml; charset=utf-8"
    )


def test_a_work_is_completed_by_its_arxiv_id(arxiv, httpserver, feed):
    serve(httpserver, "2106.01234", feed("journal_version.xml"))

    work = arxiv.complete(found_elsewhere("arXiv:2106.01234v1"))

    assert (work.source, work.source_id) == ("arxiv", "2106.01234")
    # The latest version, whichever one the other source named.
    assert (work.arxiv_id, work.arxiv_version) == ("2106.01234", "v3")
    assert work.primary_category == "cs.LG"
    assert work.title == "Calibrated uncertainty for graph neural networks under distribution shift"
    assert (work.year, work.month) == (2021, 6)
    # Affiliations are not names.
    assert [author.name for author in work.authors] == [
        "Rémi Lefèvre",
        "Łukasz Kowalczyk",
        "Amina Diallo",
    ]
    assert work.url == "https://arxiv.org/abs/2106.01234v3"
    assert work.pdf_url == "https://arxiv.org/pdf/2106.01234v3"
    assert work.abstract.startswith("Graph neural networks are often overconfident")


def test_a_journal_reference_and_doi_name_the_journal_version(arxiv, httpserver, feed):
    serve(httpserver, "2106.01234", feed("journal_version.xml"))

    work = arxiv.complete(found_elsewhere("2106.01234"))

    assert work.kind == "article"
    assert work.venue == "Transactions on Imaginary Machine Learning 3 (2022) 112-135"
    assert work.doi == "10.5555/timl.2022.0112"


def test_an_old_style_id_without_journal_reference_is_a_preprint(arxiv, httpserver, feed):
    serve(httpserver, "hep-th/9901001", feed("old_style_id.xml"))

    work = arxiv.complete(found_elsewhere("hep-th/9901001"))

    assert (work.arxiv_id, work.arxiv_version) == ("hep-th/9901001", "v2")
    assert (work.kind, work.venue, work.doi) == ("preprint", "", "")
    assert work.primary_category == "hep-th"
    assert (work.year, work.month) == (1999, 1)
    assert [author.name for author in work.authors] == ["Jean-François Bélanger", "Keiko Tanaka"]
    # Older answers mark their links; both are read.
    assert work.url == "http://arxiv.org/abs/hep-th/9901001v2"
    assert work.pdf_url == "http://arxiv.org/pdf/hep-th/9901001v2"


def test_wrapped_title_and_abstract_are_one_line_each(arxiv, httpserver, feed):
    serve(httpserver, "hep-th/9901001", feed("old_style_id.xml"))

    work = arxiv.complete(found_elsewhere("hep-th/9901001"))

    assert work.title == "Boundary states and the spectrum of open strings on imaginary orbifolds"
    assert work.abstract == (
        "We construct boundary states for open strings ending on branes at fixed points of "
        "imaginary orbifolds, and compute the spectrum of the open-string sector. The result "
        "agrees with the closed-string channel after a modular transformation."
    )


def test_an_id_arxiv_does_not_know_completes_nothing(arxiv, httpserver, feed):
    serve(httpserver, "2201.99999", feed("unknown_id.xml"))

    assert arxiv.complete(found_elsewhere("2201.99999")) is None


def test_an_id_arxiv_calls_malformed_completes_nothing(arxiv, httpserver, feed):
    def answer(request):
        asked = request.args["id_list"].split(",")
        body = feed("malformed_id.xml") if "1412.12345" in asked else feed("journal_version.xml")
        return Response(body, content_type="application/atom+xml; charset=utf-8")

    httpserver.expect_request(QUERY_PATH).respond_with_handler(answer)

    refused, known = arxiv.complete_many(
        [found_elsewhere("1412.12345"), found_elsewhere("2106.01234")]
    )

    # arXiv's error spoils the whole query: the other id is asked for again, alone.
    asked = [request.args["id_list"] for request, _ in httpserver.log]
    assert asked == ["1412.12345,2106.01234", "2106.01234"]
    assert refused is None
    assert known.arxiv_id == "2106.01234"


def test_any_other_error_of_arxiv_is_a_source_error(arxiv, httpserver, feed):
    body = feed("malformed_id.xml").replace(
        "incorrect id format for 1412.12345", "incorrect value for max_results"
    )
    serve(httpserver, "2106.01234", body)

    message = "arxiv: the query failed: incorrect value for max_results"
    with pytest.raises(SourceError, match=re.escape(message)):
        arxiv.complete(found_elsewhere("2106.01234"))


def test_a_work_without_a_valid_arxiv_id_asks_nothing(arxiv, httpserver):
    assert arxiv.complete(found_elsewhere("")) is None
    assert arxiv.complete(found_elsewhere("2106.123")) is None  # three digits after the dot
    assert httpserver.log == []


def test_an_answer_that_is_not_a_feed_is_a_source_error(arxiv, httpserver):
    serve(httpserver, "2106.01234", "<html><body>Service unavailable</body></html>")

    with pytest.raises(SourceError, match="not an Atom feed"):
        arxiv.complete(found_elsewhere("2106.01234"))


def test_a_hundred_and_fifty_ids_take_two_requests(arxiv, httpserver, feed):
    template = feed("journal_version.xml")
    entry = re.search(r"<entry>.*</entry>", template, re.DOTALL)[0]

    def answer(request):
        ids = request.args["id_list"].split(",")
        entries = "".join(entry.replace("2106.01234", arxiv_id) for arxiv_id in ids)
        body = template.replace(entry, entries)
        return Response(body, content_type="application/atom+xml; charset=utf-8")

    httpserver.expect_request(QUERY_PATH).respond_with_handler(answer)
    ids = [f"2301.{number:05d}" for number in range(150)]
    works = [found_elsewhere(arxiv_id) for arxiv_id in ids]
    # Asked once however often it is named; a work without an arXiv id keeps its place.
    works += [found_elsewhere(ids[0]), found_elsewhere("")]

    completed = arxiv.complete_many(works)

    asked = [request.args for request, _ in httpserver.log]
    assert [len(args["id_list"].split(",")) for args in asked] == [100, 50]
    assert [args["max_results"] for args in asked] == ["100", "50"]
    assert [work.arxiv_id for work in completed[:150]] == ids
    assert completed[150].arxiv_id == ids[0]
    assert completed[151] is None


def test_arxiv_finds_no_work_by_person(arxiv, httpserver):
    person = Person(orcid="0000-0002-1825-0097", name="Élise Tremblay")

    assert list(arxiv.works_of(person)) == []
    assert httpserver.log == []
