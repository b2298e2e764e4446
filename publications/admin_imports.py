"""The admin's BibTeX import pages: a small text is previewed and imported in the request,
a large one in a background task (see publications/tasks.py), whose page the editor may leave
and find again in their list of imports."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .forms import BibtexImportForm
from .models import PendingImport
from .tasks import (
    REPORT_LIFETIME,
    ImportFailedError,
    ImportProgress,
    expire_imports,
    failure_message,
    import_step,
    preview_bibtex_import,
    run_bibtex_import,
)
from .tasks import TASKS as IMPORT_TASKS


class BibtexImportAdmin:
    """For the publication admin: the import page, the preview of a pending import and its
    confirmation, and the progress and report of a background task."""

    def get_urls(self):
        return [
            path(
                "import-bibtex/",
                refuse_long_pasted_text(self.admin_site.admin_view(self.import_bibtex_view)),
                name="publications_publication_import_bibtex",
            ),
            path(
                "import-bibtex/<int:pending_id>/",
                self.admin_site.admin_view(self.import_pending_view),
                name="publications_publication_import_pending",
            ),
            path(
                "import-bibtex/tasks/<uuid:task_id>/",
                self.admin_site.admin_view(self.import_task_view),
                name="publications_publication_import_task",
            ),
            path(
                "import-bibtex/tasks/<uuid:task_id>/status/",
                self.admin_site.admin_view(self.import_task_status_view),
                name="publications_publication_import_task_status",
            ),
            *super().get_urls(),
        ]

    def import_bibtex_view(self, request: HttpRequest) -> HttpResponse:
        """Upload or paste BibTeX, see what each entry would become, then confirm."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "confirm" in request.POST:
            return self._import_confirm(request)
        if request.method == "POST" and "cancel" in request.POST:
            return self._import_cancel(request)
        if request.method == "POST":
            form = BibtexImportForm(request.POST, request.FILES)
        else:
            form = BibtexImportForm(initial=BibtexImportForm.initial_from(request.GET))
        if request.method == "POST" and form.is_valid():
            expire_imports()
            # A new import replaces the editor's earlier, unconfirmed ones.
            PendingImport.objects.filter(created_by=request.user).exclude(
                state=PendingImport.State.IMPORTING
            ).delete()
            pending = _pending_import(form, request)
            if _runs_in_background(pending):
                return _enqueue_import(request, pending, preview_bibtex_import)
            return self._import_preview(request, pending)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import BibTeX"),
            "form": form,
            "pasted_too_long": request.GET.get("pasted") == "too-long",
            "upload_limit": DATA_UPLOAD_MAX_MEGABYTES,
            "imports": editor_imports(request.user),
        }
        return TemplateResponse(
            request, "admin/publications/publication/import_bibtex.html", context
        )

    def import_pending_view(self, request: HttpRequest, pending_id: int) -> HttpResponse:
        """The preview of a small pending import, made again: the editor's way back to it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        pending = get_object_or_404(
            PendingImport.objects.exclude(state=PendingImport.State.IMPORTING),
            pk=pending_id,
            created_by=request.user,
        )
        if pending.task_id:
            return HttpResponseRedirect(_task_url(pending.task_id))
        return self._import_preview(request, pending)

    def _import_preview(self, request: HttpRequest, pending: PendingImport) -> HttpResponse:
        try:
            report = import_step(pending, dry_run=True)
        except ImportFailedError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(_import_url())
        still_pending = PendingImport.objects.filter(pk=pending.pk).first()
        return self._import_report_response(request, report, pending=still_pending)

    def _import_report_response(
        self, request: HttpRequest, report: dict, *, pending=None, page_number=None, title=None
    ) -> HttpResponse:
        rows = entry_previews(report["entries"], imported=not report["dry_run"])
        page = Paginator(rows, REPORT_ROWS_PER_PAGE).get_page(page_number)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title or (_("Preview") if report["dry_run"] else _("Imported")),
            "report": report,
            "previews": page.object_list,
            "page": page,
            "pending": pending,
            "imports_url": _import_url(),
        }
        return TemplateResponse(
            request, "admin/publications/publication/import_preview.html", context
        )

    def _import_confirm(self, request: HttpRequest) -> HttpResponse:
        pending = get_object_or_404(
            PendingImport,
            pk=_id_or_none(request.POST.get("confirm")),
            created_by=request.user,
            state=PendingImport.State.PREVIEWED,
        )
        pending.state = PendingImport.State.IMPORTING
        pending.save(update_fields=["state", "updated_at"])
        if _runs_in_background(pending):
            return _enqueue_import(request, pending, run_bibtex_import)
        try:
            report = import_step(pending, dry_run=False)
        except ImportFailedError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(_import_url())
        if report["problems"]:
            self.message_user(request, CHANGED_SINCE_PREVIEW, messages.ERROR)
        else:
            self.message_user(request, imported_message(report), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:publications_publication_changelist"))

    def _import_cancel(self, request: HttpRequest) -> HttpResponse:
        """Forget a pending import that is not being imported (that cannot be stopped)."""
        deleted, _kinds = (
            PendingImport.objects.filter(
                pk=_id_or_none(request.POST.get("cancel")), created_by=request.user
            )
            .exclude(state=PendingImport.State.IMPORTING)
            .delete()
        )
        if deleted:
            self.message_user(
                request, _("The import was cancelled: nothing was imported."), messages.SUCCESS
            )
        return HttpResponseRedirect(_import_url())

    def import_task_view(self, request: HttpRequest, task_id) -> HttpResponse:
        """A background preview or import: its progress, then its report or why it failed."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        progress = ImportTaskProgress.of(_editor_task(request, task_id))
        if progress.report is not None:
            pending = PendingImport.objects.filter(
                task_id=str(task_id),
                created_by=request.user,
                state=PendingImport.State.PREVIEWED,
            ).first()
            return self._import_report_response(
                request,
                progress.report,
                pending=pending,
                page_number=request.GET.get("page"),
                title=progress.title,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": progress.title,
            "progress": progress,
            "status_url": reverse(
                "admin:publications_publication_import_task_status", args=[task_id]
            ),
            "imports_url": _import_url(),
        }
        return TemplateResponse(
            request, "admin/publications/publication/import_progress.html", context
        )

    def import_task_status_view(self, request: HttpRequest, task_id) -> JsonResponse:
        """The progress of a background task, for the page's script to show without reloading."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        progress = ImportTaskProgress.of(_editor_task(request, task_id))
        return JsonResponse(
            {
                "finished": progress.finished,
                "done": progress.done,
                "total": progress.total,
                "text": progress.text,
            }
        )


# The steps of the pages, and what they show of an import.

# Entries a report page shows at once: a 20 MB file has some 17,000.
REPORT_ROWS_PER_PAGE = 500
DATA_UPLOAD_MAX_MEGABYTES = round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024, 1)
CHANGED_SINCE_PREVIEW = _("Nothing was imported: the entries have changed since the preview.")


def _import_url() -> str:
    return reverse("admin:publications_publication_import_bibtex")


def _task_url(task_id) -> str:
    return reverse("admin:publications_publication_import_task", args=[task_id])


def _id_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else None


def refuse_long_pasted_text(view: Callable) -> Callable:
    """``view``, but a form whose pasted text is over DATA_UPLOAD_MAX_MEMORY_SIZE (which
    Django answers with a bare 400 page) sends the editor back to the form, which says to
    upload the text as a file. Nothing is read or changed then, so the CSRF check (made by
    ``view``, an admin view, once the form is read) is not needed for that answer."""

    @csrf_exempt
    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 (reading the form is what may fail)
            except RequestDataTooBig:
                return HttpResponseRedirect(f"{_import_url()}?pasted=too-long", status=303)
        return view(request, *args, **kwargs)

    return guarded


def _pending_import(form: BibtexImportForm, request: HttpRequest) -> PendingImport:
    upload = form.cleaned_data["file"]
    text = form.cleaned_data["bibtex"]
    pending = PendingImport.objects.create(
        text=text,
        created_by=request.user,
        researcher=form.cleaned_data["researcher"],
        skip_invalid=form.cleaned_data["skip_invalid"],
        source=Truncator(upload.name).chars(255) if upload else "",
        size=len(text.encode()),
        language=translation.get_language() or "",
    )
    pending.topics.set(form.cleaned_data["topics"])
    return pending


def _runs_in_background(pending: PendingImport) -> bool:
    return pending.size > settings.BIBTEX_IMPORT_INLINE_MAX_BYTES


def _enqueue_import(request: HttpRequest, pending: PendingImport, task) -> HttpResponse:
    result = task.enqueue(pending_id=pending.pk, user_id=request.user.pk, source=pending.source)
    # The worker may have finished (and deleted the pending import) already: then no row.
    PendingImport.objects.filter(pk=pending.pk).update(task_id=str(result.id))
    return HttpResponseRedirect(_task_url(result.id))


def _editor_task(request: HttpRequest, task_id) -> DBTaskResult:
    """The editor's own import task, or 404."""
    return get_object_or_404(
        DBTaskResult,
        id=task_id,
        task_path__in=[task.module_path for task in IMPORT_TASKS],
        args_kwargs__kwargs__user_id=request.user.pk,
    )


