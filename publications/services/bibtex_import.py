"""Importing BibTeX: each entry becomes a publication, completes one, or is another version of
one, all or nothing, with a report an editor can read before confirming."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.caching import pages_changed
from core.text import name_key
from profiles.models import Researcher, ResearchTopic

from ..bibtex import MAX_FILE_BYTES, EntryProblem, ParsedAuthor, ParsedEntry, parse_bibtex
from ..models import Author, Authorship, Publication, PublicationVersion
from ..search import search_vectors_deferred
from . import authors as author_rules
from .history import record_bulk_revision
from .matching import WorkIndex, WorkKeys, stored_index, stored_records
from .versions import CITED_FIELDS, FieldChange, VersionRole, fold_into

BATCH_SIZE = 500
# Rows per UPDATE: Django writes a bulk update as one CASE per field, which SQLite parses into
# a tree it refuses beyond a depth of 1,000.
UPDATE_BATCH_SIZE = 100


class ImportStatus(models.TextChoices):
    CREATED = "created", gettext_lazy("new")
    VERSION = "version", gettext_lazy("another version of a publication")
    MERGED = "merged", gettext_lazy("completes an existing publication")
    PRESENT = "present", gettext_lazy("already present")
    SKIPPED = "skipped", gettext_lazy("skipped")


@dataclass
class AuthorMatch:
    """A name of an entry and the stored author it matched (None: a new author)."""

    name: str
    role: str
    author: Author | None


@dataclass
class ImportedEntry:
    """What became of one BibTeX entry."""

    key: str
    line: int
    title: str
    status: str
    publication: Publication | None = None
    reason: str = ""
    existed: bool = False  # the publication was stored before this import
    entry: ParsedEntry | None = None
    version_role: str = ""
    changes: list[FieldChange] = field(default_factory=list)
    authors: list[AuthorMatch] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return self.entry.warnings if self.entry is not None else []


@dataclass
class ImportReport:
    """The outcome of an import, entry by entry. With ``problems``, nothing was imported."""

    dry_run: bool = False
    entries: list[ImportedEntry] = field(default_factory=list)
    problems: list[EntryProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def with_status(self, status: str) -> list[ImportedEntry]:
        return [entry for entry in self.entries if entry.status == status]

    @property
    def created(self) -> list[ImportedEntry]:
        return self.with_status(ImportStatus.CREATED)

    @property
    def versions(self) -> list[ImportedEntry]:
        return self.with_status(ImportStatus.VERSION)

    @property
    def present(self) -> list[ImportedEntry]:
        return self.with_status(ImportStatus.PRESENT)

    @property
    def merged(self) -> list[ImportedEntry]:
        return self.with_status(ImportStatus.MERGED)

    @property
    def skipped(self) -> list[ImportedEntry]:
        return self.with_status(ImportStatus.SKIPPED)

    @property
    def succeeded(self) -> bool:
        return not self.problems


@dataclass(eq=False)
class _Work:
    """One work in the file: the entries that are records of it, in the order of the file."""

    entries: list[ParsedEntry]
    existing: Publication | None = None
    publication: Publication | None = None
    versions: list[PublicationVersion] = field(default_factory=list)
    outcomes: list[ImportedEntry] = field(default_factory=list)
    changed: bool = False  # the stored publication's own fields changed
    # The author list the import wrote; None when the publication keeps the one it had.
    authorships: list[Authorship] | None = None

    def work_keys(self) -> list[WorkKeys]:
        return [WorkKeys.of(entry, entry.title) for entry in self.entries]


def publication_import_bibtex(
    *,
    text: str,
    researcher: Researcher | None = None,
    topics: Sequence[ResearchTopic] = (),
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] | None = None,
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
    parsed = parse_bibtex(text)
    if not parsed.entries and not parsed.problems:
        report.problems.append(EntryProblem("", 1, _("No BibTeX entry was found in this text.")))
        return report
    if parsed.problems and not skip_invalid:
        report.problems = sorted(parsed.problems, key=lambda problem: problem.line)
        return report
    for problem in parsed.problems:
        report.entries.append(
            ImportedEntry(
                problem.key, problem.line, "", ImportStatus.SKIPPED, reason=problem.message
            )
        )

    with transaction.atomic():
        works = _gather_works(parsed.entries)
        if progress is not None:
            progress(0, len(works))  # the file is read: how much there is to write
        writer = _Writer(researcher=researcher, topics=topics, report=report)

        def written() -> list[int]:
            # A dry run is rolled back: its search vectors are not worth computing.
            return [] if dry_run else [w.publication.pk for w in works if w.publication]

        with search_vectors_deferred(written):
            for done, chunk in writer.chunks(works):
                writer.write(chunk)
                if progress is not None:
                    progress(done, len(works))
        if dry_run:
            transaction.set_rollback(True)
        else:
            _record_import(works, report, user)
            pages_changed()  # bulk writes send no signals
    report.entries.sort(key=lambda outcome: outcome.line)
    return report


def file_too_large_message(size: int, *, limit: int = MAX_FILE_BYTES) -> str:
    """Why a file of ``size`` bytes is refused: by how much it is over the limit, in a unit
    that shows the difference however small."""
    excess = size - limit
    if excess < 1024:
        over = ngettext("%(count)s byte", "%(count)s bytes", excess) % {"count": excess}
    elif excess < 1024 * 1024:
        over = _("%(count)s KB") % {"count": number_format(excess / 1024, decimal_pos=1)}
    else:
        over = _("%(count)s MB") % {"count": number_format(excess / 1024 / 1024, decimal_pos=1)}
    return _("The file is too large: %(size)s bytes, %(over)s over the limit of %(limit)s MB.") % {
        "size": number_format(size, force_grouping=True),
        "over": over,
        "limit": limit // 1024 // 1024,
    }


def _gather_works(entries: list[ParsedEntry]) -> list[_Work]:
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
    works: list[_Work] = []
    index: WorkIndex[_Work] = WorkIndex()
    work_of: dict[str, _Work] = {}
    for entry in [e for e in entries if e.key not in related] + [
        e for e in entries if e.key in related
    ]:
        parent = related.get(entry.key)
        keys = WorkKeys.of(entry, entry.title)
        work = work_of.get(parent.key) if parent is not None else index.find(keys)
        if work is None:
            work = _Work(entries=[])
            works.append(work)
        work.entries.append(entry)
        work_of[entry.key] = work
        index.add(work, keys)
    return works


class _Claims:
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


class _Writer:
    """Writes the works of an import, a chunk at a time, in a few queries per chunk."""

    def __init__(
        self, *, researcher: Researcher | None, topics: Sequence[ResearchTopic], report
    ) -> None:
        self.researcher_author = (
            author_rules.researcher_author(researcher) if researcher is not None else None
        )
        self.topics = topics
        self.report = report
        self.claims = _Claims()

    @staticmethod
    def chunks(works: list[_Work]):
        for start in range(0, len(works), BATCH_SIZE):
            chunk = works[start : start + BATCH_SIZE]
            yield start + len(chunk), chunk

    def write(self, chunk: list[_Work]) -> None:
        _match_stored(chunk, self.claims)
        for work in chunk:
            self._fold(work)
        self._save_publications(chunk)
        _write_authorships(chunk, self.researcher_author, self.report)
        if self.topics:
            links = Publication.topics.through
            links.objects.bulk_create(
                [
                    links(publication=w.publication, researchtopic=t)
                    for w in chunk
                    for t in self.topics
                ],
                ignore_conflicts=True,
                batch_size=BATCH_SIZE,
            )
        for work in chunk:
            for outcome in work.outcomes:
                outcome.publication = work.publication
                outcome.existed = work.existing is not None
                self.report.entries.append(outcome)

    def _fold(self, work: _Work) -> None:
        """Every entry of the work folded, in memory, into its publication and versions."""
        entries = list(work.entries)
        if work.existing is None:
            first = entries.pop(0)
            work.publication = _new_publication(first)
            work.outcomes.append(_outcome(first, ImportStatus.CREATED, VersionRole.CITED))
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
            work.outcomes.append(_outcome(entry, _status(folded.role, folded), folded.role))
            work.outcomes[-1].changes = folded.changes

    def _save_publications(self, chunk: list[_Work]) -> None:
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
            changed,
            [
                "title",
                *CITED_FIELDS,
                "abstract",
                "pdf_url",
                *Publication.DERIVED_FIELDS,
                "updated_at",
            ],
            batch_size=UPDATE_BATCH_SIZE,
        )
        versions = [v for w in chunk for v in w.versions]
        PublicationVersion.objects.bulk_create(
            [v for v in versions if v.pk is None], batch_size=BATCH_SIZE
        )
        PublicationVersion.objects.bulk_update(
            [v for v in versions if v.pk is not None],
            [name for name in CITED_FIELDS if name not in ("kind", "year")],
            batch_size=UPDATE_BATCH_SIZE,
        )


def _status(role: str, folded) -> str:
    if role == VersionRole.SAME:
        return ImportStatus.MERGED if folded.changes else ImportStatus.PRESENT
    return ImportStatus.VERSION


def _outcome(entry: ParsedEntry, status: str, role: str) -> ImportedEntry:
    return ImportedEntry(entry.key, entry.line, entry.title, status, entry=entry, version_role=role)


def _new_publication(entry: ParsedEntry) -> Publication:
    return Publication(
        title=entry.title,
        abstract=entry.abstract,
        pdf_url=entry.pdf_url,
        language=entry.language,
        authors_truncated=entry.authors_truncated,
        editors_truncated=entry.editors_truncated,
        **{name: getattr(entry, name) for name in CITED_FIELDS},
    )


def _match_stored(chunk: list[_Work], claims: _Claims) -> None:
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


def _write_authorships(chunk: list[_Work], researcher_author: Author | None, report) -> None:
    """Authors and editors matched by name (or created once) and signed in order, for the
    works that have none yet; every entry's names matched, for the report."""
    signed = set(
        Authorship.objects.filter(
            publication__in=[w.existing.pk for w in chunk if w.existing is not None]
        ).values_list("publication", flat=True)
    )
    people = _People(chunk, researcher_author)
    authorships = []
    signing: set[int] = set()  # stored publications signed by an earlier work of the chunk
    for work in chunk:
        for outcome in work.outcomes:
            outcome.authors = [
                AuthorMatch(p.display_name, role, people.stored(p))
                for role, names in _roles(outcome.entry)
                for p in names
            ]
        if work.existing is not None and work.existing.pk in signed:
            if researcher_author is not None:
                _link_researcher(work, researcher_author, report)
            continue
        if work.existing is not None:
            if work.existing.pk in signing:
                continue  # two works of the file found the same publication: signed once
            signing.add(work.existing.pk)
        work.authorships = _sign(work, people)
        authorships += work.authorships
        if researcher_author is not None and all(
            a.author is not researcher_author for a in work.authorships
        ):
            _not_among_authors(report, work.entries[0], researcher_author)
    Authorship.objects.bulk_create(authorships, batch_size=BATCH_SIZE)


