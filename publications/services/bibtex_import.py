"""Importing BibTeX: each entry becomes a publication, completes one, or is another version of
one, all or nothing, with a report an editor can read before confirming."""

from collections.abc import Callable, Iterator, Sequence

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.caching import pages_changed
from profiles.models import Researcher, ResearchTopic

from ..bibtex import EntryProblem, ParsedEntry, parse_bibtex
from ..models import Authorship, Publication, PublicationVersion
from ..search import search_vectors_deferred
from .authors import researcher_author
from .history import record_bulk_revision
from .import_authorships import write_authorships
from .import_report import ImportedEntry, ImportReport, ImportStatus
from .import_works import IdentifierClaims, Work, gather_works, match_stored, record_provenance
from .saving import BATCH_SIZE, UPDATE_BATCH_SIZE
from .versions import CITED_FIELDS, FILLABLE_FIELDS, Folded, VersionRole, fold_into

# (publications written, publications in the text)
Progress = Callable[[int, int], None]


def publication_import_bibtex(
    *,
    text: str,
    researcher: Researcher | None = None,
    topics: Sequence[ResearchTopic] = (),
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    user: AbstractBaseUser | None = None,
) -> ImportReport:
    """Import the publications of a BibTeX text, all or nothing.

    Entries that are records of one work (same DOI, same arXiv id, or the same title within a
    year, in the file or stored) become one publication: the same version fills its empty
    fields, another version (preprint, report, journal article) is kept as a version, and the
    most final one is cited. Only an entry without a title or a readable year is refused: then
    nothing is imported, unless ``skip_invalid`` is set. A side field that cannot be used is
    left out with a warning. ``dry_run`` reports what would happen and leaves the database as
    it was. ``researcher`` links the researcher's own author record; ``topics`` are added to
    every imported publication. ``progress`` is told (publications written, publications in
    the text) once the text is read, then after each batch.
    """
    report = ImportReport(dry_run=dry_run)
    entries = _importable_entries(text, skip_invalid=skip_invalid, report=report)
    if not report.succeeded:
        return report
    with transaction.atomic():
        works = gather_works(entries)
        writer = _Writer(researcher=researcher, topics=topics, report=report)
        _write_works(works, writer, progress=progress, dry_run=dry_run)
        if dry_run:
            transaction.set_rollback(True)
        else:
            _record_import(works, report, user)
            pages_changed()  # bulk writes send no signals
    report.entries.sort(key=lambda outcome: outcome.line)
    return report


def _importable_entries(
    text: str, *, skip_invalid: bool, report: ImportReport
) -> list[ParsedEntry]:
    """The entries of ``text`` that can be imported. Those that cannot are the report's problems
    (then nothing is imported) or, with ``skip_invalid``, its skipped entries."""
    parsed = parse_bibtex(text)
    if not parsed.entries and not parsed.problems:
        report.problems.append(EntryProblem("", 1, _("No BibTeX entry was found in this text.")))
    elif parsed.problems and not skip_invalid:
        report.problems = parsed.problems  # in the order of the file
    else:
        report.entries += [ImportedEntry.skipped(problem) for problem in parsed.problems]
    return parsed.entries


def _write_works(
    works: list[Work], writer: "_Writer", *, progress: Progress | None, dry_run: bool
) -> None:
    """Write ``works`` a chunk at a time, telling ``progress`` how far it is."""
    if progress is not None:
        progress(0, len(works))  # the file is read: how much there is to write

    def written() -> list[int]:
        # A dry run is rolled back: its search vectors are not worth computing.
        return [] if dry_run else [w.publication.pk for w in works if w.publication]

    with search_vectors_deferred(written):
        for start in range(0, len(works), BATCH_SIZE):
            chunk = works[start : start + BATCH_SIZE]
            writer.write(chunk)
            if progress is not None:
                progress(start + len(chunk), len(works))


