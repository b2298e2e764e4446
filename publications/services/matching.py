"""The one rule for "the same work": a DOI, an arXiv id, an OpenAlex id or a DBLP key in common,
or the same title within a year; and, within a work, whether two records are the same version of
it."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from core.text import fold, title_key

from ..identifiers import normalize_arxiv_id, normalize_doi
from ..models import Publication, PublicationVersion

# A later version of a work often comes out the year after the first (a preprint in December,
# the conference paper in July): titles that read the same match within this many years.
TITLE_YEARS_APART = 1
ARXIV_DOI_PREFIX = "10.48550/"
# The identifiers that name one work, in the order they are looked up.
IDENTIFIERS = ("doi", "arxiv_id", "openalex_id", "dblp_key")
# Those a publication's other versions hold too; OpenAlex ids and DBLP keys are the
# publication's own (the harvest reads them), so two stored works never share one.
VERSION_IDENTIFIERS = ("doi", "arxiv_id")


class Citable(Protocol):
    """What the rules read: a publication, one of its versions, or a parsed BibTeX entry."""

    kind: str
    year: int
    venue: str
    doi: str
    arxiv_id: str


@dataclass(frozen=True)
class WorkKeys:
    """What identifies a record of a work. A record without an OpenAlex id or a DBLP key (a
    BibTeX entry, a version) leaves them empty."""

    doi: str
    arxiv_id: str
    title_key: str
    year: int
    openalex_id: str = ""
    dblp_key: str = ""

    @classmethod
    def of(cls, record: Citable, title: str) -> "WorkKeys":
        return cls(
            record.doi,
            record.arxiv_id,
            title_key(title),
            record.year,
            getattr(record, "openalex_id", ""),
            getattr(record, "dblp_key", ""),
        )

    @classmethod
    def typed(
        cls,
        *,
        title: str,
        year: int | None,
        doi: str,
        arxiv_id: str,
        openalex_id: str = "",
        dblp_key: str = "",
    ) -> "WorkKeys":
        """The keys of a record as an editor typed it (a DOI or arXiv id in any form); a title
        without a valid year is not compared."""
        return cls(
            normalize_doi(doi),
            normalize_arxiv_id(arxiv_id),
            title_key(title) if year is not None else "",
            year or 0,
            openalex_id.strip(),
            dblp_key.strip(),
        )

    def shared_identifiers(self, record: Citable) -> list[str]:
        """The identifiers (``doi``, ``arxiv_id``, ``openalex_id``, ``dblp_key``) ``record``
        holds too: each names one work, whatever the titles say."""
        return [
            name for name in IDENTIFIERS if getattr(self, name) == getattr(record, name, "") != ""
        ]


T = TypeVar("T")


class WorkIndex(Generic[T]):
    """Works looked up by their keys: each identifier in the order of ``IDENTIFIERS`` (DOI,
    arXiv id, OpenAlex id, DBLP key), then the title within a year."""

    def __init__(self) -> None:
        self._by_identifier: dict[str, dict[str, T]] = {name: {} for name in IDENTIFIERS}
        self._by_title: dict[str, list[tuple[int, T]]] = {}

    def add(self, work: T, keys: WorkKeys) -> None:
        for name in IDENTIFIERS:
            if value := getattr(keys, name):
                self._by_identifier[name].setdefault(value, work)
        if keys.title_key:
            self._by_title.setdefault(keys.title_key, []).append((keys.year, work))

    def find(self, keys: WorkKeys) -> T | None:
        return self.find_by_identifier(keys) or self._find_by_title(keys)

    def find_by_identifier(self, keys: WorkKeys) -> T | None:
        """The work holding one of the identifiers of ``keys``, titles aside."""
        for name in IDENTIFIERS:
            value = getattr(keys, name)
            if value and value in self._by_identifier[name]:
                return self._by_identifier[name][value]
        return None

    def _find_by_title(self, keys: WorkKeys) -> T | None:
        return next(iter(self._titled(keys)), None)

    def _titled(self, keys: WorkKeys) -> list[T]:
        return [
            work
            for year, work in self._by_title.get(keys.title_key, ())
            if abs(year - keys.year) <= TITLE_YEARS_APART
        ]

    def find_all(self, keys: WorkKeys) -> list[T]:
        """Every work the rule finds for ``keys``, each once: the holders of each of its
        identifiers and every work of its title within a year (to gather records of one work
        that reached the index apart)."""
        found = [
            self._by_identifier[name][value]
            for name in IDENTIFIERS
            if (value := getattr(keys, name)) and value in self._by_identifier[name]
        ]
        found += self._titled(keys)
        return list({id(work): work for work in found}.values())

    def find_any(self, keys: Iterable[WorkKeys]) -> T | None:
        return next((work for k in keys if (work := self.find(k)) is not None), None)


def stored_records(
    keys: Iterable[WorkKeys],
) -> tuple[dict[int, Publication], list[PublicationVersion]]:
    """The stored publications (by primary key) and versions that share an identifier or a
    title key with ``keys``: the candidates :class:`WorkIndex` then decides on, in three
    queries whatever the number of keys."""
    keys = list(keys)
    values = {name: {getattr(k, name) for k in keys} - {""} for name in IDENTIFIERS}
    title_keys = {k.title_key for k in keys if k.title_key}
    if not (title_keys or any(values.values())):
        return {}, []
    by_identifier = identifier_lookup(values, IDENTIFIERS)
    publications = {
        publication.pk: publication
        for publication in Publication.objects.filter(by_identifier | Q(title_key__in=title_keys))
    }
    versions = list(
        PublicationVersion.objects.filter(identifier_lookup(values, VERSION_IDENTIFIERS)).order_by()
    )
    publications.update(
        Publication.objects.in_bulk({v.publication_id for v in versions} - set(publications))
    )
    return publications, versions


def identifier_lookup(values: dict[str, set[str]], names: Iterable[str]) -> Q:
    """Rows holding one of ``values[name]`` for one of ``names``. Each term says the value is
    not empty, as the unique indexes on the identifiers do, so that every database reads it
    from them."""
    lookup = Q(pk__in=[])
    for name in names:
        if values.get(name):
            lookup |= Q(**{f"{name}__in": values[name]}) & ~Q(**{name: ""})
    return lookup


def stored_index(
    publications: dict[int, Publication], versions: Iterable[PublicationVersion]
) -> WorkIndex[Publication]:
    """The stored publications indexed by their keys and their versions' identifiers."""
    index: WorkIndex[Publication] = WorkIndex()
    for publication in sorted(publications.values(), key=lambda p: p.pk):
        index.add(publication, WorkKeys.of(publication, publication.title))
    for version in versions:
        index.add(
            publications[version.publication_id],
            WorkKeys(version.doi, version.arxiv_id, "", version.year),
        )
    return index


