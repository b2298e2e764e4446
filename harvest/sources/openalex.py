"""OpenAlex (https://docs.openalex.org): a researcher's works by OpenAlex author id or ORCID iD.

Works are read from ``/works`` filtered on the author, 200 a page, following ``meta.next_cursor``
until it is null; one work is read from ``/works/W…`` or ``/works/doi:…``. OpenAlex keeps no
plain abstract, only an inverted index (word -> positions), which is put back word for word."""

import logging
import re
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import quote

from django.utils import timezone

from harvest.sources.adapter import ClientAdapter
from harvest.sources.base import HarvestedAuthor, HarvestedWork, Person, SourceError
from harvest.sources.text import plain_line
from harvest.sources.values import (
    arxiv_from_doi,
    arxiv_from_url,
    as_int,
    as_str,
    bare_orcid,
    language_code,
    page_range,
)
from publications.identifiers import normalize_doi

logger = logging.getLogger(__name__)

_AUTHOR_ID = re.compile(r"^A\d+$")
_WORK_ID = re.compile(r"^W\d+$")
_MONTH = re.compile(r"^\d{4}-(\d{2})")

# OpenAlex work types -> PublicationKind values; "article" depends on where it appeared.
_KINDS = {
    "article": "article",
    "review": "article",
    "preprint": "preprint",
    "posted-content": "preprint",
    "book": "book",
    "book-chapter": "incollection",
    "dissertation": "thesis",
    "report": "report",
}


def openalex_key(value: str) -> str:
    """ "https://openalex.org/A5023888391" or "a5023888391" -> "A5023888391"."""
    key = as_str(value).strip().rstrip("/").rpartition("/")[2]
    return key[:1].upper() + key[1:]


class OpenAlexSource(ClientAdapter):
    """Reads works from OpenAlex. Sends ``mailto`` (the polite pool) and, when the settings
    hold one, ``api_key``, as OpenAlex asks: both as query parameters."""

    name = "openalex"
    page_size = 200

    def works_of(self, person: Person, *, since: date | None = None) -> Iterator[HarvestedWork]:
        """Every work OpenAlex lists for the person's author id (or else ORCID iD), each once."""
        author = self._author_filter(person)
        if not author:
            return
        filters = [author] + ([f"from_updated_date:{since.isoformat()}"] if since else [])
        params = {"filter": ",".join(filters), "per-page": self.page_size, **self._polite()}
        cursor, seen_cursors, seen_works = "*", set(), set()
        while cursor:
            seen_cursors.add(cursor)
            page = self.client.get_json("works", params={**params, "cursor": cursor})
            results, cursor = _page_of(page)
            for record in results:
                work = self._read(record)
                # A work changed while the pages are read may be listed on two of them.
                if work is not None and work.openalex_id not in seen_works:
                    seen_works.add(work.openalex_id)
                    yield work
            if not results:
                break
            if cursor in seen_cursors:
                raise SourceError(f"openalex: the works of {person.name or author} page in a loop")

    def complete(self, work: HarvestedWork) -> HarvestedWork | None:
        """OpenAlex's record of ``work``, by its OpenAlex id, DOI or arXiv DOI; None if unknown."""
        path = _lookup_path(work)
        if path is None:
            return None
        record = self.client.get_json(path, params=self._polite(), missing_ok=True)
        if record is None:
            return None
        if not isinstance(record, dict):
            raise SourceError(f"openalex: GET /{path} answered something other than a work")
        return self._read(record)

    def _author_filter(self, person: Person) -> str:
        if person.openalex_id:
            key = openalex_key(person.openalex_id)
            if not _AUTHOR_ID.match(key):
                raise SourceError(
                    f"openalex: {person.openalex_id!r} is not an OpenAlex author id (A and digits)"
                )
            return f"author.id:{key}"
        if person.orcid:
            orcid = bare_orcid(person.orcid)
            if not orcid:
                raise SourceError(f"openalex: {person.orcid!r} is not a valid ORCID iD")
            return f"author.orcid:{orcid}"
        return ""

    def _polite(self) -> dict[str, str]:
        params = {}
        if self.client.contact_email:
            params["mailto"] = self.client.contact_email
        if self.client.api_key:
            params["api_key"] = self.client.api_key
        return params

    def _read(self, record: Any) -> HarvestedWork | None:
        """The work ``record`` describes, or None (and a warning) when it has no id or title."""
        record = _dict(record)
        key = openalex_key(as_str(record.get("id")))
        title = plain_line(as_str(record.get("display_name") or record.get("title")))
        if not _WORK_ID.match(key) or not title:
            logger.warning("openalex: a work without an id or a title was left out: %.200r", record)
            return None
        return work_from_record(record, openalex_id=key, title=title)


