"""Writes on publications and authors that are more than a form save."""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import reversion
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from reversion.models import Revision, Version

from config.page_cache import pages_changed
from profiles.collation import name_key
from profiles.models import Researcher, ResearchTopic

from .bibtex import EntryError, EntryProblem, ParsedAuthor, ParsedEntry, parse_bibtex
from .models import Author, Authorship, Publication, search_vectors_deferred


def author_get_or_create(*, display_name: str) -> tuple[Author, bool]:
    """The author with this name, accents, case and punctuation ignored, or a new one.

    Returns the author and whether it was created. When several authors share the name,
    the oldest is taken: it is the one editors have had longest to link and correct.
    """
    display_name = " ".join(display_name.split())
    existing = Author.objects.filter(name_key=name_key(display_name)).order_by("pk").first()
    if existing is not None:
        return existing, False
    author = Author(display_name=display_name)
    author.full_clean(exclude=["name_key"])
    author.save()
    return author, True


# BibTeX import ---------------------------------------------------------------------------

BATCH_SIZE = 500


class ImportStatus(models.TextChoices):
    CREATED = "created", _("new")
    PRESENT = "present", _("already present")
    MERGED = "merged", _("merged into an existing publication")
    SKIPPED = "skipped", _("skipped")


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


@dataclass
class _Group:
    """One publication in the file: an entry and the later entries that repeat it."""

    entry: ParsedEntry
    outcomes: list[ImportedEntry] = field(default_factory=list)
    existing: Publication | None = None
    publication: Publication | None = None


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

    An entry that repeats a stored publication (same DOI, same arXiv id, or same title with a
    year within one) fills that publication's missing fields instead of adding a copy; entries
    that repeat each other in the file become one publication. With an unreadable or invalid
    entry nothing is imported, unless ``skip_invalid`` is set. ``dry_run`` reports what would
    happen and leaves the database as it was. ``researcher`` links the researcher's own author
    record; ``topics`` are added to every imported publication.
    """
    report = ImportReport(dry_run=dry_run)
    parsed = parse_bibtex(text)
    entries = []
    for entry in parsed.entries:
        try:
            _validate(entry)
        except EntryError as error:
            parsed.problems.append(EntryProblem(entry.key, entry.line, str(error)))
        else:
            entries.append(entry)
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
        groups = _group_duplicates(entries)
        _match_existing(groups)

        def written() -> list[int]:
            # A dry run is rolled back: its search vectors are not worth computing.
            if dry_run:
                return []
            return [group.publication.pk for group in groups if group.publication is not None]

        with search_vectors_deferred(written):
            _write(groups, researcher=researcher, topics=topics, report=report, progress=progress)
        if dry_run:
            transaction.set_rollback(True)
        else:
            _record_import(report, user)
            pages_changed()  # bulk inserts send no signals
    report.entries.sort(key=lambda outcome: outcome.line)
    return report


def _record_import(report: ImportReport, user: AbstractBaseUser | None) -> None:
    """One revision for the whole import, holding each publication it created or completed
    with its author list, so that the admin's history and recent activity show it and an
    editor can undo it.

    The versions are written in bulk, in the very form django-reversion writes them (one
    JSON-serialized object each): through ``add_to_revision`` a large import spent twice as
    long recording its history as importing.
    """
    touched = {
        entry.publication.pk: entry.publication
        for entry in [*report.created, *report.merged]
        if entry.publication is not None
    }
    if not touched:
        return
    publications = list(touched.values())
    prefetch_related_objects(publications, "authorships__author", "topics")
    authorships = [a for p in publications for a in p.authorships.all()]
    revision = Revision.objects.create(
        date_created=timezone.now(),
        user=user,
        comment=_("Imported from BibTeX: %(created)d created, %(merged)d completed.")
        % {"created": len(report.created), "merged": len(report.merged)},
    )
    versions = []
    for objects in (publications, authorships):
        content_type = ContentType.objects.get_for_model(type(objects[0]))
        rows = serializers.serialize("python", objects)
        versions += [
            Version(
                revision=revision,
                content_type=content_type,
                object_id=str(obj.pk),
                db=obj._state.db,
                format="json",
                serialized_data=json.dumps([row], cls=DjangoJSONEncoder),
                object_repr=str(obj),
            )
            for obj, row in zip(objects, rows, strict=True)
        ]
    Version.objects.bulk_create(versions, batch_size=BATCH_SIZE)


def _validate(entry: ParsedEntry) -> None:
    """The checks of the publication's form that BibTeX values can fail (addresses, lengths),
    without touching the database. Titles and venues are already cut to their lengths."""
    for name in ("url", "pdf_url", "doi", "arxiv_id"):
        value = getattr(entry, name)
        if not value:
            continue
        field = Publication._meta.get_field(name)
        try:
            field.clean(value, None)
        except ValidationError as error:
            raise EntryError(f"{field.verbose_name}: {' '.join(error.messages)}") from error


def _new_publication(entry: ParsedEntry) -> Publication:
    return Publication(
        title=entry.title,
        year=entry.year,
        kind=entry.kind,
        venue=entry.venue,
        abstract=entry.abstract,
        doi=entry.doi,
        arxiv_id=entry.arxiv_id,
        url=entry.url,
        pdf_url=entry.pdf_url,
        language=entry.language,
    )


FILLABLE_FIELDS = ("abstract", "venue", "doi", "arxiv_id", "url", "pdf_url")


def _group_duplicates(entries: list[ParsedEntry]) -> list[_Group]:
    """Entries of one file that are the same publication, gathered under the first one."""
    groups: list[_Group] = []
    by_doi: dict[str, _Group] = {}
    by_arxiv: dict[str, _Group] = {}
    by_title: dict[str, list[_Group]] = {}
    for entry in entries:
        key = entry.title_key
        group = (
            (entry.doi and by_doi.get(entry.doi))
            or (entry.arxiv_id and by_arxiv.get(entry.arxiv_id))
            or next((g for g in by_title.get(key, []) if abs(g.entry.year - entry.year) <= 1), None)
        )
        outcome = ImportedEntry(entry.key, entry.line, entry.title, ImportStatus.CREATED)
        if group is None:
            group = _Group(entry=entry)
            groups.append(group)
            by_title.setdefault(key, []).append(group)
        else:
            outcome.status = ImportStatus.MERGED
            for name in FILLABLE_FIELDS:
                if not getattr(group.entry, name) and getattr(entry, name):
                    setattr(group.entry, name, getattr(entry, name))
        group.outcomes.append(outcome)
        if group.entry.doi:
            by_doi.setdefault(group.entry.doi, group)
        if group.entry.arxiv_id:
            by_arxiv.setdefault(group.entry.arxiv_id, group)
    return groups


def _chunks(items: list, size: int = BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _match_existing(groups: list[_Group]) -> None:
    """Find the stored publication each group repeats, in a few queries per 500 entries."""
    for chunk in _chunks(groups):
        dois = {g.entry.doi for g in chunk if g.entry.doi}
        arxiv_ids = {g.entry.arxiv_id for g in chunk if g.entry.arxiv_id}
        keys = {g.entry.title_key for g in chunk}
        candidates = list(
            Publication.objects.filter(
                Q(doi__in=dois) | Q(arxiv_id__in=arxiv_ids) | Q(title_key__in=keys)
            ).order_by("pk")
        )
        by_doi = {p.doi: p for p in candidates if p.doi}
        by_arxiv = {p.arxiv_id: p for p in candidates if p.arxiv_id}
        by_title: dict[str, list[Publication]] = {}
        for publication in candidates:
            by_title.setdefault(publication.title_key, []).append(publication)
        for group in chunk:
            entry = group.entry
            group.existing = (
                (entry.doi and by_doi.get(entry.doi))
                or (entry.arxiv_id and by_arxiv.get(entry.arxiv_id))
                or next(
                    (p for p in by_title.get(entry.title_key, []) if abs(p.year - entry.year) <= 1),
                    None,
                )
            )


def _write(
    groups: list[_Group],
    *,
    researcher: Researcher | None,
    topics: Sequence[ResearchTopic],
    report: ImportReport,
    progress: Callable[[int, int], None] | None,
) -> None:
    researcher_author = _researcher_author(researcher) if researcher else None
    done = 0
    for chunk in _chunks(groups):
        new_groups = [g for g in chunk if g.existing is None]
        for group in new_groups:
            group.publication = _new_publication(group.entry)
            group.publication.refresh_derived_fields()
        Publication.objects.bulk_create([g.publication for g in new_groups])

        changed: list[Publication] = []
        needs_authors = list(new_groups)
        for group in chunk:
            if group.existing is None:
                continue
            group.publication = group.existing
            filled = _fill_missing(group.existing, group.entry)
            if filled:
                changed.append(group.existing)
            for outcome in group.outcomes:
                outcome.status = ImportStatus.MERGED if filled else ImportStatus.PRESENT
        if changed:
            for publication in changed:
                publication.refresh_derived_fields()
            Publication.objects.bulk_update(
                changed, [*FILLABLE_FIELDS, *Publication.DERIVED_FIELDS, "updated_at"]
            )
        existing_ids = [g.existing.pk for g in chunk if g.existing is not None]
        signed = set(
            Authorship.objects.filter(publication__in=existing_ids).values_list(
                "publication", flat=True
            )
        )
        needs_authors += [
            g for g in chunk if g.existing is not None and g.existing.pk not in signed
        ]
        _write_authorships(needs_authors, researcher_author, report)
        if researcher_author is not None:
            _link_researcher(
                [g for g in chunk if g.existing is not None and g not in needs_authors],
                researcher_author,
                report,
            )
        if topics:
            links = Publication.topics.through
            links.objects.bulk_create(
                [links(publication=g.publication, researchtopic=t) for g in chunk for t in topics],
                ignore_conflicts=True,
            )
        for group in chunk:
            for outcome in group.outcomes:
                outcome.publication = group.publication
                outcome.existed = group.existing is not None
                report.entries.append(outcome)
        done += len(chunk)
        if progress is not None:
            progress(done, len(groups))


def _fill_missing(publication: Publication, entry: ParsedEntry) -> bool:
    """Copy the entry's values into the publication's empty fields; whether any was empty.

    An identifier that another stored publication already has is left out: the two are
    then possible duplicates for an editor to merge, not something to decide silently.
    """
    filled = False
    for name in FILLABLE_FIELDS:
        value = getattr(entry, name)
        if not value or getattr(publication, name):
            continue
        if name in ("doi", "arxiv_id") and Publication.objects.filter(**{name: value}).exists():
            continue
        setattr(publication, name, value)
        filled = True
    if filled:
        publication.updated_at = timezone.now()
    return filled


def _researcher_author(researcher: Researcher) -> Author:
    author = Author.objects.filter(researcher=researcher).first()
    if author is None:
        author, _created = author_get_or_create(display_name=researcher.full_name)
        if author.researcher_id is not None:  # the name belongs to someone else's record
            author = Author(display_name=researcher.full_name)
        author.researcher = researcher
        author.save()
    return author


def _is_researcher(parsed: ParsedAuthor, author: Author) -> bool:
    """Whether a name on a paper is the researcher's: the same name, or the same family name
    with the same first initial ("R. Pascanu" for "Razvan Pascanu")."""
    if name_key(parsed.display_name) == author.name_key:
        return True
    given = name_key(parsed.given_name)
    return (
        name_key(parsed.family_name) == name_key(author.family_name)
        and bool(given)
        and given[:1] == name_key(author.given_name)[:1]
    )


def _write_authorships(
    groups: list[_Group], researcher_author: Author | None, report: ImportReport
) -> None:
    """Authors matched by name (or created once) and signed in order, in a few queries."""
    names = {
        name_key(parsed.display_name): parsed
        for g in groups
        for parsed in g.entry.authors
        if researcher_author is None or not _is_researcher(parsed, researcher_author)
    }
    known: dict[str, Author] = {}
    for chunk in _chunks(list(names)):
        for author in Author.objects.filter(name_key__in=chunk).order_by("-pk"):
            known[author.name_key] = author  # the oldest record wins
    missing = []
    for key, parsed in names.items():
        if key not in known:
            author = Author(
                display_name=parsed.display_name,
                given_name=parsed.given_name,
                family_name=parsed.family_name,
            )
            author.refresh_derived_fields()
            known[key] = author
            missing.append(author)
    Author.objects.bulk_create(missing, batch_size=BATCH_SIZE)

    authorships = []
    for group in groups:
        seen: set[int] = set()
        found_researcher = researcher_author is None
        for parsed in group.entry.authors:
            if researcher_author is not None and _is_researcher(parsed, researcher_author):
                author = researcher_author
                found_researcher = True
            else:
                author = known[name_key(parsed.display_name)]
            if author.pk in seen:
                continue
            seen.add(author.pk)
            authorships.append(
                Authorship(publication=group.publication, author=author, position=len(seen))
            )
        if not found_researcher:
            report.warnings.append(
                _("%(key)s (line %(line)d): %(name)s is not among the authors.")
                % {"key": group.entry.key, "line": group.entry.line, "name": researcher_author}
            )
    Authorship.objects.bulk_create(authorships, batch_size=BATCH_SIZE)


def _link_researcher(groups: list[_Group], researcher_author: Author, report: ImportReport) -> None:
    """On publications already signed, put the researcher's record in place of their name."""
    if not groups:
        return
    rows = Authorship.objects.filter(
        publication__in=[g.publication for g in groups]
    ).select_related("author")
    by_publication: dict[int, list[Authorship]] = {}
    for row in rows:
        by_publication.setdefault(row.publication_id, []).append(row)
    to_update = []
    for group in groups:
        signatures = by_publication.get(group.publication.pk, [])
        if any(row.author_id == researcher_author.pk for row in signatures):
            continue
        for row in signatures:
            parsed = ParsedAuthor(
                row.author.display_name, row.author.given_name, row.author.family_name
            )
            if _is_researcher(parsed, researcher_author):
                row.author = researcher_author
                to_update.append(row)
                break
        else:
            report.warnings.append(
                _("%(key)s (line %(line)d): %(name)s is not among the authors.")
                % {"key": group.entry.key, "line": group.entry.line, "name": researcher_author}
            )
    Authorship.objects.bulk_update(to_update, ["author"])


