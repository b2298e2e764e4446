"""What a harvested work would change in the stored data: nothing, a new work, a new version of a
stored publication, changed fields of one, or a suspected duplicate of one."""

import re
from dataclasses import dataclass, field

from core.text import fold, name_key, title_key
from publications.models import Publication, PublicationKind, PublicationNotice, PublicationVersion
from publications.services.matching import IDENTIFIERS, WorkIndex, WorkKeys, same_version

from ..models import Candidate
from ..sources.base import HarvestedWork
from .works import MergedWork, arxiv_version_number

Relation = Candidate.Relation
Reason = Candidate.Reason

# Fields a source may correct: a proposal when its value differs from the stored one.
REPLACEABLE_FIELDS = (
    "title",
    "year",
    "month",
    "venue",
    "volume",
    "issue",
    "pages",
    "publisher",
    *IDENTIFIERS,
)
# Fields a source may only fill in: another landing page or another rendering of the abstract
# is no correction of the stored one.
FILL_ONLY_FIELDS = ("abstract", "url", "pdf_url")
# The notices of a work, as the publication model keeps them; other kinds of update (a new
# edition, an addendum) are no notice a page shows.
NOTICE_KINDS = {
    "retraction": PublicationNotice.Kind.RETRACTION,
    "withdrawal": PublicationNotice.Kind.WITHDRAWAL,
    "removal": PublicationNotice.Kind.WITHDRAWAL,
    "correction": PublicationNotice.Kind.CORRECTION,
    "erratum": PublicationNotice.Kind.CORRECTION,
    "corrigendum": PublicationNotice.Kind.CORRECTION,
    "expression_of_concern": PublicationNotice.Kind.EXPRESSION_OF_CONCERN,
}
# How a suspected duplicate is scored: a title in common to start with, then what else agrees.
DUPLICATE_WEIGHTS = {
    Reason.SAME_TITLE: 0.4,
    Reason.SAME_YEAR: 0.2,
    Reason.YEAR_APART: 0.05,
    Reason.SAME_FIRST_AUTHOR: 0.2,
    Reason.SAME_KIND: 0.1,
    Reason.SAME_VENUE: 0.1,
    Reason.DIFFERENT_IDENTIFIERS: -0.3,
}
_DASHES = re.compile(r"\s*[-‐‑‒–—―]+\s*")


@dataclass
class Proposal:
    """What a candidate proposes."""

    relation: str
    publication: Publication | None = None
    diff: list[dict] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    score: float | None = None
    is_retraction: bool = False


@dataclass
class StoredDetails:
    """What is read, in one query each for all the works of a batch, about the stored
    publications they match: other versions, locked fields, notices, first authors, rejected
    proposals, and identifiers held."""

    versions: dict[int, list[PublicationVersion]] = field(default_factory=dict)
    locked: dict[int, set[str]] = field(default_factory=dict)
    notices: dict[int, set[tuple[str, str]]] = field(default_factory=dict)
    first_authors: dict[int, str] = field(default_factory=dict)  # family name's matching key
    rejected: dict[int, set[str]] = field(default_factory=dict)
    # (identifier, value) -> the publication holding it, among those read.
    holders: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass
class Match:
    """The stored publication a work is a record of, and whether an identifier says so (or only
    its title)."""

    publication: Publication | None = None
    by_identifier: bool = False


def match(merged: MergedWork, index: WorkIndex[Publication]) -> Match:
    """The stored publication ``merged`` is a record of: by an identifier of any of its records
    first, by its title within a year otherwise."""
    keys = merged.keys
    for keys_of_record in keys:
        if (publication := index.find_by_identifier(keys_of_record)) is not None:
            return Match(publication, by_identifier=True)
    return Match(index.find_any(keys))


def propose(
    merged: MergedWork, found: Match, details: StoredDetails, previous_arxiv_version: str
) -> Proposal | None:
    """What ``merged`` proposes, or None when it brings nothing new."""
    if found.publication is None:
        return Proposal(Relation.NEW_WORK, is_retraction=bool(retractions(merged.work)))
    if not found.by_identifier:
        return duplicate_proposal(merged, found.publication, details)
    return stored_work_proposal(merged, found.publication, details, previous_arxiv_version)