def _page_of(page: Any) -> tuple[list, str | None]:
    """The results and the next cursor of a page of ``/works``, as documented."""
    if not isinstance(page, dict) or not isinstance(page.get("results"), list):
        raise SourceError("openalex: a page of works has no list of results")
    meta = page.get("meta") if isinstance(page.get("meta"), dict) else {}
    cursor = meta.get("next_cursor")
    return page["results"], (cursor if isinstance(cursor, str) and cursor else None)


def _lookup_path(work: HarvestedWork) -> str | None:
    if work.openalex_id and _WORK_ID.match(openalex_key(work.openalex_id)):
        return f"works/{openalex_key(work.openalex_id)}"
    doi = work.doi or (f"10.48550/arxiv.{work.arxiv_id}" if work.arxiv_id else "")
    return f"works/doi:{quote(normalize_doi(doi), safe='/')}" if doi else None


def work_from_record(record: dict, *, openalex_id: str, title: str) -> HarvestedWork:
    """A HarvestedWork from one OpenAlex work object."""
    primary = _dict(record.get("primary_location"))
    biblio = _dict(record.get("biblio"))
    doi = normalize_doi(as_str(record.get("doi")))
    arxiv_id, arxiv_version = _arxiv(record, doi)
    return HarvestedWork(
        source="openalex",
        source_id=openalex_id,
        openalex_id=openalex_id,
        title=title,
        year=as_int(record.get("publication_year")),
        month=_month(record.get("publication_date")),
        kind=work_kind(record),
        authors=tuple(_authors(record.get("authorships"))),
        authors_truncated=bool(record.get("is_authors_truncated")),
        venue=plain_line(as_str(_dict(primary.get("source")).get("display_name"))),
        volume=as_str(biblio.get("volume")),
        issue=as_str(biblio.get("issue")),
        pages=page_range(as_str(biblio.get("first_page")), as_str(biblio.get("last_page"))),
        abstract=abstract_from_index(record.get("abstract_inverted_index")),
        language=language_code(record.get("language")),
        doi=doi,
        arxiv_id=arxiv_id,
        arxiv_version=arxiv_version,
        url=as_str(primary.get("landing_page_url")) or (f"https://doi.org/{doi}" if doi else ""),
        pdf_url=as_str(_dict(record.get("best_oa_location")).get("pdf_url")),
        cited_by_count=as_int(record.get("cited_by_count")),
        counts_by_year=_counts_by_year(record.get("counts_by_year")),
        is_retracted=bool(record.get("is_retracted")),
        payload=record,
        fetched_at=timezone.now(),
    )


def work_kind(record: dict) -> str:
    """The PublicationKind value of an OpenAlex work: an article in a conference's proceedings
    is a conference paper."""
    kind = _KINDS.get(as_str(record.get("type")), "misc")
    source = _dict(_dict(record.get("primary_location")).get("source"))
    if kind == "article" and source.get("type") == "conference":
        return "inproceedings"
    return kind


def abstract_from_index(index: Any) -> str:
    """The abstract an inverted index encodes: each word at each of its positions, in order,
    joined by single spaces. Words are kept exactly as OpenAlex gives them."""
    if not isinstance(index, dict):
        return ""
    placed = [
        (position, word)
        for word, positions in index.items()
        if isinstance(positions, list)
        for position in positions
        if isinstance(position, int) and not isinstance(position, bool)
    ]
    return " ".join(word for _, word in sorted(placed))


def _authors(authorships: Any) -> Iterator[HarvestedAuthor]:
    for authorship in authorships if isinstance(authorships, list) else []:
        authorship = _dict(authorship)
        author = _dict(authorship.get("author"))
        name = plain_line(as_str(author.get("display_name") or authorship.get("raw_author_name")))
        if not name:
            continue
        key = openalex_key(as_str(author.get("id")))
        yield HarvestedAuthor(
            name=name,
            orcid=bare_orcid(as_str(author.get("orcid"))),
            openalex_id=key if _AUTHOR_ID.match(key) else "",
        )


def _counts_by_year(counts: Any) -> dict[int, int]:
    result = {}
    for entry in counts if isinstance(counts, list) else []:
        year, cited = as_int(_dict(entry).get("year")), as_int(_dict(entry).get("cited_by_count"))
        if year is not None and cited is not None:
            result[year] = cited
    return dict(sorted(result.items()))


def _month(publication_date: Any) -> int | None:
    match = _MONTH.match(as_str(publication_date))
    month = int(match.group(1)) if match else 0
    return month if 1 <= month <= 12 else None


def _arxiv(record: dict, doi: str) -> tuple[str, str]:
    """The arXiv id and version a work's DOI or one of its locations names, if any."""
    found = arxiv_from_doi(doi)
    if found[0]:
        return found
    locations = record.get("locations") if isinstance(record.get("locations"), list) else []
    for location in [_dict(record.get("primary_location")), *map(_dict, locations)]:
        for url in (location.get("landing_page_url"), location.get("pdf_url")):
            found = arxiv_from_url(as_str(url))
            if found[0]:
                return found
    return "", ""


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}