# Merging duplicates -------------------------------------------------------------------------


@dataclass
class MergeReport:
    kept: Publication
    removed: list[str] = field(default_factory=list)
    filled_fields: list[str] = field(default_factory=list)
    added_authors: list[str] = field(default_factory=list)
    added_topics: list[str] = field(default_factory=list)


@transaction.atomic
def publication_merge(
    *,
    keep: Publication,
    duplicates: Sequence[Publication],
    user: AbstractBaseUser | None = None,
) -> MergeReport:
    """Fold ``duplicates`` into ``keep`` and delete them, in one transaction.

    ``keep`` keeps its own values and author order; it gains the duplicates' topics, the
    authors it lacks (after its own, in their order) and the values of its empty fields.

    Two revisions are recorded: every publication as it was before, then the result. Reverting
    ``keep`` to the first (from its history in the admin) undoes the merge, duplicates included.
    """
    keep = Publication.objects.select_for_update().get(pk=keep.pk)
    duplicates = [d for d in duplicates if d.pk != keep.pk]
    report = MergeReport(kept=keep)
    if not duplicates:
        return report
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(
            _("Before merging %(count)d publications into “%(title)s”.")
            % {"count": len(duplicates), "title": keep.title}
        )
        for publication in [keep, *duplicates]:
            reversion.add_to_revision(publication)
    with reversion.create_revision():
        reversion.set_user(user)
        _merge(keep, duplicates, report)
        reversion.set_comment(
            _("Merged into “%(title)s”: %(removed)s.")
            % {"title": keep.title, "removed": "; ".join(report.removed)}
        )
        reversion.add_to_revision(keep)
    return report


