"""Staging: a researcher's harvested works become candidates an editor reviews, in one
transaction, at a cost per work that does not grow with the database (every look-up is one
indexed query for a whole batch of works)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from profiles.models import Researcher
from publications.models import Authorship, Publication, PublicationNotice, PublicationVersion
from publications.services.matching import (
    IDENTIFIERS,
    WorkIndex,
    WorkKeys,
    identifier_lookup,
    stored_index,
    stored_records,
)
from publications.services.provenance import locked_fields_of

from ..models import Candidate, CandidateSource, Rejection
from ..sources.base import HarvestedWork
from .citations import citations_refresh
from .comparison import Match, Proposal, StoredDetails, family_key, match, propose
from .works import (
    MergedWork,
    arxiv_version_number,
    cleaned,
    payload_json,
    work_from_json,
    work_json,
    work_keys,
)

# Works staged together: their look-ups are one query each.
BATCH = 200
SOURCE_ID_MAX_LENGTH = CandidateSource._meta.get_field("source_id").max_length
CANDIDATE_FIELDS = [
    "title", "fields", "origins", "relation", "diff", "reasons", "score", "is_retraction",
    "publication", "doi", "arxiv_id", "openalex_id", "dblp_key", "title_key", "year",
    "updated_at",
]  # fmt: skip
SOURCE_FIELDS = ["candidate", "publication", "payload_hash", "payload", "fields", "fetched_at"]


@dataclass
class SourceCounts:
    found: int = 0
    new: int = 0
    updated: int = 0


@dataclass
class StagingReport:
    """What staging did: works read, candidates created or brought up to date, works skipped
    (the same answer as before, or rejected by an editor), and publications whose citation
    counts were refreshed; per source too."""

    found: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    withdrawn: int = 0
    citations_updated: int = 0
    candidates: list[Candidate] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    by_source: dict[str, SourceCounts] = field(default_factory=dict)

    def add(self, sources: Iterable[str], name: str) -> None:
        for source in sources:
            counts = self.by_source.setdefault(source, SourceCounts())
            setattr(counts, name, getattr(counts, name) + 1)


@dataclass(eq=False)
class Staged:
    """One work of a batch (its records from this run's sources) as staging decides on it."""

    records: list[HarvestedWork]
    # Records of the same work stored from earlier runs, from sources this run did not read.
    earlier: list[HarvestedWork] = field(default_factory=list)
    merged: MergedWork | None = None
    found: Match = field(default_factory=Match)
    # Its candidates still to review, oldest first: the first is kept, the others merged in.
    open: list[Candidate] = field(default_factory=list)
    proposal: Proposal | None = None
    candidate: Candidate | None = None

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(record.source for record in self.records))


def stage_works(*, researcher: Researcher | None, works: Iterable[HarvestedWork]) -> StagingReport:
    """Stage the works the sources gave for ``researcher`` (None for a run without one), in one
    transaction.

    Records of one work (the same DOI, arXiv id, OpenAlex id or DBLP key, or title within a
    year) become one candidate with a source record each. A work is a candidate when it is
    new, a new version of a stored publication, a change to its fields (neither locked nor
    empty in the harvest) or its notices, or a suspected duplicate (its title only); a stored
    work that changed in nothing gets its citation counts refreshed and no candidate. A work
    an editor rejected is never proposed again, and an answer a source already gave (the same
    payload) is skipped."""
    report = StagingReport()
    groups = gather(usable_works(works, report))
    with transaction.atomic():
        for start in range(0, len(groups), BATCH):
            _stage_batch(researcher, groups[start : start + BATCH], report)
    return report


def usable_works(works: Iterable[HarvestedWork], report: StagingReport) -> list[HarvestedWork]:
    """The works cleaned, each source record once; a record without a title or a usable id is
    reported and left out."""
    usable: dict[tuple[str, str], HarvestedWork] = {}
    for work in works:
        work = cleaned(work)
        if not work.title or not work.source_id or len(work.source_id) > SOURCE_ID_MAX_LENGTH:
            report.problems.append(
                _("%(source)s: a work without a title or a usable id was left out (%(id)s).")
                % {"source": work.source, "id": work.source_id[:80] or "—"}
            )
            continue
        usable[(work.source, work.source_id)] = work
    for work in usable.values():
        report.found += 1
        report.add([work.source], "found")
    return list(usable.values())