def stored_work_proposal(
    merged: MergedWork, publication: Publication, details: StoredDetails, previous: str
) -> Proposal | None:
    """A new version of ``publication``, or changes to its fields (and notices), or None. A
    record of one of its stored versions proposes its notices only."""
    work = merged.work
    rejected = details.rejected.get(publication.pk, set())
    notices = notice_changes(merged, publication, details)
    version = version_reasons(work, publication, details, previous)
    if version and version_proposal_key(work, version) not in rejected:
        diff = field_changes(merged, publication, details, as_version=True) + notices
        return Proposal(
            Relation.NEW_VERSION, publication, diff, version, None, proposes_retraction(diff)
        )
    # Its own version: what differs; one of its stored versions (or a version an editor
    # rejected): its notices only.
    own = field_changes(merged, publication, details) if version is None else []
    diff = [entry for entry in own + notices if entry_proposal_key(entry) not in rejected]
    if not diff:
        return None
    return Proposal(
        Relation.CHANGED_FIELDS, publication, diff=diff, is_retraction=proposes_retraction(diff)
    )


# Versions --------------------------------------------------------------------------------


def version_reasons(
    work: HarvestedWork, publication: Publication, details: StoredDetails, previous: str
) -> list[str] | None:
    """Why ``work`` is a version of ``publication``'s work that is not stored (another kind,
    another DOI, a later arXiv version than the harvest read before); an empty list when it is
    one of the publication's stored versions; None when it is the publication's own."""
    versions = details.versions.get(publication.pk, [])
    if not same_version(publication, comparable(work, publication)):
        if any(same_version(version, comparable(work, version)) for version in versions):
            return []
        reasons = []
        if work.kind not in (publication.kind, PublicationKind.OTHER):
            reasons.append(Reason.DIFFERENT_KIND.value)
        if work.doi and publication.doi and work.doi != publication.doi:
            reasons.append(Reason.DIFFERENT_IDENTIFIERS.value)
        return reasons
    newer = arxiv_version_number(work.arxiv_version) > arxiv_version_number(previous) > 0
    if newer and work.arxiv_id == publication.arxiv_id:
        return [Reason.ARXIV_VERSION.value]
    return None


def comparable(work: HarvestedWork, record) -> HarvestedWork:
    """``work`` as the version rule compares it with ``record``: a kind the sources did not
    know is the record's, and a venue is left out (sources name one venue in many ways: that is
    a changed field, not another version)."""
    kind = record.kind if work.kind == PublicationKind.OTHER else work.kind
    return HarvestedWork(
        source="", source_id="", title="", kind=kind, doi=work.doi, arxiv_id=work.arxiv_id
    )


def version_proposal_key(work: HarvestedWork, reasons: list[str]) -> str:
    """Names a proposed version, so that a rejected one is not proposed again."""
    if reasons == [Reason.ARXIV_VERSION.value]:
        return f"version:arxiv:{work.arxiv_id}{work.arxiv_version}"[:500]
    named = work.doi or work.openalex_id or work.dblp_key or fold(work.venue)
    return f"version:{work.kind}:{named}"[:500]


# Fields ----------------------------------------------------------------------------------


def field_changes(
    merged: MergedWork, publication: Publication, details: StoredDetails, *, as_version=False
) -> list[dict]:
    """The fields whose harvested value differs from the stored one: not locked (a version's
    fields are all shown), not empty in the harvest, not another publication's identifier."""
    locked = set() if as_version else details.locked.get(publication.pk, set())
    changes = []
    for name in (*REPLACEABLE_FIELDS, *FILL_ONLY_FIELDS):
        proposed, stored = getattr(merged.work, name), getattr(publication, name)
        if proposed in ("", None) or name in locked or same_value(name, stored, proposed):
            continue
        if name in FILL_ONLY_FIELDS and stored not in ("", None) and not as_version:
            continue
        if details.holders.get((name, proposed), publication.pk) != publication.pk:
            continue
        changes.append(diff_entry(merged, name, stored, proposed))
    return changes


def diff_entry(merged: MergedWork, name: str, stored: object, proposed: object) -> dict:
    source, source_id = merged.origin_of(name)
    return {
        "field": name,
        "stored": stored,
        "proposed": proposed,
        "source": source,
        "source_id": source_id,
    }


def same_value(name: str, stored: object, proposed: object) -> bool:
    """Whether two values say the same, as a reader sees it: titles and venues whatever their
    case, accents and punctuation, page ranges whatever their dash."""
    if isinstance(stored, str) and isinstance(proposed, str):
        if name == "title":
            return title_key(stored) == title_key(proposed)
        if name in ("venue", "publisher"):
            return name_key(stored) == name_key(proposed)
        if name == "pages":
            return _DASHES.sub("-", stored.strip()) == _DASHES.sub("-", proposed.strip())
        return " ".join(stored.split()) == " ".join(proposed.split())
    return stored == proposed


