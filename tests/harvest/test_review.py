"""An editor's decisions on candidates: what the database holds after accepting a new work, a
version or changed fields, and after rejecting one; each decision is recorded in the history."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from reversion.models import Version

from harvest.models import Candidate, Rejection
from harvest.services.review import (
    candidate_accept_fields,
    candidate_accept_new,
    candidate_accept_version,
    candidate_reject,
    candidates_accept_new,
    candidates_reject,
)
from harvest.services.staging import stage_works
from harvest.sources.base import HarvestedAuthor, Update
from publications.models import (
    Author,
    FieldOrigin,
    FieldSource,
    Publication,
    PublicationCitationYear,
    PublicationNotice,
)
from publications.services.provenance import provenance_record
from tests.factories import PublicationFactory, ResearcherFactory
from tests.harvest.harvested import ARXIV_ID, DOI, OPENALEX_ID, TITLE, harvested, three_records

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """History comments and messages are written in the language of the request that made
    them: these tests read them in English."""
    with translation.override("en"):
        yield


MIKOLOV_ORCID = "0000-0002-1825-0097"


@pytest.fixture
def researcher():
    return ResearcherFactory(given_name="Razvan", family_name="Pascanu")


@pytest.fixture
def editor_user(django_user_model):
    return django_user_model.objects.create_user(username="reviewer", is_staff=True)


def staged_new_work(researcher) -> Candidate:
    records = three_records()
    records[0].authors = (
        HarvestedAuthor("Razvan Pascanu", "Razvan", "Pascanu"),
        HarvestedAuthor("Tomas Mikolov", "Tomas", "Mikolov", orcid=MIKOLOV_ORCID),
        HarvestedAuthor("Yoshua Bengio", "Yoshua", "Bengio"),
    )
    records[1].updates = (Update("correction", "10.5555/correction.1"),)
    stage_works(researcher=researcher, works=records)
    return Candidate.objects.get()


def history_comments(publication: Publication) -> list[str]:
    versions = Version.objects.get_for_object(publication)
    return [version.revision.comment for version in versions]


# A new work ------------------------------------------------------------------------------


def test_accepting_a_new_work_creates_the_publication_with_authors_identifiers_and_sources(
    researcher, editor_user
):
    candidate = staged_new_work(researcher)

    report = candidate_accept_new(candidate=candidate, user=editor_user, publish=True)

    publication = Publication.objects.get()
    assert report.created
    assert report.publication == publication
    assert (publication.title, publication.year, publication.is_published) == (TITLE, 2013, True)
    assert (publication.doi, publication.arxiv_id, publication.openalex_id) == (
        DOI,
        ARXIV_ID,
        OPENALEX_ID,
    )
    assert publication.venue == "ICML 2013"
    assert list(publication.topics.all()) == []
    authors = [a.author for a in publication.authorships.order_by("position")]
    assert [a.display_name for a in authors] == ["Razvan Pascanu", "Tomas Mikolov", "Yoshua Bengio"]
    assert authors[0].researcher == researcher
    assert authors[1].orcid == MIKOLOV_ORCID
    origins = {
        row.field_name: (row.origin, row.source, row.source_id)
        for row in FieldSource.objects.filter(publication=publication)
    }
    assert origins["venue"] == (FieldOrigin.HARVEST, "crossref", DOI)
    assert origins["abstract"] == (FieldOrigin.HARVEST, "arxiv", ARXIV_ID)
    assert origins["cited_by_count"] == (FieldOrigin.HARVEST, "openalex", OPENALEX_ID)
    assert not any(row.locked for row in FieldSource.objects.filter(publication=publication))
    assert publication.cited_by_count == 5000
    assert dict(
        PublicationCitationYear.objects.filter(publication=publication).values_list("year", "count")
    ) == {2023: 600, 2024: 700}
    assert list(publication.notices.values_list("kind", "doi")) == [
        ("correction", "10.5555/correction.1")
    ]
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.ACCEPTED
    assert candidate.publication == publication
    assert history_comments(publication) == ["Accepted from the harvest."]


def test_a_new_work_accepted_as_a_draft_is_not_published(researcher):
    candidate = staged_new_work(researcher)

    candidate_accept_new(candidate=candidate, publish=False)

    assert not Publication.objects.get().is_published


def test_an_author_with_another_orcid_is_someone_else(researcher):
    namesake = Author.objects.create(display_name="Tomas Mikolov", orcid="0000-0001-5109-3700")
    candidate = staged_new_work(researcher)

    candidate_accept_new(candidate=candidate)

    second = Publication.objects.get().authorships.get(position=2).author
    assert second != namesake
    assert second.orcid == MIKOLOV_ORCID


def test_a_work_accepted_is_not_proposed_again(researcher):
    candidate = staged_new_work(researcher)
    candidate_accept_new(candidate=candidate)

    report = stage_works(researcher=researcher, works=three_records())

    assert report.new == 0
    assert Candidate.objects.count() == 1


def test_a_candidate_decided_on_cannot_be_accepted_twice(researcher):
    candidate = staged_new_work(researcher)
    candidate_accept_new(candidate=candidate)

    with pytest.raises(ValidationError, match="already accepted"):
        candidate_accept_new(candidate=candidate)

    assert Publication.objects.count() == 1


def test_a_new_work_whose_doi_another_publication_holds_is_refused_whole(researcher):
    candidate = staged_new_work(researcher)
    PublicationFactory(title="Something else entirely", doi=DOI)

    with pytest.raises(ValidationError):
        candidate_accept_new(candidate=candidate)

    assert Publication.objects.count() == 1
    assert Author.objects.filter(orcid=MIKOLOV_ORCID).count() == 0
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.NEW


def test_a_description_that_cannot_be_read_is_refused_with_a_message():
    stage_works(researcher=None, works=[harvested("dblp", "conf/a/One", title="One")])
    candidate = Candidate.objects.get()
    Candidate.objects.filter(pk=candidate.pk).update(fields={"authors": [{"nom": "X"}]})

    with pytest.raises(ValidationError, match="cannot be read"):
        candidate_accept_new(candidate=candidate)

    assert Publication.objects.count() == 0


# Another version -------------------------------------------------------------------------


@pytest.fixture
def stored_paper() -> Publication:
    return PublicationFactory(
        title=TITLE,
        year=2013,
        kind=Publication.Kind.CONFERENCE_PAPER,
        venue="ICML 2013",
        doi=DOI,
        arxiv_id="",
    )


def test_accepting_a_version_adds_it_to_the_matched_publication(stored_paper, editor_user):
    preprint = harvested(
        "arxiv", ARXIV_ID, arxiv_id=ARXIV_ID, doi="10.48550/arxiv.1211.5063", kind="preprint",
        year=2012,
    )  # fmt: skip
    stage_works(researcher=None, works=[preprint])
    candidate = Candidate.objects.get()
    assert candidate.relation in (Candidate.Relation.NEW_VERSION, Candidate.Relation.DUPLICATE)

    report = candidate_accept_version(candidate=candidate, user=editor_user)

    version = stored_paper.versions.get()
    assert report.version == version
    assert (version.kind, version.year, version.arxiv_id) == ("preprint", 2012, ARXIV_ID)
    stored_paper.refresh_from_db()
    assert stored_paper.kind == Publication.Kind.CONFERENCE_PAPER  # still the one cited
    candidate.refresh_from_db()
    assert (candidate.status, candidate.publication) == (Candidate.Status.ACCEPTED, stored_paper)
    assert history_comments(stored_paper) == ["Version accepted from the harvest."]


def test_a_version_goes_to_the_publication_the_editor_picks(stored_paper):
    other = PublicationFactory(title="A Study Of Recurrent Training", year=2013)
    preprint = harvested("arxiv", "1301.0001", title="Other", arxiv_id="1301.0001", kind="preprint")
    stage_works(researcher=None, works=[preprint])
    candidate = Candidate.objects.get()

    candidate_accept_version(candidate=candidate, publication=other)

    assert other.versions.count() == 1
    assert stored_paper.versions.count() == 0


def test_a_version_without_a_publication_is_refused():
    stage_works(researcher=None, works=[harvested("dblp", "journals/x/Y13", title="Other")])

    with pytest.raises(ValidationError, match="Choose the publication"):
        candidate_accept_version(candidate=Candidate.objects.get())


# Changed fields --------------------------------------------------------------------------


@pytest.fixture
def changes(stored_paper) -> Candidate:
    record = harvested(
        "crossref", DOI, doi=DOI, venue="Proceedings of ICML", pages="1310-1318",
        publisher="JMLR.org", kind="inproceedings",
    )  # fmt: skip
    stage_works(researcher=None, works=[record])
    candidate = Candidate.objects.get()
    assert candidate.relation == Candidate.Relation.CHANGED_FIELDS
    assert {entry["field"] for entry in candidate.diff} >= {"venue", "publisher", "pages"}
    return candidate


def test_accepting_chosen_fields_applies_them_and_records_their_source(
    changes, stored_paper, editor_user
):
    report = candidate_accept_fields(
        candidate=changes, fields=["venue", "publisher"], user=editor_user
    )

    stored_paper.refresh_from_db()
    assert (stored_paper.venue, stored_paper.publisher) == ("Proceedings of ICML", "JMLR.org")
    assert sorted(report.applied) == ["publisher", "venue"]
    row = FieldSource.objects.get(publication=stored_paper, field_name="venue")
    assert (row.origin, row.source, row.source_id, row.user) == (
        "harvest",
        "crossref",
        DOI,
        editor_user,
    )
    assert history_comments(stored_paper) == ["Changes accepted from the harvest."]
    changes.refresh_from_db()
    assert changes.status == Candidate.Status.ACCEPTED


def test_changes_not_chosen_are_not_proposed_again(changes, stored_paper):
    candidate_accept_fields(candidate=changes, fields=["venue"])
    record = harvested(
        "crossref", DOI, doi=DOI, venue="Proceedings of ICML", pages="1310-1318",
        publisher="JMLR.org", kind="inproceedings", volume="28",
    )  # fmt: skip

    stage_works(researcher=None, works=[record])

    latest = Candidate.objects.filter(status=Candidate.Status.NEW).get()
    assert [entry["field"] for entry in latest.diff] == ["volume"]


def test_a_field_locked_since_the_proposal_is_not_applied(changes, stored_paper):
    stored_paper.venue = "ICML (edited)"
    stored_paper.save()
    provenance_record(publication=stored_paper, fields=["venue"], origin=FieldOrigin.EDITOR)

    report = candidate_accept_fields(candidate=changes, fields=["venue", "publisher"])

    stored_paper.refresh_from_db()
    assert stored_paper.venue == "ICML (edited)"
    assert stored_paper.publisher == "JMLR.org"
    assert report.locked == ["venue"]
    assert FieldSource.objects.get(publication=stored_paper, field_name="venue").origin == "editor"


def test_a_retraction_notice_is_added_when_chosen(stored_paper):
    record = harvested(
        "crossref", DOI, doi=DOI, venue="ICML 2013", kind="inproceedings", is_retracted=True,
        updates=(Update("retraction", "10.5555/retraction.1"),),
    )  # fmt: skip
    stage_works(researcher=None, works=[record])
    candidate = Candidate.objects.get()
    assert candidate.is_retraction

    candidate_accept_fields(candidate=candidate, fields=["notices"])

    assert list(PublicationNotice.objects.values_list("kind", "doi")) == [
        ("retraction", "10.5555/retraction.1")
    ]
    assert FieldSource.objects.get(publication=stored_paper, field_name="notices").source == (
        "crossref"
    )


# Rejecting -------------------------------------------------------------------------------


def test_a_rejected_work_is_never_proposed_again(researcher, editor_user):
    candidate = staged_new_work(researcher)

    candidate_reject(candidate=candidate, user=editor_user)

    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.REJECTED
    assert Rejection.objects.filter(rejected_by=editor_user).exists()
    report = stage_works(researcher=researcher, works=three_records())
    assert (report.new, Candidate.objects.count()) == (0, 1)


# Many at once ----------------------------------------------------------------------------


def two_new_works() -> list[Candidate]:
    works = [
        harvested("dblp", "conf/a/One", title="The first work", year=2020, doi="10.1234/one"),
        harvested("dblp", "conf/a/Two", title="The second work", year=2021, doi="10.1234/two"),
    ]
    stage_works(researcher=None, works=works)
    return list(Candidate.objects.filter(title__endswith=" work").order_by("title"))


def test_accepting_many_new_works_makes_drafts_and_skips_other_candidates(changes):
    candidates = [*two_new_works(), changes]

    report = candidates_accept_new(candidates=candidates)

    assert len(report.done) == 2
    assert report.skipped == [changes]
    drafts = Publication.objects.filter(is_published=False)
    assert sorted(drafts.values_list("title", flat=True)) == ["The first work", "The second work"]
    assert Candidate.objects.filter(status=Candidate.Status.NEW).get() == changes


def test_a_work_that_cannot_be_stored_is_named_and_the_others_accepted():
    first, second = two_new_works()
    PublicationFactory(title="Holder", doi="10.1234/one")

    report = candidates_accept_new(candidates=[first, second])

    assert report.done == [second]
    assert report.refused[0].startswith("The first work: ")


def test_rejecting_many_remembers_each():
    candidates = two_new_works()

    report = candidates_reject(candidates=candidates)

    assert len(report.done) == 2
    assert set(Candidate.objects.values_list("status", flat=True)) == {"rejected"}
