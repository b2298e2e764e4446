"""Admin for publications, their authors and the order in which they sign."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from config.history import EditHistoryAdmin
from profiles.admin import HTTPS_URL_FIELDS, PublishActionsMixin
from profiles.facets import count_subquery

from .forms import AuthorshipFormSet, BibtexImportForm
from .models import Author, Authorship, PendingImport, Publication
from .services import publication_import_bibtex, publication_merge


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


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    formset = AuthorshipFormSet
    fields = ["position", "author"]
    autocomplete_fields = ["author"]
    ordering = ["position"]
    extra = 1
    verbose_name = _("author")
    verbose_name_plural = _("authors, in the order they sign")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("author")


@admin.register(Publication)
class PublicationAdmin(PublishActionsMixin, EditHistoryAdmin):
    change_list_template = "admin/publications/publication/change_list.html"
    list_display = ["title", "author_names", "year", "kind", "venue", "is_published"]
    list_filter = [PossibleDuplicatesFilter, "is_published", "kind", "year", "topics"]
    actions = ["publish", "unpublish", "merge"]
    search_fields = ["title", "doi", "arxiv_id"]
    autocomplete_fields = ["topics"]
    inlines = [AuthorshipInline]
    readonly_fields = ["created_at", "updated_at"]
    formfield_overrides = HTTPS_URL_FIELDS
    fieldsets = [
        (None, {"fields": ["title", "kind", "year", "venue", "language", "is_published"]}),
        (_("Abstract"), {"fields": ["abstract"]}),
        (_("Identifiers and links"), {"fields": ["doi", "arxiv_id", "url", "pdf_url", "code_url"]}),
        (_("Research topics"), {"fields": ["topics"]}),
        (_("History"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "authorships",
                    queryset=Authorship.objects.select_related("author").order_by("position"),
                )
            )
        )

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
        return [
            path(
                "import-bibtex/",
                self.admin_site.admin_view(self.import_bibtex_view),
                name="publications_publication_import_bibtex",
            ),
            *super().get_urls(),
        ]

    def import_bibtex_view(self, request: HttpRequest) -> HttpResponse:
        """Upload or paste BibTeX, see what each entry would become, then confirm."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "confirm" in request.POST:
            return self._import_confirm(request)
        if request.method == "POST":
            form = BibtexImportForm(request.POST, request.FILES)
        else:
            form = BibtexImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import BibTeX"),
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            # A new preview replaces the editor's earlier, unconfirmed ones.
            PendingImport.objects.filter(created_by=request.user).delete()
            pending = PendingImport.objects.create(
                text=form.cleaned_data["bibtex"],
                created_by=request.user,
                researcher=form.cleaned_data["researcher"],
                skip_invalid=form.cleaned_data["skip_invalid"],
            )
            pending.topics.set(form.cleaned_data["topics"])
            context["report"] = self._run_import(pending, dry_run=True)
            context["pending"] = pending
            return TemplateResponse(
                request, "admin/publications/publication/import_preview.html", context
            )
        return TemplateResponse(
            request, "admin/publications/publication/import_bibtex.html", context
        )

    def _run_import(self, pending: PendingImport, *, dry_run: bool):
        return publication_import_bibtex(
            text=pending.text,
            researcher=pending.researcher,
            topics=list(pending.topics.all()),
            skip_invalid=pending.skip_invalid,
            dry_run=dry_run,
            user=pending.created_by,
        )

    def _import_confirm(self, request: HttpRequest) -> HttpResponse:
        pending = get_object_or_404(
            PendingImport, pk=request.POST.get("confirm"), created_by=request.user
        )
        report = self._run_import(pending, dry_run=False)
        pending.delete()
        if not report.succeeded:
            self.message_user(
                request,
                _("Nothing was imported: the entries have changed since the preview."),
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                _(
                    "BibTeX imported: %(created)d created, %(present)d already present, "
                    "%(merged)d merged into existing, %(skipped)d skipped."
                )
                % {
                    "created": len(report.created),
                    "present": len(report.present),
                    "merged": len(report.merged),
                    "skipped": len(report.skipped),
                },
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:publications_publication_changelist"))

    @admin.display(description=_("authors"))
    def author_names(self, publication: Publication) -> str:
        names = [authorship.author.display_name for authorship in publication.authorships.all()]
        if len(names) > 4:
            return _("%(first)s and %(count)d others") % {
                "first": ", ".join(names[:3]),
                "count": len(names) - 3,
            }
        return ", ".join(names)


@admin.register(Author)
class AuthorAdmin(EditHistoryAdmin):
    list_display = [
        "display_name",
        "family_name",
        "given_name",
        "researcher_link",
        "publication_count",
    ]
    list_select_related = ["researcher"]
    list_filter = [("researcher", admin.EmptyFieldListFilter)]
    search_fields = ["display_name", "family_name", "given_name", "name_key", "orcid"]
    autocomplete_fields = ["researcher"]
    fields = ["display_name", "given_name", "family_name", "orcid", "researcher"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(publication_total=count_subquery(Authorship.objects.all(), "author"))
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
class AuthorshipAdmin(admin.ModelAdmin):
    list_display = ["publication", "position", "author"]
    list_select_related = ["publication", "author"]
    search_fields = ["publication__title", "author__display_name"]
    autocomplete_fields = ["publication", "author"]
    ordering = ["publication__title", "position"]
