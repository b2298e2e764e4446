"""What the harvest stores, and what it reads on publications: each invariant is held by the
database, and the runs and candidates can be read in the admin."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from harvest.models import Candidate, CandidateSource, HarvestRun, Rejection
from publications.models import (
    FieldSource,
    PublicationCitationYear,
    PublicationNotice,
)
from tests.factories import PublicationFactory, ResearcherFactory

pytestmark = pytest.mark.django_db


def refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def candidate(**fields) -> Candidate:
    return Candidate.objects.create(title="A work", relation=Candidate.Relation.NEW_WORK, **fields)


# Candidates, their sources, rejections -----------------------------------------------------


def test_a_candidate_s_likelihood_is_between_0_and_1():
    candidate(score=0)
    candidate(score=1)

    refused(lambda: candidate(score=1.5))
    refused(lambda: candidate(score=-0.1))


def test_a_candidate_has_a_known_status_and_relation():
    refused(lambda: candidate(status="maybe"))
    refused(lambda: Candidate.objects.create(title="A work", relation="sequel"))


def test_a_source_record_is_stored_once():
    row = {
        "source": "openalex",
        "source_id": "W1",
        "payload_hash": "x",
        "fetched_at": timezone.now(),
    }
    CandidateSource.objects.create(**row)
    CandidateSource.objects.create(**{**row, "source": "crossref"})

    refused(lambda: CandidateSource.objects.create(**row))


def test_a_rejected_proposal_about_a_publication_is_named_and_stored_once():
    publication = PublicationFactory()
    Rejection.objects.create(publication=publication, proposal="volume=28")
    Rejection.objects.create(doi="10.1000/x")  # a work: no publication, no proposal
    Rejection.objects.create(doi="10.1000/x")

    refused(lambda: Rejection.objects.create(publication=publication, proposal=""))
    refused(lambda: Rejection.objects.create(publication=publication, proposal="volume=28"))


def test_the_reasons_of_a_candidate_read_in_the_active_language():
    suspect = candidate(reasons=["same_title", "same_first_author"])

    with translation.override("en"):
        assert suspect.reason_labels() == ["the same title", "the same first author"]


def test_a_run_counts_its_errors():
    run = HarvestRun.objects.create(
        summary={"orcid": {"errors": ["down"]}, "openalex": {"errors": ["slow", "down"]}}
    )

    assert run.error_count == 3


# What the harvest reads on publications ------------------------------------------------------


def test_one_citation_count_per_publication_and_year():
    publication = PublicationFactory()
    PublicationCitationYear.objects.create(publication=publication, year=2024, count=3)

    refused(
        lambda: PublicationCitationYear.objects.create(publication=publication, year=2024, count=4)
    )
    refused(
        lambda: PublicationCitationYear.objects.create(publication=publication, year=1500, count=1)
    )


def test_a_notice_is_recorded_once_with_a_valid_doi_and_kind():
    publication = PublicationFactory()
    notice = PublicationNotice.objects.create(
        publication=publication,
        kind=PublicationNotice.Kind.RETRACTION,
        doi="10.1000/retraction",
        date=date(2024, 5, 2),
    )

    refused(
        lambda: PublicationNotice.objects.create(
            publication=publication, kind="retraction", doi="10.1000/retraction"
        )
    )
    refused(lambda: PublicationNotice.objects.create(publication=publication, kind="rumour"))
    refused(
        lambda: PublicationNotice.objects.create(
            publication=publication, kind="correction", doi="not a doi"
        )
    )
    assert publication.is_retracted
    assert notice.doi_url == "https://doi.org/10.1000/retraction"
    with translation.override("en"):
        assert str(notice) == "Retraction (2024-05-02)"


def test_a_publication_without_a_retraction_notice_is_not_retracted():
    publication = PublicationFactory()
    PublicationNotice.objects.create(publication=publication, kind="correction")

    assert not publication.is_retracted


def test_one_field_source_per_publication_and_field():
    publication = PublicationFactory()
    FieldSource.objects.create(publication=publication, field_name="title", origin="editor")

    refused(
        lambda: FieldSource.objects.create(
            publication=publication, field_name="title", origin="import"
        )
    )
    refused(
        lambda: FieldSource.objects.create(
            publication=publication, field_name="venue", origin="rumour"
        )
    )


# The admin: to read, not to edit ------------------------------------------------------------


@pytest.mark.parametrize("model_name", ["harvestrun", "candidate"])
def test_the_runs_and_candidates_are_listed_and_not_edited(admin_client, model_name):
    HarvestRun.objects.create(researcher=ResearcherFactory(), sources=["orcid"])
    shown = candidate(researcher=ResearcherFactory(), publication=PublicationFactory())

    listing = admin_client.get(reverse(f"admin:harvest_{model_name}_changelist"))
    adding = admin_client.get(reverse(f"admin:harvest_{model_name}_add"))

    assert listing.status_code == 200
    assert adding.status_code == 403
    if model_name == "candidate":
        assert shown.title in listing.content.decode()
        page = admin_client.get(reverse("admin:harvest_candidate_change", args=[shown.pk]))
        assert page.status_code == 200
        assert 'name="title"' not in page.content.decode()  # shown, not editable
