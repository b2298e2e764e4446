"""The works of a BibTeX file: its entries gathered by work, and the stored publication each
work is a record of, by the one rule for "the same work" (services/matching.py)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..bibtex import ParsedEntry
from ..models import Authorship, FieldOrigin, FieldSource, Publication, PublicationVersion
from .import_report import ImportedEntry
from .matching import WorkIndex, WorkKeys, stored_index, stored_records
from .provenance import provenance_write
from .versions import CITED_FIELDS


@dataclass(eq=False)
class Work:
    """One work in the file: the entries that are records of it, in the order of the file."""

    entries: list[ParsedEntry]
    existing: Publication | None = None
    publication: Publication | None = None
    versions: list[PublicationVersion] = field(default_factory=list)
    outcomes: list[ImportedEntry] = field(default_factory=list)
    changed: bool = False  # the stored publication's own fields changed
    # The author list the import wrote; None when the publication keeps the one it had.
    authorships: list[Authorship] | None = None
    # The stored publication's fields the import changed (a new one's are read from it).
    imported_fields: set[str] = field(default_factory=set)

    def work_keys(self) -> list[WorkKeys]:
        return [WorkKeys.of(entry, entry.title) for entry in self.entries]


def gather_works(entries: list[ParsedEntry]) -> list[Work]:
    """Entries of one file that are records of one work, gathered under the first one.

    An entry named in another's biblatex ``related`` field (as this site's exports write a
    work's other versions) belongs to that entry's work whatever its keys say.
    """
    by_key = {entry.key: entry for entry in entries}
    related = {
        key: entry
        for entry in entries
        for key in entry.related
        if key in by_key and key != entry.key
    }
    works: list[Work] = []
    index: WorkIndex[Work] = WorkIndex()
    work_of: dict[str, Work] = {}
    for entry in [e for e in entries if e.key not in related] + [
        e for e in entries if e.key in related
    ]:
        parent = related.get(entry.key)
        keys = WorkKeys.of(entry, entry.title)
        work = work_of.get(parent.key) if parent is not None else index.find(keys)
        if work is None:
            work = Work(entries=[])
            works.append(work)
        work.entries.append(entry)
        work_of[entry.key] = work
        index.add(work, keys)
    return works


class IdentifierClaims:
    """Identifiers held by a publication or a version, so that no two works get the same one
    (the database refuses it): another work's identifier is left out, not a reason to fail."""

    def __init__(self) -> None:
        self._holders: dict[tuple[str, str], object] = {}

    def claim(self, holder: object, kind: str, value: str) -> None:
        if value:
            self._holders.setdefault((kind, value), holder)

    def checker(self, holder: object) -> Callable[[str, str], bool]:
        def taken(kind: str, value: str) -> bool:
            other = self._holders.setdefault((kind, value), holder)
            return other is not holder

        return taken


def match_stored(chunk: list[Work], claims: IdentifierClaims) -> None:
    """Find the stored publication each work is a record of, and its versions, in four
    queries per chunk."""
    publications, versions = stored_records(k for work in chunk for k in work.work_keys())
    index = stored_index(publications, versions)
    for publication in publications.values():
        claims.claim(publication, "doi", publication.doi)
        claims.claim(publication, "arxiv_id", publication.arxiv_id)
    for work in chunk:
        work.existing = index.find_any(work.work_keys())
    matched = {work.existing.pk: work for work in chunk if work.existing is not None}
    for version in PublicationVersion.objects.filter(publication__in=matched).order_by("pk"):
        version.publication = matched[version.publication_id].existing
        matched[version.publication_id].versions.append(version)
        claims.claim(version.publication, "version_doi", version.doi)


# What a new publication takes from its BibTeX entry.
NEW_PUBLICATION_FIELDS = (
    "title",
    "abstract",
    "pdf_url",
    "language",
    "authors_truncated",
    "editors_truncated",
    *CITED_FIELDS,
)


def record_provenance(chunk: list[Work], *, topics: bool, now: datetime) -> None:
    """Record that the fields the import set on the chunk's publications came from it (the
    entry's key names the work in the file), in one write. A field already recorded keeps its
    lock, so that the harvest still leaves alone what an editor locked."""
    rows = [
        FieldSource(
            publication=work.publication,
            field_name=name,
            origin=FieldOrigin.IMPORT,
            source="bibtex",
            source_id=work.entries[0].key[:255],
            recorded_at=now,
        )
        for work in chunk
        if work.publication is not None
        for name in sorted(_imported_fields(work, topics=topics))
    ]
    provenance_write(rows, keep_locks=True)


def _imported_fields(work: Work, *, topics: bool) -> set[str]:
    names = set(work.imported_fields)
    if work.existing is None:
        publication = work.publication
        names.update(
            n for n in NEW_PUBLICATION_FIELDS if getattr(publication, n) not in ("", None, False)
        )
        if topics:
            names.add("topics")
    if work.authorships:
        names.add("authors")
    return names
