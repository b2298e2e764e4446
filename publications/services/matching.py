"""The one rule for "the same work": DOI, arXiv id, or the same title within a year; and, within
a work, whether two records are the same version of it."""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Generic, Protocol, TypeVar

from django.db.models import Prefetch, Q

from profiles.collation import fold, title_key

from ..models import Publication, PublicationVersion

# A later version of a work often comes out the year after the first (a preprint in December,
# the conference paper in July): titles that read the same match within this many years.
TITLE_YEARS_APART = 1
ARXIV_DOI_PREFIX = "10.48550/"


class Citable(Protocol):
    """What the rules read: a publication, one of its versions, or a parsed BibTeX entry."""

    kind: str
    year: int
    venue: str
    doi: str
    arxiv_id: str


@dataclass(frozen=True)
class WorkKeys:
    """What identifies a record of a work."""

    doi: str
    arxiv_id: str
    title_key: str
    year: int

    @classmethod
    def of(cls, record: Citable, title: str) -> "WorkKeys":
        return cls(record.doi, record.arxiv_id, title_key(title), record.year)


T = TypeVar("T")


class WorkIndex(Generic[T]):
    """Works looked up by their keys: DOI first, then arXiv id, then the title within a year."""

    def __init__(self) -> None:
        self._by_doi: dict[str, T] = {}
        self._by_arxiv: dict[str, T] = {}
        self._by_title: dict[str, list[tuple[int, T]]] = {}

    def add(self, work: T, keys: WorkKeys) -> None:
        if keys.doi:
            self._by_doi.setdefault(keys.doi, work)
        if keys.arxiv_id:
            self._by_arxiv.setdefault(keys.arxiv_id, work)
        if keys.title_key:
            self._by_title.setdefault(keys.title_key, []).append((keys.year, work))

    def find(self, keys: WorkKeys) -> T | None:
        if keys.doi and keys.doi in self._by_doi:
            return self._by_doi[keys.doi]
        if keys.arxiv_id and keys.arxiv_id in self._by_arxiv:
            return self._by_arxiv[keys.arxiv_id]
        for year, work in self._by_title.get(keys.title_key, ()):
            if abs(year - keys.year) <= TITLE_YEARS_APART:
                return work
        return None

    def find_any(self, keys: Iterable[WorkKeys]) -> T | None:
        return next((work for k in keys if (work := self.find(k)) is not None), None)


def publications_matching(keys: WorkKeys) -> list[Publication]:
    """The stored publications that are records of the work ``keys`` identifies, oldest first:
    by :class:`WorkIndex`'s rule, on their own DOI, arXiv id and title, and on their other
    versions' DOI and arXiv id, as an import matches them."""
    lookups = [Q(**{name: value}) for name, value in _identifiers(keys)]
    versions = PublicationVersion.objects.none()
    if lookups:
        versions = PublicationVersion.objects.filter(reduce(or_, lookups))
        lookups.append(Q(pk__in=versions.values("publication")))
    if keys.title_key:
        lookups.append(Q(title_key=keys.title_key))
    if not lookups:
        return []
    candidates = (
        Publication.objects.filter(reduce(or_, lookups))
        .prefetch_related(Prefetch("versions", queryset=versions, to_attr="matched_versions"))
        .order_by("pk")
    )
    found = []
    for publication in candidates:
        index: WorkIndex[Publication] = WorkIndex()
        index.add(publication, WorkKeys.of(publication, publication.title))
        for version in publication.matched_versions:
            index.add(publication, WorkKeys(version.doi, version.arxiv_id, "", version.year))
        if index.find(keys) is not None:
            found.append(publication)
    return found


def _identifiers(keys: WorkKeys) -> list[tuple[str, str]]:
    """The identifiers among ``keys`` that are set, as (field name, value)."""
    pairs = (("doi", keys.doi), ("arxiv_id", keys.arxiv_id))
    return [(name, value) for name, value in pairs if value]


def same_version(a: Citable, b: Citable) -> bool:
    """Whether two records of one work are the same version of it (the same paper in the same
    venue) rather than, say, its preprint and its journal article."""
    if a.doi and b.doi:
        if a.doi != b.doi:
            return False
        # arXiv's DOIs name the preprint, yet conference entries often carry them too.
        if not a.doi.startswith(ARXIV_DOI_PREFIX):
            return True
    if a.kind != b.kind:
        return False
    venue_a, venue_b = fold(a.venue), fold(b.venue)
    return not venue_a or not venue_b or venue_a == venue_b
