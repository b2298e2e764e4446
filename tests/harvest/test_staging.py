"""Staging: the works the sources give become candidates an editor reviews, one per work, and
only what is new: nothing rejected, nothing locked, nothing said before."""

import dataclasses
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from harvest.models import Candidate, CandidateSource, Rejection
from harvest.services.review import candidate_reject
from harvest.services.runs import completions
from harvest.services.staging import stage_works
from harvest.sources.base import HarvestedAuthor, Person, Update
from harvest.sources.crossref import CrossrefSource
from harvest.sources.openalex import OpenAlexSource
from publications.models import (
    FieldOrigin,
    FieldSource,
    Publication,
    PublicationCitationYear,
    PublicationNotice,
    PublicationVersion,
)
from publications.services.provenance import provenance_record
from tests.factories import (
    AuthorFactory,
    PublicationFactory,
    ResearcherFactory,
    publication_with_authors,
)
from tests.harvest.harvested import (
    ARXIV_ID,
    DBLP_KEY,
    DOI,
    OPENALEX_ID,
    TITLE,
    harvested,
    three_records,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def researcher():
    return ResearcherFactory(given_name="Razvan", family_name="Pascanu")


@pytest.fixture
def stored() -> Publication:
    """The conference paper as an editor stored it."""
    return PublicationFactory(
        title=TITLE,
        year=2013,
        kind=Publication.Kind.CONFERENCE_PAPER,
        venue="ICML 2013",
        pages="1310–1318",
        doi=DOI,
        abstract="",
    )


# One candidate per work ------------------------------------------------------------------


def test_one_work_from_three_sources_is_one_candidate_with_three_source_records(researcher):
    report = stage_works(researcher=researcher, works=three_records())

    candidate = Candidate.objects.get()
    assert (report.found, report.new) == (3, 1)
    assert candidate.relation == Candidate.Relation.NEW_WORK
    assert candidate.researcher == researcher
    assert (candidate.doi, candidate.arxiv_id, candidate.openalex_id) == (
        DOI,
        ARXIV_ID,
        OPENALEX_ID,
    )
    assert sorted(candidate.sources.values_list("source", "source_id")) == [
        ("arxiv", ARXIV_ID),
        ("crossref", DOI),
        ("openalex", OPENALEX_ID),
    ]
    # Each field from the source that describes it best, and where it came from.
    assert candidate.fields["venue"] == "ICML 2013"
    assert candidate.fields["kind"] == "inproceedings"
    assert candidate.fields["abstract"].startswith("There are two widely known issues")
    assert candidate.origins["venue"] == ["crossref", DOI]
    assert candidate.origins["abstract"] == ["arxiv", ARXIV_ID]
    assert candidate.fields["cited_by_count"] == 5000  # OpenAlex's count, with its years


def test_records_that_reach_the_index_apart_are_joined_by_one_naming_both():
    crossref, arxiv = three_records()[1], three_records()[2]
    arxiv = dataclasses.replace(arxiv, title="A different title on arXiv", year=2011)
    openalex = harvested(
        "openalex", OPENALEX_ID, title="Yet another title", doi=DOI, arxiv_id=ARXIV_ID
    )

    stage_works(researcher=None, works=[crossref, arxiv, openalex])

    candidate = Candidate.objects.get()
    assert candidate.sources.count() == 3


def test_works_sharing_an_openalex_id_or_a_dblp_key_are_one_work():
    works = [
        harvested("openalex", OPENALEX_ID, title="First title", openalex_id=OPENALEX_ID),
        harvested("orcid", "123", title="Second title", openalex_id=OPENALEX_ID),
        harvested("dblp", DBLP_KEY, title="Third title", dblp_key=DBLP_KEY),
        harvested("orcid", "456", title="Fourth title", dblp_key=DBLP_KEY),
    ]

    stage_works(researcher=None, works=works)

    assert sorted(Candidate.objects.values_list("title", flat=True)) == [
        "First title",
        "Third title",
    ]


# A second run ----------------------------------------------------------------------------


def test_a_second_run_with_the_same_answers_proposes_nothing(researcher, stored):
    works = [*three_records(), harvested("dblp", "conf/icml/Other13", title="Another paper")]
    stage_works(researcher=researcher, works=works)
    before = list(Candidate.objects.values_list("pk", "updated_at"))

    again = stage_works(researcher=researcher, works=works)

    assert (again.new, again.updated, again.withdrawn) == (0, 0, 0)
    assert again.unchanged == 2
    assert list(Candidate.objects.values_list("pk", "updated_at")) == before


def test_a_changed_answer_updates_the_candidate_it_belongs_to():
    stage_works(researcher=None, works=three_records())
    changed = three_records()
    changed[1] = dataclasses.replace(changed[1], volume="28", payload={"volume": "28"})

    report = stage_works(researcher=None, works=changed)

    candidate = Candidate.objects.get()
    assert (report.new, report.updated) == (0, 1)
    assert candidate.fields["volume"] == "28"
    assert candidate.sources.count() == 3


def test_a_run_of_one_source_keeps_what_the_others_gave_before():
    stage_works(researcher=None, works=three_records())
    openalex = dataclasses.replace(three_records()[0], payload={"changed": True})

    stage_works(researcher=None, works=[openalex])

    candidate = Candidate.objects.get()
    assert candidate.fields["venue"] == "ICML 2013"  # Crossref's, read by the first run
    assert candidate.sources.count() == 3


# Rejected works --------------------------------------------------------------------------


def test_a_rejected_work_is_never_proposed_again_whichever_source_brings_it(editor):
    stage_works(researcher=None, works=three_records())
    candidate_reject(candidate=Candidate.objects.get(), user=editor)
    # Changed answers, and a source that never gave the work before, by its title alone.
    again = [dataclasses.replace(w, payload={"new": w.source}) for w in three_records()]
    dblp = harvested("dblp", DBLP_KEY, title=TITLE.upper(), year=2014, dblp_key=DBLP_KEY)

    report = stage_works(researcher=None, works=again)
    alone = stage_works(researcher=None, works=[dblp])

    assert (report.rejected, report.new) == (1, 0)
    assert (alone.rejected, alone.new) == (1, 0)
    assert Candidate.objects.get().status == Candidate.Status.REJECTED
    assert Rejection.objects.filter(rejected_by=editor).exists()


def test_a_rejected_change_is_not_proposed_again_but_another_value_is(stored):
    crossref = harvested(
        "crossref", DOI, doi=DOI, venue="ICML 2013", pages="1310–1318", volume="28"
    )
    stage_works(researcher=None, works=[crossref])
    candidate_reject(candidate=Candidate.objects.get())

    same = stage_works(researcher=None, works=[dataclasses.replace(crossref, payload="again")])
    other = stage_works(
        researcher=None, works=[dataclasses.replace(crossref, volume="29", payload="29")]
    )

    assert same.new == 0
    assert other.new == 1
    proposed = Candidate.objects.get(status=Candidate.Status.NEW)
    assert [(e["field"], e["proposed"]) for e in proposed.diff] == [("volume", "29")]


# Stored publications ---------------------------------------------------------------------


def test_different_values_of_a_stored_publication_are_proposed_field_by_field(stored):
    crossref = harvested(
        "crossref",
        DOI,
        doi=DOI,
        venue="icml 2013",
        pages="1310-1318",
        volume="28",
        abstract="Training RNNs is hard.",
    )

    report = stage_works(researcher=None, works=[crossref])

    candidate = Candidate.objects.get()
    assert report.new == 1
    assert candidate.relation == Candidate.Relation.CHANGED_FIELDS
    assert candidate.publication == stored
    # The venue and pages read the same; the volume and abstract are new.
    assert candidate.diff == [
        {"field": "volume", "stored": "", "proposed": "28", "source": "crossref", "source_id": DOI},
        {
            "field": "abstract",
            "stored": "",
            "proposed": "Training RNNs is hard.",
            "source": "crossref",
            "source_id": DOI,
        },
    ]
    stored.refresh_from_db()
    assert stored.volume == ""  # nothing is written before an editor accepts


def test_a_locked_field_is_never_proposed_for_change(stored):
    provenance_record(publication=stored, fields=["venue"], origin=FieldOrigin.EDITOR)
    crossref = harvested("crossref", DOI, doi=DOI, venue="Proceedings of ICML", pages="1310–1318")

    report = stage_works(researcher=None, works=[crossref])

    assert report.new == 0
    assert not Candidate.objects.exists()


def test_a_locked_field_is_left_out_of_a_proposal_of_other_fields(stored):
    provenance_record(publication=stored, fields=["venue"], origin=FieldOrigin.EDITOR)
    crossref = harvested("crossref", DOI, doi=DOI, venue="Proceedings of ICML", volume="28")

    stage_works(researcher=None, works=[crossref])

    assert [entry["field"] for entry in Candidate.objects.get().diff] == ["volume"]


def test_an_identical_work_proposes_nothing_and_refreshes_citation_counts(stored):
    openalex = harvested(
        "openalex", OPENALEX_ID, doi=DOI, cited_by_count=5000, counts_by_year={2023: 600}
    )
    PublicationCitationYear.objects.create(publication=stored, year=2012, count=3)

    report = stage_works(researcher=None, works=[openalex])

    assert report.new == 0
    assert report.citations_updated == 1
    stored.refresh_from_db()
    assert stored.cited_by_count == 5000
    assert stored.citations_read_at is not None
    # A year the source no longer lists keeps its count.
    assert list(stored.citation_years.values_list("year", "count")) == [(2012, 3), (2023, 600)]
    origin = FieldSource.objects.get(publication=stored, field_name="cited_by_count")
    assert (origin.origin, origin.source, origin.source_id) == ("harvest", "openalex", OPENALEX_ID)
    assert not origin.locked


def test_the_openalex_id_and_dblp_key_are_proposed_for_a_stored_publication(stored):
    openalex = harvested("openalex", OPENALEX_ID, doi=DOI, openalex_id=OPENALEX_ID)
    dblp = harvested("dblp", DBLP_KEY, title=TITLE, dblp_key=DBLP_KEY)

    stage_works(researcher=None, works=[openalex, dblp])

    proposed = {e["field"]: e["proposed"] for e in Candidate.objects.get().diff}
    assert proposed == {"openalex_id": OPENALEX_ID, "dblp_key": DBLP_KEY}


def test_a_retraction_is_flagged_on_the_candidate_for_an_editor(stored):
    notice = Update(kind="retraction", doi="10.5555/retraction.1", date=date(2024, 5, 2))
    crossref = harvested("crossref", DOI, doi=DOI, is_retracted=True, updates=(notice,))

    stage_works(researcher=None, works=[crossref])

    candidate = Candidate.objects.get()
    assert candidate.is_retraction
    assert candidate.relation == Candidate.Relation.CHANGED_FIELDS
    [entry] = [e for e in candidate.diff if e["field"] == "notices"]
    assert entry["proposed"] == [
        {"kind": "retraction", "doi": "10.5555/retraction.1", "date": "2024-05-02"}
    ]
    assert not PublicationNotice.objects.exists()  # an editor accepts it


def test_a_retraction_already_recorded_is_not_proposed_again(stored):
    PublicationNotice.objects.create(
        publication=stored, kind=PublicationNotice.Kind.RETRACTION, doi="10.5555/retraction.1"
    )
    openalex = harvested("openalex", OPENALEX_ID, doi=DOI, is_retracted=True)

    stage_works(researcher=None, works=[openalex])

    assert not Candidate.objects.exists()


def test_a_new_work_that_is_retracted_is_flagged():
    stage_works(researcher=None, works=[harvested("openalex", OPENALEX_ID, is_retracted=True)])

    assert Candidate.objects.get().is_retraction


def test_a_journal_version_of_a_stored_preprint_is_a_new_version():
    preprint = PublicationFactory(
        title=TITLE, year=2012, kind=Publication.Kind.PREPRINT, arxiv_id=ARXIV_ID, venue=""
    )
    crossref = harvested(
        "crossref",
        "10.1000/jmlr.1",
        doi="10.1000/jmlr.1",
        arxiv_id=ARXIV_ID,
        kind="article",
        venue="JMLR",
    )

    stage_works(researcher=None, works=[crossref])

    candidate = Candidate.objects.get()
    assert candidate.relation == Candidate.Relation.NEW_VERSION
    assert candidate.publication == preprint
    assert candidate.reasons == ["different_kind"]
    with translation.override("en"):
        assert "another kind of publication" in [str(label) for label in candidate.reason_labels()]


def test_a_version_already_stored_is_no_new_version(stored):
    PublicationVersion.objects.create(
        publication=stored, kind=Publication.Kind.PREPRINT, year=2012, arxiv_id=ARXIV_ID
    )
    arxiv = harvested("arxiv", ARXIV_ID, arxiv_id=ARXIV_ID, kind="preprint", year=2012)

    stage_works(researcher=None, works=[arxiv])

    assert not Candidate.objects.exists()


def test_a_new_arxiv_version_is_proposed_as_a_new_version():
    preprint = PublicationFactory(
        title=TITLE, year=2012, kind=Publication.Kind.PREPRINT, arxiv_id=ARXIV_ID, venue=""
    )
    first = harvested(
        "arxiv", ARXIV_ID, arxiv_id=ARXIV_ID, arxiv_version="v1", kind="preprint", year=2012
    )
    stage_works(researcher=None, works=[first])
    assert not Candidate.objects.exists()

    second = dataclasses.replace(first, arxiv_version="v2", payload={"version": "v2"})
    stage_works(researcher=None, works=[second])

    candidate = Candidate.objects.get()
    assert (candidate.relation, candidate.publication) == (Candidate.Relation.NEW_VERSION, preprint)
    assert candidate.reasons == ["arxiv_version"]


def test_a_title_alone_makes_a_suspected_duplicate_with_reasons_and_a_score():
    author = AuthorFactory(display_name="Razvan Pascanu", family_name="Pascanu")
    stored = publication_with_authors(
        [author], title=TITLE, year=2013, kind=Publication.Kind.CONFERENCE_PAPER, venue=""
    )
    dblp = harvested("dblp", DBLP_KEY, title=TITLE + ".", dblp_key=DBLP_KEY)

    stage_works(researcher=None, works=[dblp])

    candidate = Candidate.objects.get()
    assert candidate.relation == Candidate.Relation.DUPLICATE
    assert candidate.publication == stored
    assert candidate.reasons == ["same_title", "same_year", "same_first_author", "same_kind"]
    assert candidate.score == 0.9


def test_a_look_alike_with_another_doi_is_a_less_likely_duplicate():
    PublicationFactory(title=TITLE, year=2014, doi="10.1000/other", kind="article", venue="")
    crossref = harvested("crossref", DOI, doi=DOI)

    stage_works(researcher=None, works=[crossref])

    candidate = Candidate.objects.get()
    assert candidate.reasons == ["same_title", "year_apart", "different_identifiers"]
    assert 0 <= candidate.score < 0.5


def test_a_pending_work_that_becomes_stored_unchanged_is_withdrawn():
    stage_works(researcher=None, works=[harvested("crossref", DOI, doi=DOI, venue="ICML")])
    PublicationFactory(title=TITLE, year=2013, doi=DOI, venue="ICML", kind="inproceedings")

    report = stage_works(
        researcher=None, works=[harvested("crossref", DOI, doi=DOI, venue="ICML", pages="")]
    )

    assert report.withdrawn == 1
    assert not Candidate.objects.exists()
    assert CandidateSource.objects.get().publication is not None


# As the adapters read the sources -------------------------------------------------------


def test_works_as_the_adapters_read_them_are_staged_and_completed(source_server, stored_body):
    """OpenAlex's answer and Crossref's, served from a local server: a new thesis, and a stored
    article that Crossref knows was corrected then retracted."""
    server = source_server("openalex")
    source_server("crossref")
    server.expect_request(
        "/works",
        query_string={
            "filter": "author.id:A5001234567",
            "per-page": "200",
            "cursor": "*",
            "mailto": "directory@example.org",
        },
    ).respond_with_json(stored_body("openalex/works-page-3.json"))
    server.expect_request(
        "/works/10.5555/jmlr.2020.0006", query_string={"mailto": "directory@example.org"}
    ).respond_with_json(stored_body("crossref/work-retracted.json"))
    stored = PublicationFactory(
        title="A large study of sparse training",
        year=2020,
        doi="10.5555/jmlr.2020.0006",
        kind="article",
        venue="JMLR",
    )
    adapters = {"openalex": OpenAlexSource(), "crossref": CrossrefSource()}
    errors = []
    works = list(adapters["openalex"].works_of(Person(openalex_id="A5001234567")))
    works += completions(works, adapters, errors)
    for adapter in adapters.values():
        adapter.close()

    report = stage_works(researcher=None, works=works)

    assert errors == []
    assert (report.found, report.new, report.citations_updated) == (3, 2, 1)
    thesis = Candidate.objects.get(relation=Candidate.Relation.NEW_WORK)
    assert thesis.title == "Apprentissage profond de réseaux récurrents"
    retracted = Candidate.objects.get(publication=stored)
    assert retracted.relation == Candidate.Relation.CHANGED_FIELDS
    assert retracted.is_retraction
    assert sorted(retracted.sources.values_list("source", flat=True)) == ["crossref", "openalex"]
    notices = next(entry for entry in retracted.diff if entry["field"] == "notices")
    assert notices["proposed"] == [
        {"kind": "correction", "doi": "10.5555/jmlr.2021.notice-12", "date": "2021-02-01"},
        {"kind": "retraction", "doi": "10.5555/jmlr.2022.retraction-3", "date": "2022-05-17"},
    ]
    stored.refresh_from_db()
    assert stored.cited_by_count == 15


# Bad input -------------------------------------------------------------------------------


def test_what_the_database_cannot_hold_is_cleaned_or_left_out():
    hostile = harvested(
        "openalex",
        OPENALEX_ID,
        title="A title\x00 with\x07 controls",
        doi="not a doi",
        year=99999,
        authors=(HarvestedAuthor("Ada\x00 Lovelace"),),
        payload={"title": "A title\x00", "nested": ["\x00", {"k\x00": "v"}]},
    )
    untitled = harvested("orcid", "789", title="  ")

    with translation.override("en"):
        report = stage_works(researcher=None, works=[hostile, untitled])

    candidate = Candidate.objects.get()
    assert candidate.title == "A title with controls"
    assert (candidate.doi, candidate.year) == ("", None)
    assert candidate.fields["authors"][0]["name"] == "Ada Lovelace"
    assert CandidateSource.objects.get().payload == {"title": "A title", "nested": ["", {"k": "v"}]}
    assert report.problems == ["orcid: a work without a title or a usable id was left out (789)."]


# Cost ------------------------------------------------------------------------------------


def staging_queries(count: int, prefix: str) -> int:
    """The queries staging ``count`` works costs: each a stored publication with a citation
    count to refresh, every other one with a new volume to propose, each from two sources."""
    works = []
    for number in range(count):
        doi, title = f"10.1000/{prefix}.{number}", f"{prefix} study number {number}"
        PublicationFactory(title=title, year=2020, doi=doi, kind="article", venue="Nature")
        fields = {"title": title, "year": 2020, "kind": "article", "doi": doi, "venue": "Nature"}
        volume = str(number) if number % 2 else ""
        works += [
            harvested(
                "openalex",
                f"W9{prefix}{number}".replace("w", "1"),
                cited_by_count=number,
                counts_by_year={2024: number},
                **fields,
            ),
            harvested("crossref", doi, volume=volume, **fields),
        ]
    with CaptureQueriesContext(connection) as queries:
        report = stage_works(researcher=ResearcherFactory(), works=works)
    assert report.new == count // 2
    assert report.citations_updated == count
    return len(queries)


def test_staging_costs_as_many_queries_for_fifty_works_as_for_five():
    assert staging_queries(5, "w") == staging_queries(50, "ww")
