"""The preview and the import of an editor's BibTeX text, in the request when it is small and
in a background task (``manage.py db_worker``) when it is large, with the report they leave."""

import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskContext, task
from django_tasks_db.models import DBTaskResult

from .bibtex import EntryProblem
from .models import CitedFields, PendingImport, Publication, PublicationKind, PublicationVersion
from .services import publication_import_bibtex
from .services.import_report import ImportedEntry, ImportReport
from .services.versions import FieldChange, describe

logger = logging.getLogger(__name__)

# How long a finished task's report (and the progress of a running one) is kept for the editor.
REPORT_LIFETIME = PendingImport.LIFETIME


class ImportFailedError(Exception):
    """An import that stopped, nothing written, with the reason in plain words for the editor.

    Its message is one line: the import page reads it back from the failed task.
    """


def import_step(pending: PendingImport, *, dry_run: bool, progress=None) -> dict:
    """Preview (``dry_run``) or import ``pending``; the report, as stored and shown.

    The pending import is deleted once imported, once its preview shows that nothing can be
    imported, and when the step fails: then ImportFailedError says why, and nothing was written (the
    import runs in one transaction).
    """
    # The report and any failure are told in the language of the editor who started the import.
    with translation.override(pending.language or None):
        report = _import(pending, dry_run=dry_run, progress=progress)
        stored = stored_report(report)
    if dry_run and report.succeeded:
        pending.state = PendingImport.State.PREVIEWED
        pending.save(update_fields=["state", "updated_at"])
    else:
        pending.delete()
    return stored


def _import(pending: PendingImport, *, dry_run: bool, progress) -> ImportReport:
    """The import service's report; a failure forgets the pending import and says why."""
    try:
        report = publication_import_bibtex(
            text=pending.text,
            researcher=pending.researcher,
            topics=list(pending.topics.all()),
            skip_invalid=pending.skip_invalid,
            dry_run=dry_run,
            progress=progress,
            user=pending.created_by,
        )
    except DatabaseError as error:
        _forget(pending)
        raise ImportFailedError(
            _("The database refused the changes (%(error)s). Nothing was imported.")
            % {"error": " ".join(str(error).split()) or type(error).__name__}
        ) from error
    except Exception as error:
        _forget(pending)
        raise ImportFailedError(
            _("An unexpected error stopped the import (%(error)s). Nothing was imported.")
            % {"error": type(error).__name__}
        ) from error
    return report


def _forget(pending: PendingImport) -> None:
    """Delete a pending import whose step failed; if even that fails, it expires later."""
    logger.exception("The BibTeX import %s failed", pending.pk)
    try:
        pending.delete()
    except DatabaseError:
        logger.exception("The failed BibTeX import %s could not be deleted", pending.pk)


@task(takes_context=True)
def preview_bibtex_import(context: TaskContext, *, pending_id: int, user_id: int, source: str):
    """What each entry of a pending import would become (a dry run)."""
    return _run(context, pending_id, dry_run=True)


@task(takes_context=True)
def run_bibtex_import(context: TaskContext, *, pending_id: int, user_id: int, source: str):
    """The import of a previewed pending import, all or nothing."""
    return _run(context, pending_id, dry_run=False)


TASKS = (preview_bibtex_import, run_bibtex_import)


def _run(context: TaskContext, pending_id: int, *, dry_run: bool) -> dict:
    expire_imports()
    pending = (
        PendingImport.objects.select_related("researcher", "created_by")
        .filter(pk=pending_id)
        .first()
    )
    if pending is None:
        raise ImportFailedError(_("This import was cancelled, or it expired, before it could run."))
    progress = ImportProgress(str(context.task_result.id))
    return import_step(pending, dry_run=dry_run, progress=progress.update)


def expire_imports() -> int:
    """Delete the pending imports nobody touched for a day, and the reports of the import
    tasks that finished a day ago: how many pending imports went."""
    count, _kinds = PendingImport.objects.expired().delete()
    DBTaskResult.objects.filter(
        task_path__in=[task.module_path for task in TASKS],
        finished_at__lt=timezone.now() - REPORT_LIFETIME,
    ).delete()
    return count


