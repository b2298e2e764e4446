"""ORCID's public API (v3.0): the works a researcher's ORCID record lists.

The record's works come in groups, one group per work, holding every version ORCID grouped by a
shared identifier (the DOI a publisher sent, the arXiv id the researcher added by hand...). One
version of each group is read: the preferred one, which the researcher chose and ORCID lists
with the highest display index. Summaries carry no contributors nor abstract, so the preferred
versions are then read in full, a hundred per request (ORCID's bulk read).

A work ORCID cannot give in full (the bulk answer holds an error in its place) is left out and
named in ``OrcidSource.skipped`` (and in the log): the rest of the record is still worth
staging, and the run's report can show what was missing."""

import logging
import re
from collections.abc import Iterator
from datetime import date, datetime, timezone

from harvest.http import SourceClient
from harvest.sources.adapter import ClientAdapter
from harvest.sources.base import HarvestedAuthor, HarvestedWork, Person, SourceError
from harvest.sources.text import abstract_text, plain_line
from harvest.sources.values import arxiv_from_doi, as_int, bare_orcid, language_code
from publications.identifiers import (
    ARXIV_ID_PATTERN,
    DOI_PATTERN,
    normalize_arxiv_id,
    normalize_doi,
)
from publications.models import PublicationKind

logger = logging.getLogger(__name__)

# ORCID answers 400 to a bulk read of more put-codes than this.
PUT_CODES_PER_REQUEST = 100

# ORCID's work types (v3.0 vocabulary, older names included) onto the publication kinds.
KINDS = {
    "journal-article": PublicationKind.JOURNAL_ARTICLE,
    "conference-paper": PublicationKind.CONFERENCE_PAPER,
    "preprint": PublicationKind.PREPRINT,
    "book": PublicationKind.BOOK,
    "edited-book": PublicationKind.BOOK,
    "book-chapter": PublicationKind.BOOK_CHAPTER,
    "dissertation-thesis": PublicationKind.THESIS,
    "dissertation": PublicationKind.THESIS,
    "report": PublicationKind.REPORT,
    "working-paper": PublicationKind.REPORT,
}

_DOI_RE = re.compile(DOI_PATTERN)
_ARXIV_RE = re.compile(ARXIV_ID_PATTERN)


class OrcidSource(ClientAdapter):
    """A researcher's works from their public ORCID record (``Person.orcid``); read per person,
    it completes no work."""

    name = "orcid"

    def __init__(self, client: SourceClient | None = None):
        super().__init__(client)
        # What the last works_of() could not read, one line each ("put-code 123: ...");
        # complete once its iteration ends.
        self.skipped: list[str] = []

    def works_of(self, person: Person, *, since: date | None = None) -> Iterator[HarvestedWork]:
        """The record's works, preferred versions only; with ``since``, only the groups ORCID
        says were modified on or after that day."""
        self.skipped = []
        if not person.orcid:
            return
        orcid = _checked_orcid(person.orcid)
        body = self.client.get_json(f"/{orcid}/works")
        groups = preferred_summaries(body, since=since)
        for start in range(0, len(groups), PUT_CODES_PER_REQUEST):
            batch = groups[start : start + PUT_CODES_PER_REQUEST]
            codes = ",".join(str(_put_code(summary)) for summary, _ in batch)
            bulk = self.client.get_json(f"/{orcid}/works/{codes}")
            yield from self._works_in(bulk, batch, orcid)

    def _works_in(self, bulk, batch, orcid: str) -> Iterator[HarvestedWork]:
        """The works of one bulk answer, in the order the groups were asked for; the put-codes
        it does not hold in full are noted in ``skipped``."""
        found, errors = read_bulk(bulk)
        fetched_at = datetime.now(timezone.utc)
        for summary, group_ids in batch:
            code = _put_code(summary)
            full = found.get(code)
            if full is None:
                reason = errors.pop(0) if errors else "not in ORCID's answer"
                self._skip(orcid, code, reason)
                continue
            work = work_from_orcid(full, group_ids=group_ids, fetched_at=fetched_at)
            if work is None:
                self._skip(orcid, code, "the work has no title")
                continue
            yield work

    def _skip(self, orcid: str, code, reason: str) -> None:
        line = f"{orcid} put-code {code}: {reason}"
        self.skipped.append(line)
        logger.warning("ORCID work left out: %s", line)


def _checked_orcid(value: str) -> str:
    orcid = bare_orcid(value)
    if not orcid:
        raise SourceError(f"orcid: {value!r} is not a valid ORCID iD")
    return orcid


# Reading ORCID's answers ---------------------------------------------------------------------


def preferred_summaries(body, *, since: date | None = None) -> list[tuple[dict, list]]:
    """(preferred summary, the group's external ids) for each group of a /works answer that
    was modified since ``since`` (every group when ``since`` is None or ORCID gives no date).

    The preferred summary has the highest display index; on a tie, the first listed."""
    groups = _get(body, "group")
    if not isinstance(groups, list):
        raise SourceError("orcid: the works answer holds no list of groups")
    chosen = []
    for group in groups:
        # A put-code is a number: anything else could not be asked for in full.
        summaries = [s for s in _list(group, "work-summary") if _put_code(s) is not None]
        if not summaries or not _modified_since(group, summaries, since):
            continue
        preferred = max(summaries, key=lambda summary: as_int(summary.get("display-index")) or 0)
        chosen.append((preferred, _list(_get(group, "external-ids"), "external-id")))
    return chosen


