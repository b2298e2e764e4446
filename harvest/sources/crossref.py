"""Crossref (https://api.crossref.org): what the registration agency knows of a work by DOI.

Crossref lists no researcher's works here; it completes works other sources found: volume,
issue, pages, publisher, editors, a JATS abstract, and the notices (retractions, corrections)
that publishers and Retraction Watch attach to a work. ``/works/{doi}`` answers
``{"status": "ok", "message-type": "work", "message": {...}}``, or 404 for an unknown DOI."""

import logging
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any
from urllib.parse import quote

from django.utils import timezone

from harvest.sources.adapter import ClientAdapter
from harvest.sources.base import HarvestedAuthor, HarvestedWork, SourceError, Update
from harvest.sources.text import abstract_text, plain_line
from harvest.sources.values import (
    arxiv_from_doi,
    as_int,
    as_str,
    bare_orcid,
    language_code,
    pages_text,
)
from publications.identifiers import normalize_doi

logger = logging.getLogger(__name__)

# Crossref work types -> PublicationKind values.
_KINDS = {
    "journal-article": "article",
    "proceedings-article": "inproceedings",
    "posted-content": "preprint",
    "book-chapter": "incollection",
    "book-part": "incollection",
    "book-section": "incollection",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "report": "report",
    "dissertation": "thesis",
}
_POSTED_CONTENT_KINDS = {"report": "report", "working_paper": "report", "dissertation": "thesis"}
# Notices after which a work no longer stands.
RETRACTING_KINDS = frozenset({"retraction", "withdrawal", "removal"})
# Relations that name another version of the same work, where an arXiv preprint may be.
_VERSION_RELATIONS = ("has-preprint", "is-preprint-of", "is-version-of", "has-version")


class CrossrefSource(ClientAdapter):
    """Completes works by DOI from Crossref's REST API, in its polite pool (``mailto``). It is
    read to complete works other sources found, never for a person's works."""

    name = "crossref"

    def complete(self, work: HarvestedWork) -> HarvestedWork | None:
        """Crossref's record of the work's DOI; None when the work has no DOI or Crossref does
        not know it (a DOI of another agency, such as arXiv's DataCite DOIs)."""
        doi = normalize_doi(work.doi) if work.doi else ""
        if not doi:
            return None
        params = {"mailto": self.client.contact_email} if self.client.contact_email else None
        path = f"works/{quote(doi, safe='/')}"
        body = self.client.get_json(path, params=params, missing_ok=True)
        if body is None:
            return None
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, dict) or body.get("message-type", "work") != "work":
            raise SourceError(f"crossref: GET /{path} answered something other than a work")
        title = _title(message)
        if not title:
            logger.warning("crossref: the work %s has no title; it was left out", doi)
            return None
        return work_from_message(message, title=title, doi=doi)


def work_from_message(message: dict, *, title: str, doi: str = "") -> HarvestedWork:
    """A HarvestedWork from the ``message`` of Crossref's answer for one work (``doi``, the
    one asked for, stands in when the message names none)."""
    doi = normalize_doi(as_str(message.get("DOI"))) or doi
    year, month = _year_month(message.get("issued"))
    updates = notices(message)
    arxiv_id, arxiv_version = _arxiv(message, doi)
    return HarvestedWork(
        source="crossref",
        source_id=doi,
        doi=doi,
        title=title,
        year=year,
        month=month,
        kind=work_kind(message),
        authors=tuple(_contributors(message.get("author"))),
        editors=tuple(_contributors(message.get("editor"))),
        venue=_venue(message),
        volume=as_str(message.get("volume")),
        issue=as_str(message.get("issue")),
        pages=pages_text(as_str(message.get("page"))),
        publisher=plain_line(as_str(message.get("publisher"))),
        abstract=abstract_text(as_str(message.get("abstract"))),
        language=language_code(message.get("language")),
        arxiv_id=arxiv_id,
        arxiv_version=arxiv_version,
        url=_landing_page(message) or (f"https://doi.org/{doi}" if doi else ""),
        cited_by_count=as_int(message.get("is-referenced-by-count")),
        is_retracted=any(update.kind in RETRACTING_KINDS for update in updates),
        updates=updates,
        payload=message,
        fetched_at=timezone.now(),
    )


def work_kind(message: dict) -> str:
    """The PublicationKind value of a Crossref work. Posted content is a preprint unless its
    subtype says it is a report, a working paper or a dissertation."""
    kind = _KINDS.get(as_str(message.get("type")), "misc")
    if kind == "preprint":
        return _POSTED_CONTENT_KINDS.get(as_str(message.get("subtype")), kind)
    return kind


