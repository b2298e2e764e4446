"""ORCID adapter: a record's works read from a local server that answers as ORCID's API does."""

import copy
import json
import logging
from datetime import date

import pytest
from werkzeug import Response

from harvest.sources.base import HarvestedWork, Person, SourceError
from harvest.sources.orcid import OrcidSource, preferred_summaries

ORCID = "0000-0002-1825-0097"
WORKS_PATH = f"/v3.0/{ORCID}/works"


@pytest.fixture
def load(stored_body):
    """A stored ORCID answer, parsed: ``load("works.json")``."""
    return lambda name: stored_body(f"orcid/{name}")


@pytest.fixture
def orcid(source_server):
    """The ORCID adapter, reading ORCID's API (under /v3.0) at the local server."""
    source_server("orcid", prefix="/v3.0")
    source = OrcidSource()
    yield source
    source.close()


def asked_paths(httpserver) -> list[str]:
    return [request.path for request, _ in httpserver.log]


def serve_record(httpserver, load, *, bulk_codes: str) -> None:
    httpserver.expect_request(WORKS_PATH, headers={"Accept": "application/json"}).respond_with_json(
        load("works.json")
    )
    httpserver.expect_request(f"{WORKS_PATH}/{bulk_codes}").respond_with_json(load("bulk.json"))


def test_works_are_read_from_the_list_then_in_full(orcid, httpserver, load):
    serve_record(httpserver, load, bulk_codes="1001,1003,1005,1004")

    works = list(orcid.works_of(Person(orcid=ORCID)))

    # One request for the list, one bulk read of each group's preferred version: 1002 is the
    # researcher's own, less preferred copy of 1001 and is not read.
    assert asked_paths(httpserver) == [WORKS_PATH, f"{WORKS_PATH}/1001,1003,1005,1004"]
    assert [work.source_id for work in works] == ["1001", "1003", "1004"]
    article = works[0]
    assert article.source == "orcid"
    assert article.title == "Réseaux de neurones profonds pour la vision"
    assert (article.year, article.month) == (2015, 5)
    assert article.kind == "article"
    assert article.venue == "Journal of Imaginary Neuroscience"
    assert article.abstract.startswith("Nous montrons que des réseaux profonds")
    assert article.language == "fr"
    assert article.url == "https://doi.org/10.5555/neuro.2015.0042"
    assert article.payload["put-code"] == 1001
    assert article.fetched_at is not None


def test_authors_keep_their_order_and_orcids(orcid, httpserver, load):
    serve_record(httpserver, load, bulk_codes="1001,1003,1005,1004")

    article, _, paper = orcid.works_of(Person(orcid=ORCID))

    assert [(a.name, a.orcid) for a in article.authors] == [
        ("Élise Tremblay", ORCID),
        ("Zoë Çelik", "0000-0002-1694-233X"),
        ("Jan Nowak", ""),
        # Its iD's check character is wrong: the name is kept, the iD is not.
        ("Aroha Ngata", ""),
    ]
    assert [a.name for a in paper.authors] == ["Wei Zhang", "Élise Tremblay"]
    assert [(e.name, e.orcid) for e in paper.editors] == [("Søren Ødegaard", "0000-0002-9236-421X")]


def test_identifiers_are_normalised(orcid, httpserver, load):
    serve_record(httpserver, load, bulk_codes="1001,1003,1005,1004")

    article, preprint, paper = orcid.works_of(Person(orcid=ORCID))

    # "10.5555/NEURO.2015.0042" as the publisher sent it; the journal's ISSN is not the work's.
    assert (article.doi, article.arxiv_id) == ("10.5555/neuro.2015.0042", "")
    # "arXiv:2301.04567v2": no prefix, no version.
    assert (preprint.doi, preprint.arxiv_id, preprint.kind) == ("", "2301.04567", "preprint")
    # A DOI given as its address; the arXiv id of the paper's preprint ("version-of").
    assert (paper.doi, paper.arxiv_id) == ("10.5555/conf.2016.0090", "1512.03385")
    assert paper.kind == "inproceedings"


def test_a_bulk_error_item_is_skipped_and_named(orcid, httpserver, caplog, load):
    serve_record(httpserver, load, bulk_codes="1001,1003,1005,1004")

    with caplog.at_level(logging.WARNING, logger="harvest.sources.orcid"):
        works = list(orcid.works_of(Person(orcid=ORCID)))

    assert "1005" not in [work.source_id for work in works]
    assert orcid.skipped == [
        f"{ORCID} put-code 1005: 403 Forbidden: The item is not public and cannot be accessed "
        "with the Public API."
    ]
    assert "put-code 1005" in caplog.text