def _modified_since(group: dict, summaries: list[dict], since: date | None) -> bool:
    if since is None:
        return True
    stamps = [_get(_get(item, "last-modified-date"), "value") for item in (group, *summaries)]
    stamps = [stamp for stamp in stamps if isinstance(stamp, int | float)]
    if not stamps:
        return True
    return datetime.fromtimestamp(max(stamps) / 1000, tz=timezone.utc).date() >= since


def read_bulk(body) -> tuple[dict, list[str]]:
    """The full works of a bulk answer by put-code, and the messages of its error items in
    the order given (ORCID lists the works by put-code, then the errors)."""
    items = _get(body, "bulk")
    if not isinstance(items, list):
        raise SourceError("orcid: the bulk answer holds no list of works")
    works, errors = {}, []
    for item in items:
        work = _get(item, "work")
        if _put_code(work) is not None:
            works[_put_code(work)] = work
        else:
            error = _get(item, "error")
            errors.append(
                str(_get(error, "developer-message") or _get(error, "user-message") or "error")
            )
    return works, errors


def work_from_orcid(
    work: dict, *, group_ids: list | None = None, fetched_at: datetime | None = None
) -> HarvestedWork | None:
    """One full ORCID work as a HarvestedWork; None when it has no put-code or no title.

    The work's own identifiers come first; the group's fill in a DOI or an arXiv id the
    preferred version lacks (ORCID grouped them because they name the same work)."""
    code = _put_code(work)
    title = plain_line(_value(_get(_get(work, "title"), "title")))
    if code is None or not title:
        return None
    doi, arxiv_id = _identifiers(_list(_get(work, "external-ids"), "external-id"))
    group_doi, group_arxiv_id = _identifiers(group_ids or [])
    published = _get(work, "publication-date")
    authors, editors = _contributors(work)
    return HarvestedWork(
        source="orcid",
        source_id=str(code),
        title=title,
        year=as_int(_value(_get(published, "year"))),
        month=_month(_value(_get(published, "month"))),
        kind=_kind(work.get("type")),
        authors=authors,
        editors=editors,
        venue=plain_line(_value(work.get("journal-title"))),
        abstract=abstract_text(str(work.get("short-description") or "")),
        language=language_code(work.get("language-code")),
        doi=doi or group_doi,
        arxiv_id=arxiv_id or group_arxiv_id,
        url=_value(work.get("url")),
        payload=work,
        fetched_at=fetched_at,
    )


def _put_code(item) -> int | None:
    return as_int(_get(item, "put-code"))


def _get(item, key):
    """``item[key]`` when ``item`` is a mapping that has it: ORCID writes null for an absent
    part, and a body that is not what the schema says must not crash the run."""
    return item.get(key) if isinstance(item, dict) else None


def _list(item, key) -> list:
    value = _get(item, key)
    return value if isinstance(value, list) else []


def _value(field) -> str:
    """The text of an ORCID {"value": ...} field, or ""."""
    value = _get(field, "value")
    return "" if value is None else str(value).strip()


def _month(text: str) -> int | None:
    month = as_int(text)
    return month if month and 1 <= month <= 12 else None


def _kind(value) -> str:
    # Some clients write the enum's name (JOURNAL_ARTICLE) rather than its value.
    key = str(value or "").strip().lower().replace("_", "-")
    return KINDS.get(key, PublicationKind.OTHER)


def _identifiers(external_ids: list) -> tuple[str, str]:
    """The first valid DOI and arXiv id among ORCID external ids.

    A DOI counts when it names the work itself ("self"), not a journal it is part of nor
    another version. An arXiv id names the work itself, is read from arXiv's own DOI
    (10.48550/arXiv.<id>), or, failing those, names the preprint of this work ("version-of")."""
    dois, arxiv_ids, preprint_ids = [], [], []
    for external in external_ids:
        kind = str(_get(external, "external-id-type") or "").lower()
        relation = str(_get(external, "external-id-relationship") or "self").lower()
        value = str(_get(external, "external-id-value") or "")
        if kind == "doi" and relation == "self":
            dois.append(_doi(value))
        elif kind == "arxiv" and relation in {"self", "version-of"}:
            (arxiv_ids if relation == "self" else preprint_ids).append(_arxiv_id(value))
    arxiv_ids += [arxiv_from_doi(doi)[0] for doi in dois]
    return _first(dois), _first(arxiv_ids + preprint_ids)


def _first(values: list[str]) -> str:
    return next((value for value in values if value), "")


def _doi(value: str) -> str:
    doi = normalize_doi(value)
    return doi if _DOI_RE.match(doi) else ""


def _arxiv_id(value: str) -> str:
    arxiv_id = normalize_arxiv_id(value)
    return arxiv_id if _ARXIV_RE.match(arxiv_id) else ""


def _contributors(work: dict) -> tuple[tuple[HarvestedAuthor, ...], tuple[HarvestedAuthor, ...]]:
    """Authors and editors, each in the order the record lists them."""
    authors, editors = [], []
    for contributor in _list(_get(work, "contributors"), "contributor"):
        name = plain_line(_value(_get(contributor, "credit-name")))
        if not name:
            continue
        orcid = bare_orcid(str(_get(_get(contributor, "contributor-orcid"), "path") or ""))
        role = _get(_get(contributor, "contributor-attributes"), "contributor-role")
        person = HarvestedAuthor(name=name, orcid=orcid)
        (editors if str(role or "").lower() == "editor" else authors).append(person)
    return tuple(authors), tuple(editors)