def gather(works: list[HarvestedWork]) -> list[list[HarvestedWork]]:
    """The works grouped by the work they are records of, by the one rule: records that reach
    the index apart (a DOI here, an arXiv id there) are joined once a record links them."""
    index: WorkIndex[int] = WorkIndex()
    parent: list[int] = []
    groups: list[list[HarvestedWork]] = []

    def root(group: int) -> int:
        while parent[group] != group:
            group = parent[group]
        return group

    for work in works:
        keys = work_keys(work)
        found = sorted({root(group) for group in index.find_all(keys)})
        if not found:
            parent.append(len(groups))
            groups.append([])
            found = [len(groups) - 1]
        into = found[0]
        for other in found[1:]:
            parent[other] = into
            groups[into] += groups[other]
            groups[other] = []
        groups[into].append(work)
        index.add(into, keys)
    return [group for number, group in enumerate(groups) if parent[number] == number and group]


# One batch -------------------------------------------------------------------------------


def _stage_batch(researcher: Researcher | None, groups: list, report: StagingReport) -> None:
    known = known_sources(groups)
    staged = [Staged(group) for group in groups if _is_new_answer(group, known)]
    report.unchanged += len(groups) - len(staged)
    if not staged:
        return
    keys = [work_keys(record) for one in staged for record in one.records]
    publications, versions = stored_records(keys)
    index = stored_index(publications, versions)
    rejected = rejected_works(keys)
    kept = [one for one in staged if not _is_rejected(one, rejected, known)]
    report.rejected += len(staged) - len(kept)
    attach_open_candidates(kept, keys, known)
    for one in kept:
        one.merged = MergedWork(one.records + one.earlier)
        one.found = match(one.merged, index)
    details = stored_details(kept, publications, versions)
    for one in kept:
        one.proposal = propose(one.merged, one.found, details, _previous_arxiv(one, known))
    _write(researcher, kept, known, report)


def known_sources(groups: list[list[HarvestedWork]]) -> dict[tuple[str, str], CandidateSource]:
    """The stored records of these works' sources, with their candidates, in one query."""
    ids: dict[str, set[str]] = {}
    for record in (record for group in groups for record in group):
        ids.setdefault(record.source, set()).add(record.source_id)
    lookup = Q(pk__in=[])
    for source, source_ids in ids.items():
        lookup |= Q(source=source, source_id__in=source_ids)
    rows = CandidateSource.objects.filter(lookup).select_related("candidate")
    return {(row.source, row.source_id): row for row in rows}


def _is_new_answer(group: list[HarvestedWork], known: dict) -> bool:
    """Whether a source said something about the work that it had not said before."""
    for record in group:
        row = known.get((record.source, record.source_id))
        if row is None or row.payload_hash != record.payload_hash:
            return True
    return False


def identity_lookup(keys: list[WorkKeys]) -> Q:
    """Rows (candidates, rejections) holding one of the identifiers or title keys of ``keys``."""
    values = {name: {getattr(k, name) for k in keys} - {""} for name in IDENTIFIERS}
    titles = {k.title_key for k in keys} - {""}
    return identifier_lookup(values, IDENTIFIERS) | Q(title_key__in=titles)


def row_keys(row: Candidate | Rejection) -> WorkKeys:
    return WorkKeys(
        row.doi, row.arxiv_id, row.title_key, row.year or 0, row.openalex_id, row.dblp_key
    )


def rejected_works(keys: list[WorkKeys]) -> WorkIndex[Rejection]:
    """The works editors rejected that these keys may name, indexed by the one rule."""
    index: WorkIndex[Rejection] = WorkIndex()
    # Found by their keys' indexes alone; rejected proposals about publications are left out
    # here rather than in the query, where a database could prefer scanning all of them.
    for rejection in Rejection.objects.filter(identity_lookup(keys)).order_by():
        if rejection.publication_id is None:
            index.add(rejection, row_keys(rejection))
    return index


