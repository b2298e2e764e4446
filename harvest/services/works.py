"""Harvested works as staging reads them: cleaned of what the database cannot hold, keyed by the
one rule for "the same work", stored as JSON and read back, and merged across sources."""

import dataclasses
import json
import re
from dataclasses import dataclass, field
from datetime import date

from core.text import without_control_characters
from publications.identifiers import (
    ARXIV_ID_PATTERN,
    DOI_PATTERN,
    normalize_arxiv_id,
    normalize_doi,
)
from publications.models import (
    CITATION_RANK,
    DBLP_KEY_PATTERN,
    OPENALEX_WORK_PATTERN,
    YEAR_MAX,
    YEAR_MIN,
    PublicationKind,
)
from publications.services.matching import WorkKeys

from ..sources.base import HarvestedAuthor, HarvestedWork, Update

# Whose description of a work wins, field by field, when sources disagree: the publisher's
# deposit (Crossref), then DBLP's curated records, OpenAlex's aggregate, arXiv's preprint
# metadata, and last what researchers typed into ORCID. A source not listed comes after.
SOURCE_PRIORITY = ("crossref", "dblp", "openalex", "arxiv", "orcid")
# Whose citation counts are kept: OpenAlex counts per year too.
CITATION_PRIORITY = ("openalex", "crossref")

TEXT_FIELDS = (
    "title", "venue", "volume", "issue", "pages", "publisher", "abstract", "language", "url",
    "pdf_url", "primary_category", "arxiv_version",
)  # fmt: skip
# The fields merged by SOURCE_PRIORITY: the first source that gives a value gives it.
MERGED_FIELDS = (
    *TEXT_FIELDS, "year", "kind", "month", "doi", "arxiv_id", "openalex_id", "dblp_key",
)  # fmt: skip
# Fields that are not the work's description, left out of its JSON.
NOT_STORED = ("payload", "fetched_at")

_IDENTIFIER_PATTERNS = {
    "doi": re.compile(DOI_PATTERN),
    "arxiv_id": re.compile(ARXIV_ID_PATTERN),
    "openalex_id": re.compile(OPENALEX_WORK_PATTERN),
    "dblp_key": re.compile(DBLP_KEY_PATTERN),
}


def cleaned(work: HarvestedWork) -> HarvestedWork:
    """``work`` as the database can hold it: text without control characters (PostgreSQL
    refuses NUL), identifiers in their normal form or empty when malformed, a year, month and
    counts in range or none."""
    changes = {name: clean_text(getattr(work, name)) for name in TEXT_FIELDS}
    changes["title"] = " ".join(changes["title"].split())
    changes.update(
        doi=valid_identifier("doi", normalize_doi(clean_text(work.doi))),
        arxiv_id=valid_identifier("arxiv_id", normalize_arxiv_id(clean_text(work.arxiv_id))),
        openalex_id=valid_identifier("openalex_id", clean_text(work.openalex_id).strip()),
        dblp_key=valid_identifier("dblp_key", clean_text(work.dblp_key).strip()),
        year=work.year if _in_range(work.year, YEAR_MIN, YEAR_MAX) else None,
        month=work.month if _in_range(work.month, 1, 12) else None,
        kind=work.kind if work.kind in PublicationKind.values else PublicationKind.OTHER,
        cited_by_count=work.cited_by_count
        if _in_range(work.cited_by_count, 0, 2**31 - 1)
        else None,
        counts_by_year={
            int(year): int(count)
            for year, count in work.counts_by_year.items()
            if _in_range(_integer(year), YEAR_MIN, YEAR_MAX) and _in_range(count, 0, 2**31 - 1)
        },
        authors=tuple(_clean_author(a) for a in work.authors),
        editors=tuple(_clean_author(a) for a in work.editors),
        source_id=clean_text(work.source_id).strip(),
    )
    return dataclasses.replace(work, **changes)


def clean_text(value: object) -> str:
    return without_control_characters(value) if isinstance(value, str) else ""


def valid_identifier(name: str, value: str) -> str:
    return value if value and _IDENTIFIER_PATTERNS[name].match(value) else ""