def imported_message(report: dict) -> str:
    return (
        _(
            "BibTeX imported: %(created)d created, %(versions)d other versions, "
            "%(present)d already present, %(merged)d merged into existing, %(skipped)d skipped."
        )
        % report["counts"]
    )


@dataclass
class ImportTaskProgress:
    """What the page of a background preview or import shows."""

    title: str
    finished: bool = False
    done: int | None = None  # publications written (or compared), once the text is read
    total: int | None = None
    text: str = ""
    error: str = ""
    report: dict | None = None

    @classmethod
    def of(cls, row: DBTaskResult) -> "ImportTaskProgress":
        is_preview = row.task_path == preview_bibtex_import.module_path
        progress = cls(title=_import_title(row.args_kwargs["kwargs"]["source"], is_preview))
        if row.status == TaskResultStatus.SUCCESSFUL:
            progress.finished, progress.report = True, row.return_value
        elif row.status == TaskResultStatus.FAILED:
            progress.finished = True
            progress.error = failure_message(row.exception_class_path, row.traceback)
            progress.text = progress.error
        elif row.status == TaskResultStatus.READY:
            progress.text = gettext("Waiting for a worker to start it…")
        else:
            progress.done, progress.total = ImportProgress(str(row.id)).read() or (None, None)
            progress.text = _progress_text(progress.done, progress.total, is_preview)
        return progress