def _is_rejected(one: Staged, rejected: WorkIndex[Rejection], known: dict) -> bool:
    """Whether an editor rejected the work: by one of its keys, or its record's candidate."""
    if any(_is_rejected_work(row.candidate) for row in _known_rows(one, known)):
        return True
    return any(rejected.find(work_keys(record)) is not None for record in one.records)


def _is_rejected_work(candidate: Candidate | None) -> bool:
    """Whether ``candidate`` was a work an editor rejected (not a proposal about a stored one,
    which is rejected on its own: another may be proposed)."""
    return (
        candidate is not None
        and candidate.status == Candidate.Status.REJECTED
        and candidate.relation in (Candidate.Relation.NEW_WORK, Candidate.Relation.DUPLICATE)
    )


def attach_open_candidates(staged: list[Staged], keys: list[WorkKeys], known: dict) -> None:
    """Give each work its candidates still to review (found by a source record or by the
    rule), each candidate to one work only; and the records their other sources gave before,
    in two queries."""
    # By their keys' indexes alone, whatever their status, then those still to review: a
    # database could otherwise prefer reading every candidate to review.
    rows = Candidate.objects.filter(identity_lookup(keys)).order_by()
    candidates = {c.pk: c for c in rows if c.status == Candidate.Status.NEW}
    index: WorkIndex[Candidate] = WorkIndex()
    for candidate in sorted(candidates.values(), key=lambda c: c.pk):
        index.add(candidate, row_keys(candidate))
    claimed: set[int] = set()
    for one in staged:
        found = [row.candidate for row in _known_rows(one, known) if _is_open(row.candidate)]
        for record in one.records:
            found += index.find_all(work_keys(record))
        one.open = sorted({c.pk: c for c in found if c.pk not in claimed}.values(), key=_pk)
        claimed.update(c.pk for c in one.open)
    _attach_earlier_records(staged)


def _pk(candidate: Candidate) -> int:
    return candidate.pk


def _is_open(candidate: Candidate | None) -> bool:
    return candidate is not None and candidate.status == Candidate.Status.NEW


def _known_rows(one: Staged, known: dict) -> list[CandidateSource]:
    rows = (known.get((record.source, record.source_id)) for record in one.records)
    return [row for row in rows if row is not None]


def _attach_earlier_records(staged: list[Staged]) -> None:
    owner = {candidate.pk: one for one in staged for candidate in one.open}
    for row in CandidateSource.objects.filter(candidate__in=list(owner)).exclude(fields={}):
        one = owner[row.candidate_id]
        if (row.source, row.source_id) not in {(r.source, r.source_id) for r in one.records}:
            one.earlier.append(work_from_json(row.fields))


def _previous_arxiv(one: Staged, known: dict) -> str:
    """The latest arXiv version an earlier run read for this work."""
    versions = [row.fields.get("arxiv_version", "") for row in _known_rows(one, known)]
    return max(versions, key=arxiv_version_number, default="")


def stored_details(
    staged: list[Staged],
    publications: dict[int, Publication],
    versions: list[PublicationVersion],
) -> StoredDetails:
    """What the comparison reads about the matched publications, in one query per kind."""
    matched = [one.found.publication.pk for one in staged if one.found.publication]
    details = StoredDetails(locked=locked_fields_of(matched))
    for version in PublicationVersion.objects.filter(publication__in=matched).order_by("pk"):
        details.versions.setdefault(version.publication_id, []).append(version)
    notices = PublicationNotice.objects.filter(publication__in=matched).order_by()
    for publication_id, kind, doi in notices.values_list("publication", "kind", "doi"):
        details.notices.setdefault(publication_id, set()).add((kind, doi))
    rejections = Rejection.objects.filter(publication__in=matched).order_by()
    for publication_id, proposal in rejections.values_list("publication", "proposal"):
        details.rejected.setdefault(publication_id, set()).add(proposal)
    by_title = [one.found.publication.pk for one in staged if _by_title(one.found)]
    details.first_authors = first_authors(by_title)
    for publication in publications.values():
        for name in IDENTIFIERS:
            if value := getattr(publication, name):
                details.holders[(name, value)] = publication.pk
    for version in versions:
        if version.doi:
            details.holders.setdefault(("doi", version.doi), version.publication_id)
    return details


