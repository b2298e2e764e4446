"""An editor's decisions on candidates: accepting one (acceptance.py does the writing), and
rejecting one, which the harvest remembers: a rejected work or proposal is never proposed
again."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from publications.services.matching import WorkKeys

from ..models import Candidate, Rejection
from .acceptance import (
    AcceptanceReport,
    candidate_accept_fields,
    candidate_accept_new,
    candidate_accept_version,
)
from .comparison import entry_proposal_key, version_proposal_key
from .works import work_from_json, work_keys

__all__ = [
    "AcceptanceReport",
    "BulkReport",
    "candidate_accept_fields",
    "candidate_accept_new",
    "candidate_accept_version",
    "candidate_reject",
    "candidates_accept_new",
    "candidates_reject",
]


@transaction.atomic
def candidate_reject(
    *, candidate: Candidate, user: AbstractBaseUser | None = None
) -> list[Rejection]:
    """Reject ``candidate``. A new work or a suspected duplicate is remembered by every key of
    its records (whichever source brings it back, it is skipped); a new version or changed
    fields of a stored publication, by what was proposed (another version, or other values,
    are still proposed)."""
    about_stored = candidate.relation in (
        Candidate.Relation.NEW_VERSION,
        Candidate.Relation.CHANGED_FIELDS,
    )
    if about_stored and candidate.publication_id is not None:
        rows = [
            Rejection(publication_id=candidate.publication_id, proposal=proposal)
            for proposal in rejected_proposals(candidate)
        ]
    else:
        rows = [Rejection(**_key_columns(keys)) for keys in rejected_keys(candidate)]
    now = timezone.now()
    for row in rows:
        row.title, row.candidate, row.rejected_by, row.rejected_at = (
            candidate.title[:500],
            candidate,
            user,
            now,
        )
    Rejection.objects.bulk_create(rows, ignore_conflicts=True)
    candidate.status = Candidate.Status.REJECTED
    candidate.save(update_fields=["status", "updated_at"])
    return rows


def rejected_proposals(candidate: Candidate) -> list[str]:
    if candidate.relation == Candidate.Relation.NEW_VERSION:
        return [version_proposal_key(work_from_json(candidate.fields), candidate.reasons)]
    return list(dict.fromkeys(entry_proposal_key(entry) for entry in candidate.diff))


def rejected_keys(candidate: Candidate) -> list[WorkKeys]:
    """The keys of the candidate's work and of each of its records, each set once."""
    keys = [
        WorkKeys(
            candidate.doi,
            candidate.arxiv_id,
            candidate.title_key,
            candidate.year or 0,
            candidate.openalex_id,
            candidate.dblp_key,
        )
    ]
    keys += [work_keys(work_from_json(row.fields)) for row in candidate.sources.exclude(fields={})]
    return list(dict.fromkeys(keys))


def _key_columns(keys: WorkKeys) -> dict:
    return {
        "doi": keys.doi,
        "arxiv_id": keys.arxiv_id,
        "openalex_id": keys.openalex_id,
        "dblp_key": keys.dblp_key,
        "title_key": keys.title_key[:500],
        "year": keys.year or None,
    }


# Decisions on many candidates at once ----------------------------------------------------


@dataclass
class BulkReport:
    """What a decision on many candidates did: those decided, those left as they were (not
    new works, or already decided), and why each that could not be accepted was refused."""

    done: list[Candidate] = field(default_factory=list)
    skipped: list[Candidate] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def candidates_accept_new(
    *, candidates: Iterable[Candidate], user: AbstractBaseUser | None = None
) -> BulkReport:
    """Accept each new work among ``candidates`` as a draft publication, each in a transaction
    of its own: one that cannot be stored is named in the report and the others are kept."""
    report = BulkReport()
    for candidate in candidates:
        if not _is_open_new_work(candidate):
            report.skipped.append(candidate)
            continue
        try:
            candidate_accept_new(candidate=candidate, user=user, publish=False)
        except ValidationError as error:
            report.refused.append(f"{candidate.title}: {' '.join(error.messages)}")
        else:
            report.done.append(candidate)
    return report


@transaction.atomic
def candidates_reject(
    *, candidates: Iterable[Candidate], user: AbstractBaseUser | None = None
) -> BulkReport:
    """Reject each candidate still to review among ``candidates``, in one transaction."""
    report = BulkReport()
    for candidate in candidates:
        if candidate.status != Candidate.Status.NEW:
            report.skipped.append(candidate)
            continue
        candidate_reject(candidate=candidate, user=user)
        report.done.append(candidate)
    return report


def _is_open_new_work(candidate: Candidate) -> bool:
    return (
        candidate.status == Candidate.Status.NEW
        and candidate.relation == Candidate.Relation.NEW_WORK
    )
