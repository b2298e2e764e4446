"""arXiv's API: what arXiv says of works another source found, read by arXiv id.

arXiv's API names no author by an identifier (only by a name, which would find namesakes), so
this source finds no work by itself: it completes works that carry an arXiv id, one at a time
(``complete``) or a hundred per request (``complete_many``). arXiv asks for one request every
three seconds; the shared client keeps that pace.

The answer is an Atom feed. An id arXiv does not know comes back as an entry with no id, or no
entry at all: that work is not completed (None). arXiv answers a malformed query with a feed
whose one entry is an error ("Error", id under /api/errors). Only ids of the right shape are
asked for; should arXiv still call one malformed ("incorrect id format for 1412.12345", as no
id of 2014 has five digits), that work is not completed and the others are asked for again
without it. Any other error raises SourceError with arXiv's message."""

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import date, datetime, timezone

from harvest.sources.adapter import ClientAdapter
from harvest.sources.base import HarvestedAuthor, HarvestedWork, SourceError
from harvest.sources.values import arxiv_from_url
from publications.identifiers import (
    ARXIV_ID_PATTERN,
    DOI_PATTERN,
    normalize_arxiv_id,
    normalize_doi,
)
from publications.models import PublicationKind

logger = logging.getLogger(__name__)

# How many ids one request asks for (max_results says as many: arXiv's default is 10).
IDS_PER_REQUEST = 100

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"

_ARXIV_RE = re.compile(ARXIV_ID_PATTERN)
_DOI_RE = re.compile(DOI_PATTERN)
_MALFORMED_ID = re.compile(r"^incorrect id format for (?P<id>\S+)$")


class ArxivQueryError(SourceError):
    """arXiv answered a query with its error entry; ``reason`` is arXiv's own message."""

    def __init__(self, reason: str):
        super().__init__(f"arxiv: the query failed: {reason}")
        self.reason = reason


class ArxivSource(ClientAdapter):
    """arXiv's record of works known by their arXiv id. It finds no person's works: its API
    cannot tell a person's works from a namesake's."""

    name = "arxiv"

    def complete(self, work: HarvestedWork) -> HarvestedWork | None:
        """arXiv's record of ``work`` (by its arXiv id), or None when the work has no valid
        arXiv id or arXiv does not know it."""
        return self.complete_many([work])[0]

    def complete_many(self, works: Iterable[HarvestedWork]) -> list[HarvestedWork | None]:
        """arXiv's record of each work, in the order given (None where ``complete`` would
        answer None), asking for up to a hundred ids per request."""
        works = list(works)
        wanted = [_arxiv_id(work.arxiv_id) for work in works]
        ids = list(dict.fromkeys(arxiv_id for arxiv_id in wanted if arxiv_id))
        found: dict[str, HarvestedWork] = {}
        for start in range(0, len(ids), IDS_PER_REQUEST):
            for harvested in self._read(ids[start : start + IDS_PER_REQUEST]):
                found.setdefault(harvested.arxiv_id, harvested)
        return [found.get(arxiv_id) if arxiv_id else None for arxiv_id in wanted]

    def _read(self, batch: list[str]) -> list[HarvestedWork]:
        """The works arXiv gives for ``batch``, without the ids it calls malformed."""
        while batch:
            response = self.client.get(
                "",
                params={"id_list": ",".join(batch), "start": 0, "max_results": len(batch)},
                accept="application/atom+xml",
            )
            try:
                return works_from_feed(response.content)
            except ArxivQueryError as error:
                malformed = _MALFORMED_ID.match(error.reason)
                if not malformed or malformed["id"] not in batch:
                    raise
                logger.warning("arXiv refuses the id %s; asking for the others", malformed["id"])
                batch = [arxiv_id for arxiv_id in batch if arxiv_id != malformed["id"]]
        return []


def _arxiv_id(value: str) -> str:
    arxiv_id = normalize_arxiv_id(value or "")
    return arxiv_id if _ARXIV_RE.match(arxiv_id) else ""


# Reading the Atom feed -----------------------------------------------------------------------