# Progress. The import writes in one transaction, which other connections cannot see into
# (and which SQLite lets no one else write beside), so its progress goes to the cache.


@dataclass(frozen=True)
class ImportProgress:
    """How far a background task is: publications written (or compared, for a preview) out
    of those in the text. Shared by every process through the cache when it is Redis."""

    task_id: str

    @property
    def key(self) -> str:
        return f"bibtex-import-progress:{self.task_id}"

    def update(self, done: int, total: int) -> None:
        cache.set(self.key, (done, total), REPORT_LIFETIME.total_seconds())

    def read(self) -> tuple[int, int] | None:
        value = cache.get(self.key)
        return tuple(value) if value else None


def failure_message(error_class_path: str, traceback: str) -> str:
    """A failed task's reason in plain words: the message of ImportFailedError, else a general one
    (the details are in the worker's log and the tasks' admin, not for the editor)."""
    own = f"{ImportFailedError.__module__}.{ImportFailedError.__qualname__}"
    last = traceback.rstrip().rsplit("\n", 1)[-1]
    if error_class_path == own and last.startswith(f"{own}: "):
        return last.removeprefix(f"{own}: ")
    return _(
        "The import stopped unexpectedly (the worker running it may have been stopped). "
        "Nothing was imported."
    )


# The report, in plain values: kept as the task's result and shown by the import page.


def stored_report(report: ImportReport) -> dict:
    """What the import page shows of ``report``, in the language now active."""
    stored = [o.publication.pk for o in report.entries if o.existed and o.publication]
    # A dry run leaves its changes in the objects it reports: the titles as they are stored.
    titles = dict(Publication.objects.filter(pk__in=stored).values_list("pk", "title"))
    shown = {
        str(EntryProblem(outcome.key, outcome.line, warning))
        for outcome in report.entries
        for warning in outcome.warnings
    }
    return {
        "dry_run": report.dry_run,
        "counts": {
            "created": len(report.created),
            "versions": len(report.versions),
            "present": len(report.present),
            "merged": len(report.merged),
            "skipped": len(report.skipped),
        },
        "problems": [
            {"key": p.key, "line": p.line, "message": str(p.message)} for p in report.problems
        ],
        # The warnings that are not about one entry's left-out values (shown with the entry).
        "warnings": [str(w) for w in report.warnings if str(w) not in shown],
        "entries": [_stored_entry(outcome, titles) for outcome in report.entries],
    }


def _stored_entry(outcome: ImportedEntry, titles: dict[int, str]) -> dict:
    publication = outcome.publication
    stored = {
        "key": outcome.key,
        "line": outcome.line,
        "title": outcome.title,
        "status": str(outcome.status),
        "reason": str(outcome.reason),
        "version_role": str(outcome.version_role),
        "existed": outcome.existed,
        "publication": publication.pk if publication is not None else None,
        "target_title": (
            titles.get(publication.pk, publication.title) if publication is not None else ""
        ),
        "authors": [
            {"name": m.name, "role": str(m.role), "author": m.author.pk if m.author else None}
            for m in outcome.authors
        ],
        "truncated": False,
        "kind": "",
        "year": None,
        "where": "",
        "version": "",
        "changes": [_readable_change(change) for change in outcome.changes],
        "warnings": [str(warning) for warning in outcome.warnings],
    }
    entry = outcome.entry
    if entry is not None:
        as_version = PublicationVersion(
            **{name: getattr(entry, name) for name in CitedFields.CITED_FIELDS}
        )
        stored.update(
            truncated=entry.authors_truncated or entry.editors_truncated,
            kind=str(as_version.get_kind_display()),
            year=entry.year,
            where=entry.venue or entry.institution or entry.publisher,
            version=describe(as_version),
        )
    return stored


def _readable_change(change: FieldChange) -> list[str]:
    def readable(value) -> str:
        if value in ("", None):
            return "—"
        if change.name == "kind" and value in PublicationKind.values:
            return str(PublicationKind(value).label)
        return str(value)

    return [str(change.label), readable(change.old), readable(change.new)]