def _merge(keep: Publication, duplicates: Sequence[Publication], report: MergeReport) -> None:
    signed = {a.author_id for a in keep.authorships.all()}
    next_position = max((a.position for a in keep.authorships.all()), default=0) + 1
    new_authorships = []
    topic_ids = set(keep.topics.values_list("pk", flat=True))
    new_topics = []
    for duplicate in duplicates:
        for authorship in duplicate.authorships.select_related("author").order_by("position"):
            if authorship.author_id in signed:
                continue
            signed.add(authorship.author_id)
            new_authorships.append((authorship.author, next_position))
            report.added_authors.append(authorship.author.display_name)
            next_position += 1
        for topic in duplicate.topics.all():
            if topic.pk not in topic_ids:
                topic_ids.add(topic.pk)
                new_topics.append(topic)
                report.added_topics.append(topic.name)
        for name in FILLABLE_FIELDS:
            if not getattr(keep, name) and getattr(duplicate, name):
                setattr(keep, name, getattr(duplicate, name))
                report.filled_fields.append(name)
        report.removed.append(duplicate.title)
    # The duplicates go first: their DOI or arXiv id may move to the publication kept.
    Publication.objects.filter(pk__in=[d.pk for d in duplicates]).delete()
    keep.save()
    Authorship.objects.bulk_create(
        Authorship(publication=keep, author=author, position=position)
        for author, position in new_authorships
    )
    keep.topics.add(*new_topics)