def test_since_skips_groups_not_modified_since(orcid, httpserver, load):
    serve_record(httpserver, load, bulk_codes="1001,1003,1005")

    works = list(orcid.works_of(Person(orcid=ORCID), since=date(2020, 1, 1)))

    # The conference paper's group was last modified in 2019: it is not read again.
    assert asked_paths(httpserver)[-1] == f"{WORKS_PATH}/1001,1003,1005"
    assert [work.source_id for work in works] == ["1001", "1003"]


def test_more_than_a_hundred_works_are_read_in_two_bulk_requests(orcid, httpserver, load):
    works_body = load("works.json")
    template_group = works_body["group"][1]
    template_work = load("bulk.json")["bulk"][1]["work"]
    groups = []
    for code in range(2000, 2150):
        group = copy.deepcopy(template_group)
        group["work-summary"][0]["put-code"] = code
        groups.append(group)
    works_body["group"] = groups

    def bulk(request):
        codes = [int(code) for code in request.path.rsplit("/", 1)[1].split(",")]
        items = []
        for code in codes:
            work = copy.deepcopy(template_work)
            work["put-code"] = code
            work["title"]["title"]["value"] = f"Work {code}"
            items.append({"work": work})
        return Response(json.dumps({"bulk": items}), content_type="application/json")

    httpserver.expect_request(WORKS_PATH).respond_with_json(works_body)
    for first, last in ((2000, 2099), (2100, 2149)):
        codes = ",".join(str(code) for code in range(first, last + 1))
        httpserver.expect_request(f"{WORKS_PATH}/{codes}").respond_with_handler(bulk)

    works = list(orcid.works_of(Person(orcid=ORCID)))

    bulk_paths = asked_paths(httpserver)[1:]
    assert [len(path.rsplit("/", 1)[1].split(",")) for path in bulk_paths] == [100, 50]
    assert [work.title for work in works] == [f"Work {code}" for code in range(2000, 2150)]


def test_a_work_not_shaped_as_documented_is_skipped_not_a_crash(orcid, httpserver, load):
    bulk = load("bulk.json")
    odd = bulk["bulk"][0]["work"]
    odd["title"] = "Réseaux"  # a string where ORCID nests {"title": {"value": ...}}
    odd["contributors"] = "n/a"
    odd["publication-date"] = {"year": {"value": "circa 2015"}}
    bulk["bulk"][1]["work"]["contributors"] = {"contributor": [None, {"credit-name": None}]}
    httpserver.expect_request(WORKS_PATH).respond_with_json(load("works.json"))
    httpserver.expect_request(f"{WORKS_PATH}/1001,1003,1005,1004").respond_with_json(bulk)

    works = list(orcid.works_of(Person(orcid=ORCID)))

    assert [work.source_id for work in works] == ["1003", "1004"]
    assert works[0].authors == ()
    assert orcid.skipped[0] == f"{ORCID} put-code 1001: the work has no title"


def test_a_person_without_orcid_asks_nothing(orcid, httpserver):
    assert list(orcid.works_of(Person(name="Sans ORCID"))) == []
    assert httpserver.log == []


def test_an_invalid_orcid_is_refused_before_any_request(orcid, httpserver):
    with pytest.raises(SourceError, match="'0000-0002-1825-0098' is not a valid ORCID iD"):
        list(orcid.works_of(Person(orcid="0000-0002-1825-0098")))
    assert httpserver.log == []


def test_an_answer_that_is_not_a_works_list_is_a_source_error(orcid, httpserver):
    httpserver.expect_request(WORKS_PATH).respond_with_json({"bulk": []})

    with pytest.raises(SourceError, match="the works answer holds no list of groups"):
        list(orcid.works_of(Person(orcid=ORCID)))


def test_orcid_completes_no_work(orcid, httpserver):
    work = HarvestedWork(source="openalex", source_id="W1", title="A work", doi="10.5555/x")

    assert orcid.complete(work) is None
    assert httpserver.log == []


def test_the_preferred_version_has_the_highest_display_index(load):
    group = load("works.json")["group"][0]
    group["work-summary"].reverse()  # the preferred version listed last

    [(preferred, group_ids)] = preferred_summaries({"group": [group]})

    assert preferred["put-code"] == 1001
    assert group_ids[0]["external-id-value"] == "10.5555/NEURO.2015.0042"
