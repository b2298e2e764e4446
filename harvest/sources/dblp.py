"""DBLP: a computer scientist's publications, from the person's record (/pid/<pid>.xml).

DBLP's person XML lists every publication of one person, each in an <r> element holding one
record (<article>, <inproceedings>, ...) as in DBLP's data: title with a period DBLP adds,
authors in order (with their ORCID iD when DBLP knows it, and a number such as "0001" telling
namesakes apart), venue, and electronic editions (<ee>) that carry the DOI and the arXiv link.
arXiv preprints are the records of the journal "CoRR", volume "abs/<arXiv id>".

DBLP writes letters outside ASCII as character references (&#225;) and its data dump as the
named entities its DTD defines (&aacute;); both are read, so no accent is lost. DBLP answers
429 when asked too fast: the shared client waits as its Retry-After says and tries again."""

import html.entities
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, datetime, timezone
from urllib.parse import quote

from harvest.sources.adapter import ClientAdapter
from harvest.sources.base import HarvestedAuthor, HarvestedWork, Person, SourceError, Update
from harvest.sources.values import arxiv_from_doi, arxiv_from_url, bare_orcid, pages_text
from publications.identifiers import (
    ARXIV_ID_PATTERN,
    DOI_PATTERN,
    normalize_arxiv_id,
    normalize_doi,
)
from publications.models import PublicationKind

# DBLP's record types onto the publication kinds; homepages (<www>) are not publications.
KINDS = {
    "article": PublicationKind.JOURNAL_ARTICLE,
    "inproceedings": PublicationKind.CONFERENCE_PAPER,
    "incollection": PublicationKind.BOOK_CHAPTER,
    "book": PublicationKind.BOOK,
    "proceedings": PublicationKind.BOOK,  # an edited volume
    "phdthesis": PublicationKind.THESIS,
    "mastersthesis": PublicationKind.THESIS,
    "data": PublicationKind.OTHER,
}

# The number DBLP appends to a name shared by several people: "Wei Wang 0001".
_HOMONYM_NUMBER = re.compile(r"\s+\d{4}$")
_DOI_LINK = re.compile(r"^https?://(dx\.)?doi\.org/", re.IGNORECASE)
# A named entity; the five XML predefines are left for the parser.
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_NAMED_ENTITY_BYTES = re.compile(_NAMED_ENTITY.pattern.encode("ascii"))
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_DOI_RE = re.compile(DOI_PATTERN)
_ARXIV_RE = re.compile(ARXIV_ID_PATTERN)


class DblpSource(ClientAdapter):
    """A person's publications from their DBLP record (``Person.dblp_pid``); read per person,
    it completes no work."""

    name = "dblp"

    def works_of(self, person: Person, *, since: date | None = None) -> Iterator[HarvestedWork]:
        """The person's publications; with ``since``, only the records DBLP changed on or after
        that day (each record's mdate)."""
        if not person.dblp_pid:
            return
        path = _person_path(person.dblp_pid)
        response = self.client.get(path, accept="application/xml", missing_ok=True)
        if response is None:
            raise SourceError(f"dblp: no person has the id {person.dblp_pid!r}")
        yield from works_from_person_xml(response.content, since=since)


def _person_path(pid: str) -> str:
    """The address of a person's XML under DBLP's URL, the id's parts escaped."""
    parts = pid.strip().split("/")
    if len(parts) < 2 or any(part in {"", ".", ".."} for part in parts):
        raise SourceError(f"dblp: {pid!r} is not a DBLP person id")
    return "/pid/" + "/".join(quote(part, safe="=-_") for part in parts) + ".xml"


# Reading the person XML ----------------------------------------------------------------------


def works_from_person_xml(body: bytes | str, *, since: date | None = None) -> list[HarvestedWork]:
    """The works of a <dblpperson> document, in DBLP's order (newest first)."""
    person = _parse(body)
    fetched_at = datetime.now(timezone.utc)
    works = []
    for holder in person.findall("r"):
        record = next(iter(holder), None)
        if record is None or record.tag not in KINDS or not _changed_since(record, since):
            continue
        work = work_from_record(record, fetched_at=fetched_at)
        if work is not None:
            works.append(work)
    return works


def _parse(body: bytes | str) -> ET.Element:
    # Entities become character references in the bytes as they came, so that the parser
    # still decodes them as their XML declaration says.
    if isinstance(body, bytes):
        body = _NAMED_ENTITY_BYTES.sub(_entity_as_reference, body)
    else:
        body = _NAMED_ENTITY.sub(_entity_as_reference, body)
    try:
        # ElementTree fetches no external entity, and the expat it runs on (2.4.1 and later)
        # refuses entity expansion bombs: an untrusted answer cannot do more than fail here.
        person = ET.fromstring(body)  # noqa: S314
    except ET.ParseError as exc:
        raise SourceError(f"dblp: the answer is not XML ({exc})") from None
    if person.tag != "dblpperson":
        raise SourceError(f"dblp: the answer is not a person's record (root <{person.tag}>)")
    return person