def notices(message: dict) -> tuple[Update, ...]:
    """The notices about this work: ``updated-by`` (from the publisher or Retraction Watch),
    and ``update-to`` entries that name the work itself (a notice published in place)."""
    own_doi = normalize_doi(as_str(message.get("DOI")))
    found = [_update(entry) for entry in _list(message.get("updated-by"))]
    found += [
        _update(entry, notice_doi=own_doi)
        for entry in _list(message.get("update-to"))
        if normalize_doi(as_str(_dict(entry).get("DOI"))) == own_doi
    ]
    return _unique(found)


def updated_works(work: HarvestedWork) -> tuple[Update, ...]:
    """When ``work`` (read from Crossref) is itself a notice, the works it updates: each
    Update's ``doi`` is then the updated work's DOI, not the notice's."""
    message = work.payload if isinstance(work.payload, dict) else {}
    own_doi = normalize_doi(as_str(message.get("DOI")))
    targets = [_update(entry) for entry in _list(message.get("update-to"))]
    return _unique(t for t in targets if t is not None and t.doi and t.doi != own_doi)


def _unique(updates: Iterable[Update | None]) -> tuple[Update, ...]:
    """Each (kind, DOI) once: the publisher and Retraction Watch often report the same notice."""
    unique: dict[tuple[str, str], Update] = {}
    for update in updates:
        if update is not None:
            unique.setdefault((update.kind, update.doi), update)
    return tuple(unique.values())


def _update(entry: Any, *, notice_doi: str = "") -> Update | None:
    """One Crossref update entry -> Update; its type written as the model's kinds are
    ("expression-of-concern" and "Expression of concern" -> "expression_of_concern")."""
    entry = _dict(entry)
    kind = "_".join(as_str(entry.get("type")).lower().replace("-", " ").split())
    if not kind:
        return None
    doi = notice_doi or normalize_doi(as_str(entry.get("DOI")))
    return Update(kind=kind, doi=doi, date=_date(entry.get("updated")))


def _title(message: dict) -> str:
    title = _first_line(message.get("title"))
    subtitle = _first_line(message.get("subtitle"))
    if subtitle and subtitle.lower() not in title.lower():
        return f"{title}: {subtitle}" if title else subtitle
    return title


def _contributors(people: Any) -> Iterator[HarvestedAuthor]:
    """Authors or editors in Crossref's order, the one marked ``"sequence": "first"`` first."""
    entries = [_dict(person) for person in _list(people)]
    entries.sort(key=lambda person: person.get("sequence") != "first")
    for person in entries:
        given = plain_line(as_str(person.get("given")))
        family = plain_line(as_str(person.get("family")))
        name = " ".join(part for part in (given, family) if part) or plain_line(
            as_str(person.get("name"))
        )
        if name:
            yield HarvestedAuthor(
                name=name,
                given_name=given,
                family_name=family,
                orcid=bare_orcid(as_str(person.get("ORCID"))),
            )


def _year_month(issued: Any) -> tuple[int | None, int | None]:
    parts = [*_date_parts(issued), None, None]
    year, month = parts[0], parts[1]
    if year is None:
        return None, None
    return year, (month if month is not None and 1 <= month <= 12 else None)


def _date(value: Any) -> date | None:
    parts = _date_parts(value)
    if len(parts) < 3 or None in parts[:3]:
        return None
    try:
        return date(parts[0], parts[1], parts[2])
    except ValueError:
        return None


def _date_parts(value: Any) -> list[int | None]:
    """``{"date-parts": [[2019, 5, 14]]}`` -> ``[2019, 5, 14]``; ``[[null]]`` -> ``[None]``."""
    parts = _list(_dict(value).get("date-parts"))
    first = _list(parts[0]) if parts else []
    return [as_int(part) for part in first]


def _arxiv(message: dict, doi: str) -> tuple[str, str]:
    """The arXiv id of the work's own arXiv DOI, or of a preprint it names as a version."""
    found = arxiv_from_doi(doi)
    if found[0]:
        return found
    relations = _dict(message.get("relation"))
    for relation in _VERSION_RELATIONS:
        for related in _list(relations.get(relation)):
            related = _dict(related)
            identifier = as_str(related.get("id"))
            if related.get("id-type") == "arxiv":
                identifier = f"10.48550/arxiv.{identifier.removeprefix('arXiv:')}"
            found = arxiv_from_doi(identifier)
            if found[0]:
                return found
    return "", ""


def _venue(message: dict) -> str:
    """The journal, proceedings or book the work appeared in. A chapter or a paper in a book
    series lists the series first and the book last: the book is what a citation names."""
    titles = [plain_line(as_str(title)) for title in _list(message.get("container-title"))]
    titles = [title for title in titles if title]
    if not titles:
        return ""
    in_a_book = _KINDS.get(as_str(message.get("type"))) in ("incollection", "inproceedings")
    return titles[-1] if in_a_book else titles[0]


def _landing_page(message: dict) -> str:
    return as_str(_dict(_dict(message.get("resource")).get("primary")).get("URL"))


def _first_line(values: Any) -> str:
    for value in _list(values):
        text = plain_line(as_str(value))
        if text:
            return text
    return ""


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}