def _by_title(found: Match) -> bool:
    return found.publication is not None and not found.by_identifier


def first_authors(publication_ids: list[int]) -> dict[int, str]:
    """The matching key of each publication's first author's family name."""
    rows = Authorship.objects.filter(
        publication__in=publication_ids, role=Authorship.Role.AUTHOR, position=1
    ).select_related("author")
    return {row.publication_id: family_key(row.author) for row in rows}


# Writing ---------------------------------------------------------------------------------


def _write(researcher, staged: list[Staged], known: dict, report: StagingReport) -> None:
    now = timezone.now()
    created, updated, dropped = [], [], []
    for one in staged:
        if one.proposal is None:
            dropped += one.open
            report.withdrawn += len(one.open)
            report.unchanged += 0 if one.open else 1
            continue
        one.candidate = one.open[0] if one.open else Candidate(researcher=researcher)
        _describe(one.candidate, one, now)
        (updated if one.open else created).append(one)
        dropped += one.open[1:]
    Candidate.objects.bulk_create([one.candidate for one in created])
    Candidate.objects.bulk_update([one.candidate for one in updated], CANDIDATE_FIELDS)
    for one in updated:
        _merge_into_first(one)
    Candidate.objects.filter(pk__in=[candidate.pk for candidate in dropped]).delete()
    _write_sources(staged, known, {candidate.pk for candidate in dropped}, now)
    for name, done in (("new", created), ("updated", updated)):
        setattr(report, name, getattr(report, name) + len(done))
        for one in done:
            report.add(one.sources, name)
            report.candidates.append(one.candidate)
    refreshed = citations_refresh(
        [(one.found.publication, one.merged) for one in staged if one.found.by_identifier], now
    )
    report.citations_updated += len(refreshed)
    for source in refreshed:
        report.add([source], "updated")


def _describe(candidate: Candidate, one: Staged, now: datetime) -> None:
    """Fill ``candidate`` with what ``one`` proposes."""
    work, proposal = one.merged.work, one.proposal
    keys = work_keys(work)
    candidate.title = work.title[:500]
    candidate.fields = work_json(work)
    candidate.origins = one.merged.origins
    candidate.relation = proposal.relation
    candidate.diff = payload_json(proposal.diff)
    candidate.reasons = proposal.reasons
    candidate.score = proposal.score
    candidate.is_retraction = proposal.is_retraction
    candidate.publication = proposal.publication
    candidate.doi, candidate.arxiv_id = keys.doi, keys.arxiv_id
    candidate.openalex_id, candidate.dblp_key = keys.openalex_id, keys.dblp_key
    candidate.title_key, candidate.year = keys.title_key[:500], work.year
    candidate.updated_at = now


def _merge_into_first(one: Staged) -> None:
    """The other candidates of the work give their source records to the one kept."""
    if len(one.open) > 1:
        CandidateSource.objects.filter(candidate__in=one.open[1:]).update(candidate=one.candidate)


def _write_sources(staged: list[Staged], known: dict, dropped: set[int], now: datetime) -> None:
    """Each record of this run, stored or brought up to date with what its source said."""
    rows = []
    for one in staged:
        publication = one.found.publication if one.found.by_identifier else None
        for record in one.records:
            candidate = one.candidate or _earlier_candidate(record, known, dropped)
            rows.append(
                CandidateSource(
                    candidate=candidate,
                    publication=publication,
                    source=record.source,
                    source_id=record.source_id,
                    payload_hash=record.payload_hash,
                    payload=payload_json(record.payload),
                    fields=work_json(record),
                    fetched_at=record.fetched_at or now,
                )
            )
    CandidateSource.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["source", "source_id"],
        update_fields=SOURCE_FIELDS,
    )


def _earlier_candidate(record: HarvestedWork, known: dict, dropped: set[int]) -> Candidate | None:
    """The candidate a record belonged to (one an editor decided on), unless it was dropped."""
    row = known.get((record.source, record.source_id))
    if row is None or row.candidate_id is None or row.candidate_id in dropped:
        return None
    return row.candidate