def _entity_as_reference(match: re.Match):
    """&eacute; -> &#233; (the parser reads no DTD); an unknown name is left to fail loudly."""
    name = match[1].decode("ascii") if isinstance(match[1], bytes) else match[1]
    characters = html.entities.html5.get(f"{name};")
    if name in _XML_ENTITIES or characters is None:
        return match[0]
    reference = "".join(f"&#{ord(character)};" for character in characters)
    return reference.encode("ascii") if isinstance(match[0], bytes) else reference


def _changed_since(record: ET.Element, since: date | None) -> bool:
    if since is None:
        return True
    try:
        return date.fromisoformat(record.get("mdate", "")) >= since
    except ValueError:
        return True


def work_from_record(
    record: ET.Element, *, fetched_at: datetime | None = None
) -> HarvestedWork | None:
    """One DBLP record as a HarvestedWork; None when it has no key or no title."""
    key = (record.get("key") or "").strip()
    title = _text(record.find("title")).removesuffix(".")
    if not key or not title:
        return None
    venue = _field(record, "journal") or _field(record, "booktitle")
    volume = _field(record, "volume")
    links = _links(record)
    arxiv_id = links["arxiv"] or _corr_arxiv_id(venue, volume)
    preprint = _is_preprint(record, venue)
    return HarvestedWork(
        source="dblp",
        source_id=key,
        title=title,
        year=_year(_field(record, "year")),
        kind=PublicationKind.PREPRINT if preprint else KINDS[record.tag],
        authors=_people(record, "author"),
        editors=_people(record, "editor"),
        # A CoRR record is arXiv itself: its "journal" and "volume" only repeat the arXiv id.
        venue="" if venue == "CoRR" else venue,
        volume="" if venue == "CoRR" else volume,
        issue=_field(record, "number"),
        pages=pages_text(_field(record, "pages")),
        publisher=_field(record, "publisher"),
        doi=links["doi"],
        arxiv_id=arxiv_id,
        dblp_key=key,
        url=links["url"],
        updates=_updates(record),
        payload=ET.tostring(record, encoding="unicode"),
        fetched_at=fetched_at,
    )


def _text(element: ET.Element | None) -> str:
    """All the text of ``element``, markup inside it (<i>, <sub>) dropped, spaces collapsed."""
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _field(record: ET.Element, tag: str) -> str:
    return _text(record.find(tag))


def _year(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _people(record: ET.Element, tag: str) -> tuple[HarvestedAuthor, ...]:
    people = []
    for element in record.findall(tag):
        name = _HOMONYM_NUMBER.sub("", _text(element))
        if name:
            people.append(HarvestedAuthor(name=name, orcid=bare_orcid(element.get("orcid") or "")))
    return tuple(people)


def _links(record: ET.Element) -> dict[str, str]:
    """The DOI, the arXiv id and the landing page among the electronic editions.

    The landing page is the first edition that is neither a DOI nor arXiv (the publisher's or
    the proceedings' page), else the DOI's address, else arXiv's."""
    doi = arxiv_id = other = ""
    for ee in (_text(element) for element in record.findall("ee")):
        if _DOI_LINK.match(ee):
            doi = doi or _doi(ee)
        elif arxiv_from_url(ee)[0]:
            arxiv_id = arxiv_id or arxiv_from_url(ee)[0]
        elif ee.startswith(("https://", "http://")):
            other = other or ee
    # CoRR records give arXiv's DOI (10.48550/arXiv.<id>), which names the paper too.
    arxiv_id = arxiv_id or arxiv_from_doi(doi)[0]
    url = other or (f"https://doi.org/{doi}" if doi else "")
    url = url or (f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else "")
    return {"doi": doi, "arxiv": arxiv_id, "url": url}


def _corr_arxiv_id(venue: str, volume: str) -> str:
    """The arXiv id in a CoRR record's volume: "abs/2101.00001" or "abs/cs/0501001"."""
    if venue != "CoRR" or not volume.startswith("abs/"):
        return ""
    return _arxiv_id(volume.removeprefix("abs/"))


def _is_preprint(record: ET.Element, venue: str) -> bool:
    """A CoRR record, or an article DBLP marks informal (a preprint server's)."""
    informal = "informal" in (record.get("publtype") or "").split()
    return venue == "CoRR" or (record.tag == "article" and informal)


def _updates(record: ET.Element) -> tuple[Update, ...]:
    withdrawn = "withdrawn" in (record.get("publtype") or "").split()
    return (Update(kind="withdrawal"),) if withdrawn else ()


def _doi(value: str) -> str:
    doi = normalize_doi(value)
    return doi if _DOI_RE.match(doi) else ""


def _arxiv_id(value: str) -> str:
    arxiv_id = normalize_arxiv_id(value)
    return arxiv_id if _ARXIV_RE.match(arxiv_id) else ""