def _progress_text(done: int | None, total: int | None, is_preview: bool) -> str:
    if total is None:
        return gettext("Reading the text…")
    names = {
        "done": number_format(done, force_grouping=True),
        "total": number_format(total, force_grouping=True),
    }
    if is_preview:
        return gettext("%(done)s of %(total)s publications compared with the stored ones") % names
    return gettext("%(done)s of %(total)s publications written") % names


def editor_imports(user) -> list[dict]:
    """The editor's imports of the last day, newest first: the small ones waiting for
    confirmation, and the background tasks, running or finished."""
    rows = [
        {
            "what": _import_title(pending.source, is_preview=True),
            "when": pending.created_at,
            "status": pending.get_state_display(),
            "url": reverse("admin:publications_publication_import_pending", args=[pending.pk]),
        }
        for pending in PendingImport.objects.filter(
            created_by=user, task_id="", state=PendingImport.State.PREVIEWED
        )
    ]
    tasks = DBTaskResult.objects.filter(
        task_path__in=[task.module_path for task in IMPORT_TASKS],
        args_kwargs__kwargs__user_id=user.pk,
        enqueued_at__gte=timezone.now() - REPORT_LIFETIME,
    ).order_by("-enqueued_at")[:20]
    for row in tasks:
        is_preview = row.task_path == preview_bibtex_import.module_path
        rows.append(
            {
                "what": _import_title(row.args_kwargs["kwargs"]["source"], is_preview),
                "when": row.enqueued_at,
                "status": TASK_STATUS_LABELS[row.status],
                "url": _task_url(row.id),
            }
        )
    return sorted(rows, key=lambda row: row["when"], reverse=True)


def _import_title(source: str, is_preview: bool) -> str:
    names = {"source": source or gettext("pasted text")}
    if is_preview:
        return gettext("Preview of %(source)s") % names
    return gettext("Import of %(source)s") % names


TASK_STATUS_LABELS = {
    TaskResultStatus.READY: _("waiting for a worker"),
    TaskResultStatus.RUNNING: _("under way"),
    TaskResultStatus.SUCCESSFUL: _("finished"),
    TaskResultStatus.FAILED: _("failed"),
}


@dataclass
class EntryPreview:
    """One entry of a BibTeX import as its report shows it."""

    outcome: dict  # the entry as stored in the report (publications.tasks.stored_report)
    target: SafeString | str = ""  # the publication it becomes part of, linked when stored
    link: str = ""  # the publication it became, once imported


def entry_previews(entries: list[dict], *, imported: bool) -> list[EntryPreview]:
    """What the report shows of each entry, in the order of the file."""
    previews = []
    for outcome in entries:
        preview = EntryPreview(outcome, target=_import_target(outcome))
        if imported and outcome["publication"] and outcome["status"] != "skipped":
            preview.link = reverse(
                "admin:publications_publication_change", args=[outcome["publication"]]
            )
        previews.append(preview)
    return previews


def _import_target(outcome: dict) -> SafeString | str:
    if outcome["publication"] is None:
        return ""
    title = Truncator(outcome["target_title"]).chars(80)
    if outcome["existed"]:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:publications_publication_change", args=[outcome["publication"]]),
            title,
        )
    return format_html("“{}” ({})", title, _("another entry of this file"))