def _integer(value: object) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _in_range(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _clean_author(author: HarvestedAuthor) -> HarvestedAuthor:
    return HarvestedAuthor(
        name=" ".join(clean_text(author.name).split()),
        given_name=clean_text(author.given_name).strip(),
        family_name=clean_text(author.family_name).strip(),
        orcid=clean_text(author.orcid).strip(),
        openalex_id=clean_text(author.openalex_id).strip(),
    )


def work_keys(work: HarvestedWork) -> WorkKeys:
    """What identifies ``work`` by the rule that finds stored works (a title without a year is
    not compared)."""
    return WorkKeys.typed(
        title=work.title,
        year=work.year,
        doi=work.doi,
        arxiv_id=work.arxiv_id,
        openalex_id=work.openalex_id,
        dblp_key=work.dblp_key,
    )


# JSON ------------------------------------------------------------------------------------


def work_json(work: HarvestedWork) -> dict:
    """The work's description as plain JSON values (authors as objects, dates as text)."""
    values = {
        f.name: getattr(work, f.name) for f in dataclasses.fields(work) if f.name not in NOT_STORED
    }
    values["authors"] = [dataclasses.asdict(a) for a in work.authors]
    values["editors"] = [dataclasses.asdict(a) for a in work.editors]
    values["updates"] = [
        {"kind": u.kind, "doi": u.doi, "date": u.date.isoformat() if u.date else None}
        for u in work.updates
    ]
    values["counts_by_year"] = {str(year): count for year, count in work.counts_by_year.items()}
    return values


def work_from_json(values: dict) -> HarvestedWork:
    """The work :func:`work_json` described (a stored source record, read back)."""
    names = {f.name for f in dataclasses.fields(HarvestedWork)} - set(NOT_STORED)
    known = {name: value for name, value in values.items() if name in names}
    known["authors"] = tuple(HarvestedAuthor(**a) for a in values.get("authors", ()))
    known["editors"] = tuple(HarvestedAuthor(**a) for a in values.get("editors", ()))
    known["updates"] = tuple(
        Update(
            kind=u["kind"], doi=u["doi"], date=date.fromisoformat(u["date"]) if u["date"] else None
        )
        for u in values.get("updates", ())
    )
    known["counts_by_year"] = {int(y): n for y, n in values.get("counts_by_year", {}).items()}
    return HarvestedWork(**known)


def payload_json(payload: object) -> object:
    """What a source said, as JSON the database can hold: unknown types as text, and no
    control characters in any string."""
    return _without_controls(json.loads(json.dumps(payload, default=str)))


def _without_controls(value: object) -> object:
    if isinstance(value, str):
        return without_control_characters(value)
    if isinstance(value, list):
        return [_without_controls(item) for item in value]
    if isinstance(value, dict):
        return {_without_controls(k): _without_controls(v) for k, v in value.items()}
    return value


# Merging ---------------------------------------------------------------------------------


@dataclass
class MergedWork:
    """The records of one work from several sources, and the work as they describe it
    together: each field from the first source, by SOURCE_PRIORITY, that gives it."""

    members: list[HarvestedWork]
    work: HarvestedWork = field(init=False)
    # The source record each field's value was taken from: {"venue": ["crossref", "10.1/x"]}.
    origins: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.members = sorted(self.members, key=_precedence)
        self.work, self.origins = _merged(self.members)

    @property
    def keys(self) -> list[WorkKeys]:
        return [work_keys(member) for member in self.members]

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(member.source for member in self.members))

    def origin_of(self, name: str) -> tuple[str, str]:
        source, source_id = self.origins.get(name, ("", ""))
        return source, source_id


def _precedence(work: HarvestedWork) -> tuple[int, int]:
    """Sources by priority; within a source, the most final version first (a journal article
    before its preprint)."""
    rank = SOURCE_PRIORITY.index(work.source) if work.source in SOURCE_PRIORITY else 99
    return rank, -CITATION_RANK.get(work.kind, 0)


def _empty(value: object) -> bool:
    return value in ("", None, (), {}) or (value == PublicationKind.OTHER)


def _merged(members: list[HarvestedWork]) -> tuple[HarvestedWork, dict[str, list[str]]]:
    values: dict[str, object] = {}
    origins: dict[str, list[str]] = {}
    for name in (*MERGED_FIELDS, "authors", "editors"):
        giver = next((m for m in members if not _empty(getattr(m, name))), None)
        if giver is not None:
            values[name] = getattr(giver, name)
            origins[name] = [giver.source, giver.source_id]
    values["authors_truncated"] = any(
        m.authors_truncated for m in members if m.authors == values.get("authors")
    )
    values["arxiv_version"] = max(
        (m.arxiv_version for m in members), key=arxiv_version_number, default=""
    )
    values["is_retracted"] = any(m.is_retracted for m in members)
    values["updates"] = tuple({(u.kind, u.doi): u for m in members for u in m.updates}.values())
    counted = sorted(members, key=_citation_precedence)
    if counter := next((m for m in counted if m.cited_by_count is not None), None):
        values["cited_by_count"] = counter.cited_by_count
        values["counts_by_year"] = counter.counts_by_year
        origins["cited_by_count"] = [counter.source, counter.source_id]
    work = HarvestedWork(source="", source_id="", title=values.pop("title", ""), **values)
    return work, origins


def _citation_precedence(work: HarvestedWork) -> int:
    return CITATION_PRIORITY.index(work.source) if work.source in CITATION_PRIORITY else 99


def arxiv_version_number(version: str) -> int:
    """3 for "v3"; 0 when none is named."""
    digits = version.lower().removeprefix("v")
    return int(digits) if digits.isdigit() else 0
