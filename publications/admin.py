"""Admin for publications, their authors and the order in which they sign."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

import reversion
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.text import Truncator, smart_split, unescape_string_literal
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.admin import ControlCharacterFreeAdmin
from core.drafts import PublishActionsMixin
from core.listing import count_subquery
from core.text import name_key, title_key
from editorial.history import EditHistoryAdmin
from profiles.admin import HTTPS_URL_FIELDS
from profiles.models import Researcher

from .bibtex import ParsedAuthor
from .forms import AuthorshipFormSet, BibtexImportForm, DuplicateCheckMixin
from .identifiers import normalize_arxiv_id, normalize_doi
from .models import (
    Author,
    Authorship,
    CitedFields,
    PendingImport,
    Publication,
    PublicationKind,
    PublicationVersion,
    authors_prefetch,
)
from .services import publication_merge
from .services.authors import is_researcher
from .services.versions import describe, version_make_cited, version_split
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


class PossibleDuplicatesFilter(admin.SimpleListFilter):
    """Publications whose titles read the same (case, accents and punctuation ignored)."""

    title = _("possible duplicates")
    parameter_name = "duplicates"

    def lookups(self, request, model_admin):
        return [("yes", _("Same title as another publication"))]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        repeated = (
            Publication.objects.order_by()
            .values("title_key")
            .annotate(total=Count("pk"))
            .filter(total__gt=1)
            .values("title_key")
        )
        return queryset.filter(title_key__in=repeated)


class AuthorshipInline(ControlCharacterFreeAdmin, admin.TabularInline):
    model = Authorship
    formset = AuthorshipFormSet
    fields = ["role", "position", "author"]
    autocomplete_fields = ["author"]
    ordering = ["role", "position"]
    extra = 1
    # Editors are rows of the same list, with their own positions (see the role column).
    verbose_name = _("author")
    verbose_name_plural = _("authors, in the order they sign")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("author")


def _has_publication_perm(request: HttpRequest, action: str) -> bool:
    opts = Publication._meta
    return request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")


class PublicationVersionInline(ControlCharacterFreeAdmin, admin.StackedInline):
    """The work's other versions (its preprint, the report it grew from).

    A version is part of its publication, as an author row is: whoever may change the
    publication may edit, add or remove its versions, without rights of their own.
    """

    model = PublicationVersion
    fields = [
        "title",
        "kind",
        "year",
        "venue",
        "volume",
        "issue",
        "pages",
        "publisher",
        "institution",
        "number",
        "doi",
        "arxiv_id",
        "url",
        "source_key",
    ]
    readonly_fields = ["version_actions"]
    formfield_overrides = HTTPS_URL_FIELDS
    extra = 0
    verbose_name_plural = _("other versions of this work")

    def get_fields(self, request: HttpRequest, obj=None):
        # Not in ``fields``: the edit history reads those as the columns of the rows.
        return [*self.fields, "version_actions"]

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _has_publication_perm(request, "view") or _has_publication_perm(request, "change")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return _has_publication_perm(request, "change")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return _has_publication_perm(request, "change")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return _has_publication_perm(request, "change")

    @admin.display(description=_("correct a merge"))
    def version_actions(self, version: PublicationVersion) -> str:
        if version.pk is None:
            return "—"
        args = [version.publication_id, version.pk]
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:publications_publication_version_split", args=args),
            _("Split into its own publication"),
            reverse("admin:publications_publication_version_cite", args=args),
            _("Cite this version instead"),
        )


# A fieldset of fields that only some kinds of publication use is marked "by-kind", with a
# "kind-<value>" class per kind it is for: the server collapses it when the chosen kind does
# not use it and it is empty, and static/editor/publication_kinds.js opens it when an editor
# chooses one of its kinds.
BY_KIND = "by-kind"
KIND_CLASS_PREFIX = "kind-"


def kind_fieldset(name, fields: list[str], kinds: list[str], description) -> tuple:
    classes = [BY_KIND, *(f"{KIND_CLASS_PREFIX}{kind}" for kind in kinds)]
    return (name, {"fields": fields, "classes": classes, "description": description})


def collapsed_unless_used(fieldset: tuple, kind: str, filled: set[str]) -> tuple:
    """``fieldset`` collapsed when it is for other kinds than ``kind`` and none of its fields
    is ``filled``: a value, and so an error about a value, is never hidden."""
    name, options = fieldset
    classes = options.get("classes", [])
    if BY_KIND not in classes:
        return fieldset
    kinds = {c.removeprefix(KIND_CLASS_PREFIX) for c in classes if c.startswith(KIND_CLASS_PREFIX)}
    if kind in kinds or filled.intersection(options["fields"]):
        return fieldset
    return (name, {**options, "classes": [*classes, "collapse"]})


PUBLICATION_FIELDSETS = [
    (None, {"fields": ["title", "kind", ("year", "month", "day"), "language", "is_published"]}),
    (
        _("Incomplete lists"),
        {
            "fields": [("authors_truncated", "editors_truncated")],
            # The change form shows the authors and editors just above this fieldset.
            "classes": ["publication-authors"],
            "description": _(
                "Tick when the source names only the first authors or editors (“et al.”)."
            ),
        },
    ),
    kind_fieldset(
        _("Where it appeared"),
        ["venue", "volume", "issue", "pages"],
        [
            PublicationKind.JOURNAL_ARTICLE,
            PublicationKind.CONFERENCE_PAPER,
            PublicationKind.BOOK_CHAPTER,
            PublicationKind.PREPRINT,
            PublicationKind.OTHER,
        ],
        _(
            "For journal articles, conference papers and book chapters: the journal, the "
            "proceedings or the book, and where in it. For preprints and other kinds, the venue "
            "says how it was published."
        ),
    ),
    kind_fieldset(
        _("Books and chapters"),
        ["publisher", "edition", "series", "address"],
        [PublicationKind.BOOK, PublicationKind.BOOK_CHAPTER],
        _(
            "For books and book chapters; conference proceedings may have a publisher and a "
            "series too."
        ),
    ),
    kind_fieldset(
        _("Theses and reports"),
        ["institution", "number"],
        [PublicationKind.THESIS, PublicationKind.REPORT],
        _(
            "For theses (the university) and technical reports (the institution and the "
            "report's number). A book's number in its series goes here too."
        ),
    ),
    kind_fieldset(
        _("Note"),
        ["note"],
        [],
        _("A short remark for any kind of publication, such as “To appear”."),
    ),
    (_("Abstract"), {"fields": ["abstract"]}),
    (_("Identifiers and links"), {"fields": ["doi", "arxiv_id", "url", "pdf_url", "code_url"]}),
    (_("Research topics"), {"fields": ["topics"]}),
    (_("History"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
]


@dataclass(frozen=True)
class VersionAction:
    """A correction made from one of a publication's other versions, confirmed on a page of
    its own."""

    title: Promise
    explanation: Promise
    button: Promise
    done: Promise  # the success message, with {version} and a link to {url} named {title}
    before: Promise  # the history's comments, before and after, with %(version)s and %(title)s
    comment: Promise
    service: Callable[..., Publication]
    needs_add_permission: bool


VERSION_SPLIT = VersionAction(
    title=_("Split a version into its own publication"),
    explanation=_(
        "The version “%(version)s” becomes a publication of its own, with its fields, the same "
        "authors, editors and research topics, and is no longer listed under “%(title)s”. Do "
        "this when the version is another work that was merged by mistake."
    ),
    button=_("Split into its own publication"),
    done=_('The version “{version}” is now its own publication: <a href="{url}">{title}</a>.'),
    before=_("Before splitting the version “%(version)s” out of “%(title)s”."),
    comment=_("Split the version “%(version)s” out of “%(title)s”."),
    service=version_split,
    needs_add_permission=True,
)
VERSION_CITE = VersionAction(
    title=_("Cite another version"),
    explanation=_(
        "“%(title)s” will be cited as the version “%(version)s”: its kind, year, venue and "
        "the other citation fields are taken from this version, and the version cited until "
        "now is kept among the other versions."
    ),
    button=_("Cite this version instead"),
    done=_(
        '<a href="{url}">{title}</a> is now cited as “{version}”; the version cited before '
        "is listed among its other versions."
    ),
    before=_("Before citing the version “%(version)s” of “%(title)s”."),
    comment=_("Cited the version “%(version)s” of “%(title)s”."),
    service=version_make_cited,
    needs_add_permission=False,
)


class PublicationForm(DuplicateCheckMixin, EditHistoryAdmin.form):
    """The publication form: no silent overwrite of another editor's change, and no record of
    a work already stored saved unawares."""


# Set on the request by a save that is to be merged into a stored publication, once the admin
# has recorded the save: (the publication saved, the publication it is merged into).
MERGE_AFTER_SAVE = "publication_merge_after_save"


class MergeAfterSaveError(Exception):
    """The merge that followed a save failed: the save is undone with it."""


def search_words(search_term: str) -> list[str]:
    """The words of an admin search, a quoted phrase as one word, as Django splits them."""
    words = []
    for bit in smart_split(search_term.replace("\x00", "")):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit.strip():
            words.append(bit)
    return words


def publication_word_lookup(word: str) -> Q:
    """Publications holding ``word`` in their title, venue, DOI or arXiv id (their own or a
    version's), or in the name of one of their authors or editors; accents and case ignored in
    titles and names. Subqueries rather than joins: no publication is listed twice."""
    lookup = Q(title__icontains=word) | Q(venue__icontains=word)
    key = title_key(word)
    # A word of one letter and signs ("C++") would match nearly every title once folded.
    if len(key) > 1:
        lookup |= Q(title_key__contains=key)
    identifiers = Q()
    if doi := normalize_doi(word):
        identifiers |= Q(doi__icontains=doi)
    if arxiv_id := normalize_arxiv_id(word):
        identifiers |= Q(arxiv_id__icontains=arxiv_id)
    if identifiers:
        versions = PublicationVersion.objects.filter(identifiers).values("publication")
        lookup |= identifiers | Q(pk__in=versions)
    if name := name_key(word):
        signed = Authorship.objects.filter(author__name_key__contains=name).values("publication")
        lookup |= Q(pk__in=signed)
    return lookup


@admin.register(Publication)
class PublicationAdmin(PublishActionsMixin, EditHistoryAdmin):
    change_list_template = "admin/publications/publication/change_list.html"
    form = PublicationForm
    list_display = ["title", "author_names", "year", "kind", "venue", "is_published"]
    list_filter = [PossibleDuplicatesFilter, "is_published", "kind", "year", "topics"]
    actions = ["publish", "unpublish", "merge"]
    # Read by get_search_results, which folds accents out of titles and names.
    search_fields = ["title", "authorships__author__name_key", "venue", "doi", "arxiv_id"]
    search_help_text = _(
        "Words of the title, names of authors or editors, venue, DOI or arXiv identifier; "
        "accents and case are ignored."
    )
    autocomplete_fields = ["topics"]
    inlines = [AuthorshipInline, PublicationVersionInline]
    readonly_fields = ["created_at", "updated_at"]
    formfield_overrides = HTTPS_URL_FIELDS
    fieldsets = PUBLICATION_FIELDSETS

    class Media:
        js = ("editor/publication_kinds.js",)
        css = {"all": ("editor/admin.css", "editor/matches.css")}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related(authors_prefetch())

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        for word in search_words(search_term):
            queryset = queryset.filter(publication_word_lookup(word))
        return queryset, False

    # A record of a work already stored: saved as another work, or merged into the stored one.

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        # Merging deletes the record just saved, as the merge action does.
        may_merge = self.has_change_permission(request) and self.has_delete_permission(request)
        return type(form_class.__name__, (form_class,), {"may_merge": may_merge})

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if getattr(form, "merge_target", None) is not None:
            setattr(request, MERGE_AFTER_SAVE, (form.instance, form.merge_target))

    def response_add(self, request: HttpRequest, obj, post_url_continue=None):
        if hasattr(request, MERGE_AFTER_SAVE):
            return HttpResponse(status=204)  # replaced by the merge's own page
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj):
        if hasattr(request, MERGE_AFTER_SAVE):
            return HttpResponse(status=204)  # replaced by the merge's own page
        return super().response_change(request, obj)

    def add_view(self, request: HttpRequest, form_url="", extra_context=None):
        return self._then_merge(request, super().add_view, form_url, extra_context)

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        return self._then_merge(request, super().change_view, object_id, form_url, extra_context)

    def _then_merge(self, request: HttpRequest, view, *args) -> HttpResponse:
        """Run the add or change view; when the editor chose to merge the record into a stored
        publication, merge it once the view has recorded the save (the merge records revisions
        of its own), all in one transaction."""
        try:
            with transaction.atomic():
                response = view(request, *args)
                if not hasattr(request, MERGE_AFTER_SAVE):
                    return response
                saved, target = getattr(request, MERGE_AFTER_SAVE)
                return self._merge_saved(request, saved, target)
        except MergeAfterSaveError as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _merge_saved(self, request: HttpRequest, saved: Publication, target: Publication):
        try:
            report = publication_merge(keep=target, duplicates=[saved], user=request.user)
        except ValidationError as error:
            raise MergeAfterSaveError(
                gettext("Nothing was saved: the merge failed (%(reason)s).")
                % {"reason": " ".join(error.messages)}
            ) from error
        self.message_user(
            request,
            gettext("“%(saved)s” was merged into “%(kept)s”.")
            % {"saved": saved.title, "kept": report.kept.title},
            messages.SUCCESS,
        )
        url = reverse("admin:publications_publication_change", args=[report.kept.pk])
        return HttpResponseRedirect(url)

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.method == "POST":
            kind = request.POST.get("kind", "")
            filled = {name for name, value in request.POST.items() if value.strip()}
        elif obj is not None:
            kind = obj.kind
            filled = {n for n in CitedFields.CITED_FIELDS if getattr(obj, n) not in ("", None)}
        else:
            kind, filled = Publication._meta.get_field("kind").get_default(), set()
        return [collapsed_unless_used(fieldset, kind, filled) for fieldset in fieldsets]

    def get_ordering(self, request: HttpRequest):
        # Look-alikes side by side, so that an editor sees each group at once.
        if request.GET.get(PossibleDuplicatesFilter.parameter_name) == "yes":
            return ["title_key", "year", "pk"]
        return super().get_ordering(request)

    @admin.action(
        description=_("Merge the selected publications"), permissions=["change", "delete"]
    )
    def merge(self, request: HttpRequest, queryset: QuerySet):
        publications = list(queryset.order_by("created_at", "pk"))
        if len(publications) < 2:
            self.message_user(
                request, _("Select at least two publications to merge."), messages.WARNING
            )
            return None
        keep_id = request.POST.get("keep")
        if keep_id:
            keep = next((p for p in publications if str(p.pk) == keep_id), None)
            if keep is None:
                self.message_user(
                    request, _("Choose one of the selected publications to keep."), messages.ERROR
                )
                return None
            report = publication_merge(keep=keep, duplicates=publications, user=request.user)
            self.message_user(
                request,
                _("Merged %(count)d publications into “%(title)s”.")
                % {"count": len(report.removed), "title": report.kept.title},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Merge publications"),
            "publications": publications,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/publications/publication/merge.html", context)

    def get_urls(self):
        def version_view(action: VersionAction):
            def view(request: HttpRequest, publication_id: int, version_id: int):
                return self.version_action_view(request, publication_id, version_id, action)

            return self.admin_site.admin_view(view)

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
            path(
                "<int:publication_id>/versions/<int:version_id>/split/",
                version_view(VERSION_SPLIT),
                name="publications_publication_version_split",
            ),
            path(
                "<int:publication_id>/versions/<int:version_id>/cite/",
                version_view(VERSION_CITE),
                name="publications_publication_version_cite",
            ),
            *super().get_urls(),
        ]

    # Correcting a merge from one of the other versions.

    def version_action_view(
        self, request: HttpRequest, publication_id: int, version_id: int, action: VersionAction
    ) -> HttpResponse:
        """Confirm (GET), then make (POST) a correction from one of the other versions."""
        version = get_object_or_404(
            PublicationVersion.objects.select_related("publication"),
            pk=version_id,
            publication_id=publication_id,
        )
        publication = version.publication
        if not self.has_change_permission(request, publication) or (
            action.needs_add_permission and not self.has_add_permission(request)
        ):
            raise PermissionDenied
        change_url = reverse("admin:publications_publication_change", args=[publication.pk])
        if request.method == "POST":
            try:
                result = self._apply_version_action(request, version, action)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return HttpResponseRedirect(change_url)
            url = reverse("admin:publications_publication_change", args=[result.pk])
            self.message_user(
                request,
                format_html(str(action.done), version=describe(version), url=url, title=result),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(url)
        names = {"version": describe(version), "title": publication.title}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": action.title,
            "explanation": action.explanation % names,
            "button": action.button,
            "publication": publication,
            "version": version,
            "parent_url": change_url,
        }
        return TemplateResponse(
            request, "admin/publications/publication/version_action.html", context
        )

    @transaction.atomic
    def _apply_version_action(
        self, request: HttpRequest, version: PublicationVersion, action: VersionAction
    ) -> Publication:
        """The correction, between two revisions: the publication as it was (reverting to it
        undoes the correction), then every publication it changed."""
        publication = version.publication
        names = {"version": describe(version), "title": publication.title}
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(action.before % names)
            reversion.add_to_revision(publication)
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(action.comment % names)
            result = action.service(version=version)
            for changed in Publication.objects.filter(pk__in={publication.pk, result.pk}):
                reversion.add_to_revision(changed)
        return result

    # Importing BibTeX: a small text in the request, a large one in a background task (see
    # publications/tasks.py), whose page the editor may leave and find again in their list.

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

    @admin.display(description=_("authors"))
    def author_names(self, publication: Publication) -> str:
        names = [authorship.author.display_name for authorship in publication.author_authorships]
        if not names:  # an edited book: its editors stand first
            names = [
                gettext("%(name)s (ed.)") % {"name": authorship.author.display_name}
                for authorship in publication.editor_authorships
            ]
        if len(names) > 4:
            return _("%(first)s and %(count)d others") % {
                "first": ", ".join(names[:3]),
                "count": len(names) - 3,
            }
        return ", ".join(names)


# Importing BibTeX: the steps and what the pages show of them.

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


def unlinked_authors_matching(researcher: Researcher) -> list[Author]:
    """The author records of people linked to no researcher whose name is ``researcher``'s
    (the same name, or the same family name and first initial, as an import with
    ``--researcher`` matches it), with ``publication_total``, by name."""
    own = Author(
        display_name=researcher.full_name,
        given_name=researcher.given_name,
        family_name=researcher.family_name,
    )
    own.refresh_derived_fields()
    family = name_key(researcher.family_name)
    if not family:
        return []
    candidates = (
        Author.objects.filter(
            researcher__isnull=True, is_organization=False, name_key__contains=family
        )
        .annotate(publication_total=count_subquery(Authorship.objects.all(), "author"))
        .order_by("name_key", "pk")
    )
    return [
        author
        for author in candidates
        if is_researcher(
            ParsedAuthor(author.display_name, author.given_name, author.family_name), own
        )
    ]


@admin.register(Author)
class AuthorAdmin(EditHistoryAdmin):
    list_display = [
        "display_name",
        "sorted_name",
        "is_organization",
        "researcher_link",
        "publication_count",
    ]
    list_select_related = ["researcher"]
    list_filter = ["is_organization", ("researcher", admin.EmptyFieldListFilter)]
    search_fields = ["display_name", "family_name", "given_name", "name_key", "orcid"]
    autocomplete_fields = ["researcher"]
    fields = [
        "display_name",
        "is_organization",
        "given_name",
        "family_name",
        "suffix",
        "orcid",
        "researcher",
        "signed_publications",
    ]
    readonly_fields = ["signed_publications"]

    class Media:
        css = {"all": ("editor/matches.css",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(publication_total=count_subquery(Authorship.objects.all(), "author"))
        )

    @admin.display(description=_("publications"))
    def signed_publications(self, author: Author) -> str:
        """What the author signed or edited, newest first, each linked to its page."""
        if author.pk is None:
            return "—"
        authorships = (
            Authorship.objects.filter(author=author)
            .select_related("publication")
            .order_by("-publication__year", "publication__title", "role")
        )
        items = [
            (
                reverse("admin:publications_publication_change", args=[a.publication_id]),
                a.publication.title,
                a.publication.year,
                " " + gettext("(ed.)") if a.is_editor else "",
            )
            for a in authorships
        ]
        if not items:
            return gettext("None yet.")
        return format_html(
            '<ul class="author-publications">{}</ul>',
            format_html_join("", '<li><a href="{}">{}</a> ({}){}</li>', items),
        )

    def get_urls(self):
        return [
            path(
                "link-researcher/<int:researcher_id>/",
                self.admin_site.admin_view(self.link_researcher_view),
                name="publications_author_link_researcher",
            ),
            *super().get_urls(),
        ]

    def link_researcher_view(self, request: HttpRequest, researcher_id: int) -> HttpResponse:
        """Link a researcher to the author record that signs their papers, chosen among the
        unlinked records with their name: their names on publications then link to the
        profile. Offered after a researcher is added, and from the researcher's page."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        researcher = get_object_or_404(Researcher, pk=researcher_id)
        next_url = self._next_url(request, researcher)
        linked = Author.objects.filter(researcher=researcher).first()
        candidates = [] if linked else unlinked_authors_matching(researcher)
        if request.method == "POST" and linked is None:
            chosen = next((a for a in candidates if str(a.pk) == request.POST.get("author")), None)
            if chosen is not None:
                self._link(request, chosen, researcher)
                return HttpResponseRedirect(next_url)
            self.message_user(
                request, _("Choose the author record that is this researcher."), messages.ERROR
            )
        elif not candidates and "next" in request.GET:
            return HttpResponseRedirect(next_url)  # nothing to offer after adding them
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Author records of %(name)s") % {"name": researcher.full_name},
            "researcher": researcher,
            "researcher_opts": Researcher._meta,
            "linked": linked,
            "candidates": candidates,
            "next_url": next_url,
        }
        return TemplateResponse(request, "admin/publications/author/link_researcher.html", context)

    @staticmethod
    def _next_url(request: HttpRequest, researcher: Researcher) -> str:
        """Where to go once done: the page the admin would have shown, when it is one of this
        site's, or else the researcher's page."""
        next_url = request.POST.get("next") or request.GET.get("next", "")
        if next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return next_url
        return reverse("admin:profiles_researcher_change", args=[researcher.pk])

    def _link(self, request: HttpRequest, author: Author, researcher: Researcher) -> None:
        with transaction.atomic(), reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(
                gettext("Linked to the researcher %(name)s.") % {"name": researcher.full_name}
            )
            author.researcher = researcher
            author.save()
        self.message_user(
            request,
            gettext(
                "“%(author)s” is now linked to %(name)s: their names on publications lead to "
                "the profile."
            )
            % {"author": author.display_name, "name": researcher.full_name},
            messages.SUCCESS,
        )

    def get_deleted_objects(self, objs, request: HttpRequest):
        """An author who signs publications cannot be deleted: the confirmation names those
        publications (with links), rather than the rows that list the author on them."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            signed = (
                Publication.objects.filter(authorships__author__in=objs)
                .distinct()
                .order_by("-year", "title")
            )
            protected = [
                format_html(
                    '<a href="{}">{}</a> ({})',
                    reverse("admin:publications_publication_change", args=[publication.pk]),
                    publication.title,
                    publication.year,
                )
                for publication in signed
            ]
        return deleted, counts, perms_needed, protected

    @admin.display(description=_("family name, suffix, given name"), ordering="family_name")
    def sorted_name(self, author: Author) -> str:
        """The name as a bibliography sorts it ("King, Jr., Martin Luther"); an organisation's
        name whole."""
        if author.is_organization:
            return author.display_name
        return ", ".join(p for p in [author.family_name, author.suffix, author.given_name] if p)

    @admin.display(description=_("researcher"), ordering="researcher__family_name")
    def researcher_link(self, author: Author) -> str:
        if author.researcher is None:
            return "—"
        url = reverse("admin:profiles_researcher_change", args=[author.researcher.pk])
        return format_html('<a href="{}">{}</a>', url, author.researcher.full_name)

    @admin.display(description=_("publications"), ordering="publication_total")
    def publication_count(self, author: Author) -> int:
        return author.publication_total


@admin.register(Authorship)
class AuthorshipAdmin(ControlCharacterFreeAdmin, admin.ModelAdmin):
    list_display = ["publication", "role", "position", "author"]
    list_select_related = ["publication", "author"]
    list_filter = ["role"]
    search_fields = ["publication__title", "author__display_name"]
    autocomplete_fields = ["publication", "author"]
    ordering = ["publication__title", "role", "position"]