class _Writer:
    """Writes the works of an import, a chunk at a time, in a few queries per chunk."""

    def __init__(
        self,
        *,
        researcher: Researcher | None,
        topics: Sequence[ResearchTopic],
        report: ImportReport,
    ) -> None:
        self.researcher_author = researcher_author(researcher) if researcher is not None else None
        self.topics = topics
        self.report = report
        self.claims = IdentifierClaims()

    def write(self, chunk: list[Work]) -> None:
        match_stored(chunk, self.claims)
        for work in chunk:
            self._fold(work)
        _save_publications(chunk)
        write_authorships(chunk, self.researcher_author, self.report)
        self._link_topics(chunk)
        record_provenance(chunk, topics=bool(self.topics), now=timezone.now())
        for work in chunk:
            for outcome in work.outcomes:
                outcome.publication = work.publication
                outcome.existed = work.existing is not None
                self.report.entries.append(outcome)

    def _fold(self, work: Work) -> None:
        """Every entry of the work folded, in memory, into its publication and versions."""
        entries = list(work.entries)
        if work.existing is None:
            first = entries.pop(0)
            work.publication = _new_publication(first)
            cited = Folded(VersionRole.CITED)
            work.outcomes.append(ImportedEntry.of(first, ImportStatus.CREATED, cited))
        else:
            work.publication = work.existing
        taken = self.claims.checker(work.publication)
        for identifier in ("doi", "arxiv_id"):
            value = getattr(work.publication, identifier)
            if value and taken(identifier, value):
                setattr(work.publication, identifier, "")
        for entry in entries:
            folded = fold_into(
                work.publication,
                work.versions,
                entry,
                title=entry.title,
                taken=taken,
                extra={"abstract": entry.abstract, "pdf_url": entry.pdf_url},
            )
            work.changed |= bool(folded.changes)
            if folded.role == VersionRole.REPLACES or folded.version is None:
                work.imported_fields.update(change.name for change in folded.changes)
            work.outcomes.append(ImportedEntry.of(entry, ImportStatus.of(folded), folded))

    def _link_topics(self, chunk: list[Work]) -> None:
        if not self.topics:
            return
        links = Publication.topics.through
        links.objects.bulk_create(
            [links(publication=w.publication, researchtopic=t) for w in chunk for t in self.topics],
            ignore_conflicts=True,
            batch_size=BATCH_SIZE,
        )


def _new_publication(entry: ParsedEntry) -> Publication:
    """The publication an entry of a work not stored yet becomes."""
    return Publication(
        title=entry.title,
        abstract=entry.abstract,
        pdf_url=entry.pdf_url,
        language=entry.language,
        authors_truncated=entry.authors_truncated,
        editors_truncated=entry.editors_truncated,
        **{name: getattr(entry, name) for name in CITED_FIELDS},
    )


# What an import may change of a stored publication, and of a stored version.
PUBLICATION_UPDATED_FIELDS = [
    "title",
    *CITED_FIELDS,
    "abstract",
    "pdf_url",
    *Publication.DERIVED_FIELDS,
    "updated_at",
]
VERSION_UPDATED_FIELDS = list(FILLABLE_FIELDS)


def _save_publications(chunk: list[Work]) -> None:
    """The chunk's new and changed publications and versions, written in bulk."""
    new = [w.publication for w in chunk if w.existing is None]
    for publication in new:
        publication.refresh_derived_fields()
    Publication.objects.bulk_create(new, batch_size=BATCH_SIZE)
    changed = [w.publication for w in chunk if w.existing is not None and w.changed]
    now = timezone.now()
    for publication in changed:
        publication.refresh_derived_fields()
        publication.updated_at = now
    Publication.objects.bulk_update(
        changed, PUBLICATION_UPDATED_FIELDS, batch_size=UPDATE_BATCH_SIZE
    )
    versions = [v for w in chunk for v in w.versions]
    PublicationVersion.objects.bulk_create(
        [v for v in versions if v.pk is None], batch_size=BATCH_SIZE
    )
    PublicationVersion.objects.bulk_update(
        [v for v in versions if v.pk is not None],
        VERSION_UPDATED_FIELDS,
        batch_size=UPDATE_BATCH_SIZE,
    )


def _record_import(works: list[Work], report: ImportReport, user: AbstractBaseUser | None) -> None:
    """One revision for the whole import, holding each publication it created or changed with
    its author list and versions, so that the admin's history shows it and an editor can undo
    it. The rows come from memory, as written, but for the author lists the import left as
    they were."""
    touched = [
        w
        for w in works
        if w.publication is not None and any(o.status != ImportStatus.PRESENT for o in w.outcomes)
    ]
    record_bulk_revision(
        [
            (w.publication for w in touched),
            _authorships(touched),
            (version for w in touched for version in w.versions),
        ],
        user=user,
        comment=_(
            "Imported from BibTeX: %(created)d created, %(merged)d completed, "
            "%(versions)d other versions."
        )
        % {
            "created": len(report.created),
            "merged": len(report.merged),
            "versions": len(report.versions),
        },
    )


def _authorships(works: list[Work]) -> Iterator[Authorship]:
    """The author lists of ``works``: the ones written, then the stored ones of the others,
    read a batch at a time."""
    for work in works:
        yield from work.authorships or ()
    kept = [w.publication.pk for w in works if w.authorships is None]
    for start in range(0, len(kept), BATCH_SIZE):
        yield from Authorship.objects.filter(
            publication__in=kept[start : start + BATCH_SIZE]
        ).select_related("author")
