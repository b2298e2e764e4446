"""What a BibTeX import reports, entry by entry, for the import pages, the command and the tasks."""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy

from ..bibtex import EntryProblem, ParsedEntry
from ..models import Author, Publication
from .versions import FieldChange, Folded, VersionRole


class ImportStatus(models.TextChoices):
    CREATED = "created", gettext_lazy("new")
    VERSION = "version", gettext_lazy("another version of a publication")
    MERGED = "merged", gettext_lazy("completes an existing publication")
    PRESENT = "present", gettext_lazy("already present")
    SKIPPED = "skipped", gettext_lazy("skipped")

    @classmethod
    def of(cls, folded: Folded) -> "ImportStatus":
        """What an entry folded into a work already found is."""
        if folded.role == VersionRole.SAME:
            return cls.MERGED if folded.changes else cls.PRESENT
        return cls.VERSION


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

    @classmethod
    def of(cls, entry: ParsedEntry, status: str, folded: Folded) -> "ImportedEntry":
        return cls(
            entry.key,
            entry.line,
            entry.title,
            status,
            entry=entry,
            version_role=folded.role,
            changes=folded.changes,
        )

    @classmethod
    def skipped(cls, problem: EntryProblem) -> "ImportedEntry":
        return cls(problem.key, problem.line, "", ImportStatus.SKIPPED, reason=problem.message)

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