def entry_proposal_key(entry: dict) -> str:
    """Names one proposed change, so that a rejected one is not proposed again."""
    if entry["field"] == "notices":
        named = ",".join(sorted(f"{n['kind']}:{n['doi']}" for n in entry["proposed"]))
        return f"notices={named}"[:500]
    return f"{entry['field']}={entry['proposed']}"[:500]


# Notices ---------------------------------------------------------------------------------


def notices_of(work: HarvestedWork) -> list[dict]:
    """The notices the sources report about ``work``: its updates that a page shows, and a
    retraction when a source only flags the work as retracted."""
    notices = {}
    for update in work.updates:
        kind = NOTICE_KINDS.get(update.kind.lower().replace("-", "_").replace(" ", "_"))
        if kind is not None:
            date = update.date.isoformat() if update.date else None
            notices[(kind.value, update.doi)] = {
                "kind": kind.value,
                "doi": update.doi,
                "date": date,
            }
    retraction = PublicationNotice.Kind.RETRACTION.value
    if work.is_retracted and not any(kind == retraction for kind, _doi in notices):
        notices[(retraction, "")] = {"kind": retraction, "doi": "", "date": None}
    return list(notices.values())


def proposes_retraction(diff: list[dict]) -> bool:
    retraction = PublicationNotice.Kind.RETRACTION
    return any(
        notice["kind"] == retraction
        for entry in diff
        if entry["field"] == "notices"
        for notice in entry["proposed"]
    )


def retractions(work: HarvestedWork) -> list[dict]:
    return [n for n in notices_of(work) if n["kind"] == PublicationNotice.Kind.RETRACTION]


def notice_changes(
    merged: MergedWork, publication: Publication, details: StoredDetails
) -> list[dict]:
    """The notices ``publication`` does not record yet, as one change (none when locked)."""
    if "notices" in details.locked.get(publication.pk, set()):
        return []
    stored = details.notices.get(publication.pk, set())
    stored_kinds = {kind for kind, _doi in stored}
    new = [
        notice
        for notice in notices_of(merged.work)
        if (notice["kind"], notice["doi"]) not in stored
        and not (notice["doi"] == "" and notice["kind"] in stored_kinds)
    ]
    if not new:
        return []
    stored_list = [{"kind": kind, "doi": doi} for kind, doi in sorted(stored)]
    return [diff_entry(merged, "notices", stored_list, new) | _notice_origin(merged)]


def _notice_origin(merged: MergedWork) -> dict:
    giver = next((m for m in merged.members if m.updates or m.is_retracted), merged.members[0])
    return {"source": giver.source, "source_id": giver.source_id}


# Suspected duplicates --------------------------------------------------------------------


def duplicate_proposal(
    merged: MergedWork, publication: Publication, details: StoredDetails
) -> Proposal:
    """``merged`` reads like ``publication`` (its title, within a year) but no identifier says
    it is: why it may be, or not, and how likely, from 0 to 1."""
    work = merged.work
    reasons = [Reason.SAME_TITLE]
    reasons.append(Reason.SAME_YEAR if work.year == publication.year else Reason.YEAR_APART)
    first_author = details.first_authors.get(publication.pk, "")
    if first_author and work.authors and family_key(work.authors[0]) == first_author:
        reasons.append(Reason.SAME_FIRST_AUTHOR)
    if work.kind == publication.kind:
        reasons.append(Reason.SAME_KIND)
    if work.venue and publication.venue and name_key(work.venue) == name_key(publication.venue):
        reasons.append(Reason.SAME_VENUE)
    record_keys = WorkKeys.of(publication, publication.title)
    if any(conflicting(keys, record_keys) for keys in merged.keys):
        reasons.append(Reason.DIFFERENT_IDENTIFIERS)
    score = sum(DUPLICATE_WEIGHTS[reason] for reason in reasons)
    return Proposal(
        Relation.DUPLICATE,
        publication,
        diff=field_changes(merged, publication, details, as_version=True),
        reasons=[reason.value for reason in reasons],
        score=round(min(max(score, 0.0), 1.0), 2),
        is_retraction=bool(retractions(work)),
    )


def conflicting(keys: WorkKeys, other: WorkKeys) -> bool:
    """Whether two records hold different values of one identifier."""
    return any(
        getattr(keys, n) and getattr(other, n) and getattr(keys, n) != getattr(other, n)
        for n in IDENTIFIERS
    )


def family_key(author) -> str:
    """The matching key of a signer's family name (the last word of the name when the source
    gives it whole)."""
    family = author.family_name or (author.name.split() or [""])[-1]
    return name_key(family)