class _People:
    """Who the names of a chunk are: the researcher's own record, a stored author (respelt when
    the file spells the name better), or an author created for the name."""

    def __init__(self, chunk: list[_Work], researcher_author: Author | None) -> None:
        self.researcher_author = researcher_author
        self._keys: dict[str, str] = {}
        # Each name once: a file names the same people again and again.
        names = author_rules.most_informative(
            dict.fromkeys(
                parsed
                for work in chunk
                for entry in work.entries
                for parsed in [*entry.authors, *entry.editors]
                if not self._is_researcher(parsed)
            )
        )
        known = author_rules.authors_by_key(names)
        respelt = [
            known[k]
            for k, parsed in names.items()
            if k in known and author_rules.respell(known[k], parsed)
        ]
        Author.objects.bulk_update(respelt, Author.DERIVED_FIELDS, batch_size=UPDATE_BATCH_SIZE)
        self._stored = dict(known)
        missing = [author_rules.new_author(p) for key, p in names.items() if key not in known]
        Author.objects.bulk_create(missing, batch_size=BATCH_SIZE)
        known.update((author.name_key, author) for author in missing)
        self._known = known

    def stored(self, parsed: ParsedAuthor) -> Author | None:
        """The author the name was before the import, if any."""
        if self._is_researcher(parsed):
            return self.researcher_author
        return self._stored.get(self._key(parsed))

    def author(self, parsed: ParsedAuthor) -> Author:
        if self._is_researcher(parsed):
            return self.researcher_author
        return self._known[self._key(parsed)]

    def _is_researcher(self, parsed: ParsedAuthor) -> bool:
        return self.researcher_author is not None and author_rules.is_researcher(
            parsed, self.researcher_author
        )

    def _key(self, parsed: ParsedAuthor) -> str:
        name = parsed.display_name
        if name not in self._keys:
            self._keys[name] = name_key(name)
        return self._keys[name]


