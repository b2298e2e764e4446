"""What every source adapter gives back: works in one normalised shape, whatever the source.

An adapter reads a public source and yields ``HarvestedWork`` values; it never writes to the
database. Staging, matching and review happen elsewhere, on these values only."""

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol


class SourceError(Exception):
    """A source could not be read (down, an error status after retries, a timeout, a body that
    is not what its documentation describes). The message says what, for the run's report."""


@dataclass(frozen=True)
class Person:
    """Whom to look for: the identifiers a researcher's profile holds (empty when unknown)."""

    orcid: str = ""  # 0000-0002-1825-0097
    openalex_id: str = ""  # A5023888391
    dblp_pid: str = ""  # 123/4567 or b/YoshuaBengio
    semantic_scholar_id: str = ""
    name: str = ""  # for messages only


@dataclass(frozen=True)
class HarvestedAuthor:
    """One signer of a work, in the order the source gives."""

    name: str  # as the source displays it
    given_name: str = ""
    family_name: str = ""
    orcid: str = ""  # bare 0000-0000-0000-0000, checksum valid, or empty
    openalex_id: str = ""  # A123... or empty


@dataclass(frozen=True)
class Update:
    """A notice about a work: a retraction, a correction, an expression of concern."""

    kind: str  # "retraction", "correction", "expression_of_concern", "withdrawal", ...
    doi: str = ""  # the notice's DOI
    date: dt.date | None = None


@dataclass
class HarvestedWork:
    """One work as one source describes it, mapped onto the publication model's fields.

    Text fields are plain Unicode (no HTML, no LaTeX markup left from the source where it can
    be undone); empty strings where the source says nothing. ``kind`` is one of
    ``publications.models.PublicationKind``'s values."""

    source: str  # "orcid", "openalex", "crossref", "arxiv", "dblp"
    source_id: str  # the work's id in that source: ORCID put-code, W..., DOI, arXiv id, DBLP key
    title: str
    year: int | None = None
    kind: str = "misc"
    authors: tuple[HarvestedAuthor, ...] = ()
    authors_truncated: bool = False  # the source lists only some of the authors
    editors: tuple[HarvestedAuthor, ...] = ()
    month: int | None = None
    venue: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    publisher: str = ""
    abstract: str = ""
    language: str = ""  # ISO 639-1 when the source says
    doi: str = ""  # normalised: lower case, no resolver prefix
    arxiv_id: str = ""  # normalised, without version: 2101.00001 or hep-th/9901001
    arxiv_version: str = ""  # "v3" where the source names one
    primary_category: str = ""  # arXiv's, such as cs.LG
    openalex_id: str = ""  # W2741809807
    dblp_key: str = ""  # conf/nips/PascanuMB13
    url: str = ""  # the work's landing page
    pdf_url: str = ""  # an open-access PDF
    cited_by_count: int | None = None
    counts_by_year: dict[int, int] = field(default_factory=dict)  # citations per year
    is_retracted: bool = False
    updates: tuple[Update, ...] = ()
    payload: object = None  # the part of the source's answer this work was read from
    fetched_at: dt.datetime | None = None

    @property
    def payload_hash(self) -> str:
        """A digest of what the source said: the same answer twice gives the same hash."""
        text = (
            self.payload
            if isinstance(self.payload, str)
            else json.dumps(self.payload, sort_keys=True, ensure_ascii=False, default=str)
        )
        return hashlib.sha256(text.encode()).hexdigest()


class Source(Protocol):
    """One public source of works. ``name`` is its key in settings and reports."""

    name: str

    def works_of(self, person: Person, *, since: dt.date | None = None) -> Iterator[HarvestedWork]:
        """The person's works (all pages followed); only those changed since ``since`` where the
        source can tell. Yields nothing when the person has no identifier this source reads.
        Raises SourceError when the source cannot be read."""
        ...

    def complete(self, work: HarvestedWork) -> HarvestedWork | None:
        """What this source knows of a work another source found (by DOI, arXiv id, ...), or
        None when it knows nothing or reads no identifier the work has."""
        ...