def works_from_feed(body: bytes | str) -> list[HarvestedWork]:
    """The works of an arXiv Atom feed; entries without an arXiv id (unknown ids) left out.

    Raises SourceError when the body is not an Atom feed or the feed is arXiv's error."""
    try:
        # ElementTree fetches no external entity, and the expat it runs on (2.4.1 and later)
        # refuses entity expansion bombs: an untrusted answer cannot do more than fail here.
        feed = ET.fromstring(body)  # noqa: S314
    except ET.ParseError as exc:
        raise SourceError(f"arxiv: the answer is not XML ({exc})") from None
    if feed.tag != f"{ATOM}feed":
        raise SourceError(f"arxiv: the answer is not an Atom feed (root element {feed.tag!r})")
    fetched_at = datetime.now(timezone.utc)
    works = []
    for entry in feed.findall(f"{ATOM}entry"):
        entry_id = _text(entry, f"{ATOM}id")
        if "/api/errors" in entry_id:
            raise ArxivQueryError(_text(entry, f"{ATOM}summary") or entry_id)
        work = work_from_entry(entry, fetched_at=fetched_at)
        if work is not None:
            works.append(work)
    return works


def work_from_entry(
    entry: ET.Element, *, fetched_at: datetime | None = None
) -> HarvestedWork | None:
    """One Atom entry as a HarvestedWork; None when it names no arXiv paper."""
    # http://arxiv.org/abs/2101.00001v3 or http://arxiv.org/abs/hep-th/9901001v2
    arxiv_id, version = arxiv_from_url(_text(entry, f"{ATOM}id"))
    title = _text(entry, f"{ATOM}title")
    if not arxiv_id or not title:
        return None
    published = _date(_text(entry, f"{ATOM}published"))
    journal_ref = _text(entry, f"{ARXIV}journal_ref")
    primary = entry.find(f"{ARXIV}primary_category")
    url, pdf_url = _links(entry)
    return HarvestedWork(
        source="arxiv",
        source_id=arxiv_id,
        title=title,
        year=published.year if published else None,
        month=published.month if published else None,
        # A journal reference says the work appeared in a journal: that version is described.
        kind=PublicationKind.JOURNAL_ARTICLE if journal_ref else PublicationKind.PREPRINT,
        authors=tuple(
            HarvestedAuthor(name=name)
            for author in entry.findall(f"{ATOM}author")
            if (name := _text(author, f"{ATOM}name"))
        ),
        venue=journal_ref,
        abstract=_text(entry, f"{ATOM}summary"),
        doi=_doi(_text(entry, f"{ARXIV}doi")),
        arxiv_id=arxiv_id,
        arxiv_version=version,
        primary_category=(primary.get("term") or "").strip() if primary is not None else "",
        url=url,
        pdf_url=pdf_url,
        payload=ET.tostring(entry, encoding="unicode"),
        fetched_at=fetched_at,
    )


def _text(element: ET.Element, tag: str) -> str:
    """The text of ``element``'s child ``tag``, whitespace collapsed: arXiv wraps long titles
    and abstracts over several indented lines."""
    child = element.find(tag)
    return " ".join("".join(child.itertext()).split()) if child is not None else ""


def _date(value: str) -> date | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _doi(value: str) -> str:
    # arXiv's field sometimes holds several DOIs separated by spaces: the first is the work's.
    first = value.split()[0] if value.split() else ""
    doi = normalize_doi(first)
    return doi if _DOI_RE.match(doi) else ""


def _links(entry: ET.Element) -> tuple[str, str]:
    """The abstract page and the PDF. Older answers mark them (rel="alternate", title="pdf");
    newer ones give bare links, told apart by their path on arxiv.org."""
    url = pdf_url = ""
    for link in entry.findall(f"{ATOM}link"):
        href = (link.get("href") or "").strip()
        marked_pdf = link.get("title") == "pdf" or link.get("type") == "application/pdf"
        if marked_pdf or "arxiv.org/pdf/" in href:
            pdf_url = pdf_url or href
        elif link.get("rel") == "alternate" or "arxiv.org/abs/" in href:
            url = url or href
    return url, pdf_url