def _sign(work: _Work, people: _People) -> list[Authorship]:
    """The author list of a new or unsigned publication: each person once a role, in order."""
    authorships = []
    for role, names in _roles(_author_source(work)):
        seen: set[int] = set()
        for parsed in names:
            author = people.author(parsed)
            if author.pk not in seen:
                seen.add(author.pk)
                authorships.append(
                    Authorship(
                        publication=work.publication, author=author, role=role, position=len(seen)
                    )
                )
    return authorships


def _roles(entry: ParsedEntry) -> list[tuple[str, list[ParsedAuthor]]]:
    return [(Authorship.Role.AUTHOR, entry.authors), (Authorship.Role.EDITOR, entry.editors)]


def _author_source(work: _Work) -> ParsedEntry:
    """The entry whose author list a new publication takes: the cited one when it has names,
    else the first that has."""
    cited = next(
        (
            o.entry
            for o in work.outcomes
            if o.version_role in (VersionRole.CITED, VersionRole.REPLACES)
        ),
        work.entries[0],
    )
    if cited.authors or cited.editors:
        return cited
    return next((e for e in work.entries if e.authors or e.editors), cited)


def _not_among_authors(report, entry: ParsedEntry, researcher_author: Author) -> None:
    report.warnings.append(
        _("%(key)s (line %(line)d): %(name)s is not among the authors.")
        % {"key": entry.key, "line": entry.line, "name": researcher_author}
    )


def _link_researcher(work: _Work, researcher_author: Author, report) -> None:
    """On a publication already signed, put the researcher's record in place of their name."""
    rows = list(work.publication.authorships.select_related("author"))
    if any(row.author_id == researcher_author.pk for row in rows):
        return
    for row in rows:
        author = row.author
        parsed = ParsedAuthor(author.display_name, author.given_name, author.family_name)
        if author_rules.is_researcher(parsed, researcher_author):
            row.author = researcher_author
            row.save(update_fields=["author"])
            return
    _not_among_authors(report, work.entries[0], researcher_author)


def _record_import(works: list[_Work], report: ImportReport, user: AbstractBaseUser | None) -> None:
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


def _authorships(works: list[_Work]) -> Iterator[Authorship]:
    """The author lists of ``works``: the ones written, then the stored ones of the others,
    read a batch at a time."""
    for work in works:
        yield from work.authorships or ()
    kept = [w.publication.pk for w in works if w.authorships is None]
    for start in range(0, len(kept), BATCH_SIZE):
        yield from Authorship.objects.filter(
            publication__in=kept[start : start + BATCH_SIZE]
        ).select_related("author")