def publications_of_work(keys: WorkKeys) -> list[Publication]:
    """The stored publications that are records of the work ``keys`` identifies, oldest first,
    by the rule an import matches them with."""
    publications, versions = stored_records([keys])
    found = []
    for publication in sorted(publications.values(), key=lambda p: p.pk):
        own = [v for v in versions if v.publication_id == publication.pk]
        if stored_index({publication.pk: publication}, own).find(keys) is not None:
            found.append(publication)
    return found


def with_stored_duplicates(publications: QuerySet[Publication]) -> QuerySet[Publication]:
    """The publications of ``publications`` that another stored publication is a record of the
    same work as, by the rule of :class:`WorkIndex` written as a query: their titles read the
    same within ``TITLE_YEARS_APART`` years, or one of them holds (as its own or one of its
    versions') a DOI or arXiv id the other holds.

    Identifiers are compared through subqueries that do not depend on the row: a look-up per
    publication would read every version each time (their arXiv ids have no index). A title is
    compared with its neighbours' only when another publication has it too. OpenAlex ids and
    DBLP keys need no comparison: no version holds them, and the database refuses two
    publications holding one."""
    same_title = Publication.objects.filter(
        title_key=OuterRef("title_key"),
        year__gte=OuterRef("year") - TITLE_YEARS_APART,
        year__lte=OuterRef("year") + TITLE_YEARS_APART,
    ).exclude(pk=OuterRef("pk"))
    repeated_titles = (
        Publication.objects.order_by()
        .values("title_key")
        .annotate(total=Count("pk"))
        .filter(total__gt=1)
        .values("title_key")
    )
    rule = Q(title_key__in=repeated_titles) & ~Q(title_key="") & Exists(same_title)
    for name in VERSION_IDENTIFIERS:
        shared = _identifiers_of_two_works(name)
        holding_versions = PublicationVersion.objects.filter(**{f"{name}__in": shared})
        rule |= Q(**{f"{name}__in": shared}) | Q(pk__in=holding_versions.values("publication"))
    return publications.filter(rule)


def _identifiers_of_two_works(name: str) -> QuerySet:
    """The values of the identifier ``name`` that a version holds with another publication or
    a version of another publication. Two publications never hold the same one: the database
    refuses it."""
    versions = PublicationVersion.objects.order_by().exclude(**{name: ""})
    of_another_publication = versions.filter(
        **{f"{name}__in": Publication.objects.exclude(**{name: ""}).values(name)}
    ).exclude(**{f"publication__{name}": F(name)})
    of_versions_of_two = (
        versions.values(name)
        .annotate(works=Count("publication", distinct=True))
        .filter(works__gt=1)
        .values(name)
    )
    return of_another_publication.values(name).union(of_versions_of_two)


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
