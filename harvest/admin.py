"""The harvest in the admin: its runs, to read, and the review inbox, where editors accept or
reject what it proposes, one candidate at a time or many at once. The decisions are made by
services/review.py; this module reads the request and says what happened."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from publications.models import FieldSource, Publication, PublicationKind, PublicationNotice
from publications.services.provenance import locked_fields

from .models import Candidate, CandidateSource, HarvestRun
from .services.acceptance import candidate_work
from .services.comparison import notices_of
from .services.review import (
    candidate_accept_fields,
    candidate_accept_new,
    candidate_accept_version,
    candidate_reject,
    candidates_accept_new,
    candidates_reject,
)
from .sources.base import HarvestedWork

Relation = Candidate.Relation


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and pages to read: the harvest writes these rows, nobody edits them here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(HarvestRun)
class HarvestRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "finished_at",
        "researcher",
        "source_names",
        "researcher_count",
        "errors",
    ]
    list_select_related = ["researcher"]
    date_hierarchy = "started_at"

    @admin.display(description=_("sources"))
    def source_names(self, run: HarvestRun) -> str:
        return ", ".join(run.sources) or _("all")

    @admin.display(description=_("errors"))
    def errors(self, run: HarvestRun) -> int:
        return run.error_count


# The inbox -------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    """The candidates to review unless another status is chosen: the inbox opens on them."""

    title = _("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*Candidate.Status.choices, (self.ALL, _("All"))]

    def choices(self, changelist):
        current = self.value() or Candidate.Status.NEW
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or Candidate.Status.NEW
        if value == self.ALL:
            return queryset
        # A status that is none of the list's shows nothing rather than failing.
        return queryset.filter(status=value)


class SourceFilter(admin.SimpleListFilter):
    """Candidates one of whose records comes from the chosen source."""

    title = _("source")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        names = CandidateSource.objects.order_by("source").values_list("source", flat=True)
        return [(name, name) for name in names.distinct()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        records = CandidateSource.objects.filter(candidate=OuterRef("pk"), source=self.value())
        return queryset.filter(Exists(records))


# What the review page shows ----------------------------------------------------------------

# The proposed work's fields, in the order of the publication form.
SHOWN_FIELDS = (
    "title", "kind", "year", "month", "venue", "volume", "issue", "pages", "publisher", "doi",
    "arxiv_id", "openalex_id", "dblp_key", "url", "pdf_url", "language", "abstract",
)  # fmt: skip
EMPTY = "—"


def field_label(name: str) -> str:
    """A field's name as the publication form shows it."""
    if name == "notices":
        return gettext("notices")
    try:
        return str(Publication._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def shown_value(name: str, value: object) -> str:
    if value in ("", None, [], ()):
        return EMPTY
    if name == "kind":
        return str(dict(PublicationKind.choices).get(value, value))
    if name == "notices":
        return "; ".join(notice_text(notice) for notice in value)
    return str(value)


def notice_text(notice: dict) -> str:
    label = str(dict(PublicationNotice.Kind.choices).get(notice["kind"], notice["kind"]))
    return f"{label} (DOI {notice['doi']})" if notice.get("doi") else label


def record_text(source: str, source_id: str) -> str:
    """A source record, as "crossref: 10.1234/x"."""
    if not source:
        return EMPTY
    return f"{source}: {source_id}" if source_id else source


def stored_origin_text(row: FieldSource | None) -> str:
    if row is None:
        return gettext("not recorded")
    origin = str(row.get_origin_display())
    where = record_text(row.source, row.source_id)
    return origin if where == EMPTY else f"{origin} ({where})"


class ReviewPage:
    """What the review page of a candidate shows: the proposed work field by field with the
    source of each, its authors and notices, and, about a stored publication, each change
    with the source of the stored value and of the proposed one."""

    def __init__(self, candidate: Candidate) -> None:
        self.candidate = candidate
        try:
            self.work = candidate_work(candidate)
        except ValidationError:
            self.work = HarvestedWork(source="", source_id="", title=candidate.title)
        self.publication = candidate.publication

    def _origin(self, name: str) -> str:
        return record_text(*(self.candidate.origins.get(name) or ["", ""]))

    @cached_property
    def proposed(self) -> list[dict]:
        return [
            {
                "label": field_label(name),
                "value": shown_value(name, value),
                "source": self._origin(name),
            }
            for name in SHOWN_FIELDS
            if (value := getattr(self.work, name)) not in ("", None)
        ]

    @cached_property
    def authors(self) -> list[dict]:
        return [{"name": a.name, "orcid": a.orcid} for a in self.work.authors]

    @cached_property
    def authors_source(self) -> str:
        return self._origin("authors")

    @cached_property
    def citations(self) -> str:
        count = self.work.cited_by_count
        return "" if count is None else f"{count} ({self._origin('cited_by_count')})"

    @cached_property
    def notices(self) -> list[str]:
        return [notice_text(notice) for notice in notices_of(self.work)]

    @cached_property
    def changes(self) -> list[dict]:
        """Each proposed change: the stored value and where it came from, the proposed one and
        its source, and whether an editor locked the field since it was proposed."""
        if self.publication is None:
            return []
        stored = {row.field_name: row for row in self.publication.field_sources.all()}
        locked = locked_fields(self.publication)
        return [
            {
                "name": entry["field"],
                "label": field_label(entry["field"]),
                "stored": shown_value(entry["field"], entry["stored"]),
                "stored_source": stored_origin_text(stored.get(entry["field"])),
                "proposed": shown_value(entry["field"], entry["proposed"]),
                "proposed_source": record_text(entry.get("source", ""), entry.get("source_id", "")),
                "locked": entry["field"] in locked,
            }
            for entry in self.candidate.diff
        ]

    @cached_property
    def records(self) -> list[CandidateSource]:
        return list(self.candidate.sources.order_by("source", "source_id"))

    @cached_property
    def publication_url(self) -> str:
        if self.publication is None:
            return ""
        return reverse("admin:publications_publication_change", args=[self.publication.pk])

    @property
    def score(self) -> str:
        return "" if self.candidate.score is None else f"{self.candidate.score:.0%}"

    @property
    def is_new_work(self) -> bool:
        return self.candidate.relation == Relation.NEW_WORK

    @property
    def offers_new_work(self) -> bool:
        return self.candidate.relation in (Relation.NEW_WORK, Relation.DUPLICATE)

    @property
    def offers_version(self) -> bool:
        return self.candidate.relation != Relation.CHANGED_FIELDS

    @property
    def offers_fields(self) -> bool:
        return self.candidate.relation == Relation.CHANGED_FIELDS


class ReviewForm(forms.Form):
    """An editor's decision on one candidate, from the buttons of its review page."""

    DECISIONS = ["accept_new", "accept_version", "accept_fields", "reject"]

    decision = forms.ChoiceField(choices=[(name, name) for name in DECISIONS])
    publish = forms.BooleanField(
        label=_("Publish it now (otherwise it is kept as a draft)"), required=False
    )
    publication = forms.ModelChoiceField(
        Publication.objects.all(),
        label=_("Publication it is a version of"),
        required=False,
        widget=AutocompleteSelect(Candidate._meta.get_field("publication"), admin.site),
    )
    fields = forms.MultipleChoiceField(
        label=_("Changes to apply"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidate: Candidate, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fields"].choices = [
            (entry["field"], field_label(entry["field"])) for entry in candidate.diff
        ]
        self.fields["fields"].initial = [entry["field"] for entry in candidate.diff]
        self.fields["publication"].initial = candidate.publication_id


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "year",
        "source_names",
        "relation",
        "likelihood",
        "retraction",
        "researcher",
        "status",
    ]
    list_display_links = ["title"]
    list_filter = [
        StatusFilter,
        "relation",
        ("researcher", admin.RelatedOnlyFieldListFilter),
        SourceFilter,
    ]
    list_select_related = ["researcher"]
    search_fields = ["title", "doi"]
    search_help_text = _("Words of the title, or a DOI.")
    actions = ["accept_new_works", "reject_selected"]

    class Media:
        css = {"all": ("editor/harvest.css",)}
        js = ("editor/harvest.js",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        records = CandidateSource.objects.only("candidate", "source").order_by("source")
        return super().get_queryset(request).prefetch_related(Prefetch("sources", records))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("sources"))
    def source_names(self, candidate: Candidate) -> str:
        return ", ".join(dict.fromkeys(row.source for row in candidate.sources.all()))

    @admin.display(description=_("likelihood"), ordering="score")
    def likelihood(self, candidate: Candidate) -> str:
        return "" if candidate.score is None else f"{candidate.score:.0%}"

    @admin.display(description=_("retraction"), boolean=True, ordering="is_retraction")
    def retraction(self, candidate: Candidate) -> bool:
        return candidate.is_retraction

    # Actions on the selected candidates --------------------------------------------------

    @admin.action(description=_("Accept the selected new works as drafts"), permissions=["change"])
    def accept_new_works(self, request: HttpRequest, queryset: QuerySet) -> None:
        report = candidates_accept_new(candidates=list(queryset.order_by("pk")), user=request.user)
        if report.done:
            count = len(report.done)
            self.message_user(
                request,
                ngettext(
                    "%(count)d new work was added to the publications as a draft.",
                    "%(count)d new works were added to the publications as drafts.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        for reason in report.refused:
            self.message_user(
                request, gettext("Not accepted: %(reason)s") % {"reason": reason}, messages.ERROR
            )
        self._say_skipped(request, len(report.skipped))

    @admin.action(description=_("Reject the selected propositions"), permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        report = candidates_reject(candidates=list(queryset.order_by("pk")), user=request.user)
        count = len(report.done)
        self.message_user(
            request,
            ngettext(
                "%(count)d proposition was rejected: the harvest will not propose it again.",
                "%(count)d propositions were rejected: the harvest will not propose them again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
        self._say_skipped(request, len(report.skipped))

    def _say_skipped(self, request: HttpRequest, count: int) -> None:
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected proposition was left as it was: it is not a new work "
                    "to review.",
                    "%(count)d selected propositions were left as they were: they are not new "
                    "works to review.",
                    count,
                )
                % {"count": count},
                messages.WARNING,
            )

    # The review page -----------------------------------------------------------------------

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        """The candidate's review page: what it proposes, and the editor's decision."""
        candidate = self.get_object(request, unquote(object_id))
        if candidate is None:
            raise Http404(gettext("This proposition no longer exists."))
        if not self.has_view_or_change_permission(request, candidate):
            raise PermissionDenied
        form = ReviewForm(request.POST or None, candidate=candidate)
        if request.method == "POST":
            if not self.has_change_permission(request, candidate):
                raise PermissionDenied
            if form.is_valid():
                try:
                    self._decide(request, candidate, form.cleaned_data)
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                else:
                    return self._back_to_inbox(request)
        return TemplateResponse(
            request,
            "admin/harvest/candidate/review.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("Review a proposition"),
                "candidate": candidate,
                "page": ReviewPage(candidate),
                "form": form,
                "media": self.media + form.media,
                "may_decide": self.has_change_permission(request, candidate)
                and candidate.status == Candidate.Status.NEW,
                "preserved_filters": self.get_preserved_filters(request),
                "changelist_url": reverse("admin:harvest_candidate_changelist"),
            },
        )

    def _back_to_inbox(self, request: HttpRequest) -> HttpResponse:
        url = reverse("admin:harvest_candidate_changelist")
        context = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
        return HttpResponseRedirect(add_preserved_filters(context, url))

    def _decide(self, request: HttpRequest, candidate: Candidate, choice: dict) -> None:
        decision, user = choice["decision"], request.user
        values = {"title": candidate.title}
        if decision == "accept_fields":
            self._accept_fields(request, candidate, choice["fields"])
            return
        if decision == "reject":
            candidate_reject(candidate=self._still_open(candidate), user=user)
            text = gettext("“%(title)s” was rejected: the harvest will not propose it again.")
        elif decision == "accept_new":
            candidate_accept_new(candidate=candidate, user=user, publish=choice["publish"])
            text = (
                gettext("“%(title)s” was added to the publications and published.")
                if choice["publish"]
                else gettext("“%(title)s” was added to the publications as a draft.")
            )
        else:
            report = candidate_accept_version(
                candidate=candidate, user=user, publication=choice["publication"]
            )
            text = gettext("“%(title)s” was recorded as a version of “%(publication)s”.")
            values["publication"] = report.publication.title
        self.message_user(request, text % values, messages.SUCCESS)

    def _still_open(self, candidate: Candidate) -> Candidate:
        if candidate.status != Candidate.Status.NEW:
            raise ValidationError(
                gettext("“%(title)s” was already decided on.") % {"title": candidate.title}
            )
        return candidate

    def _accept_fields(self, request: HttpRequest, candidate: Candidate, fields: list) -> None:
        report = candidate_accept_fields(candidate=candidate, fields=fields, user=request.user)
        count = len(report.applied)
        self.message_user(
            request,
            ngettext(
                "%(count)d change was applied to “%(title)s”.",
                "%(count)d changes were applied to “%(title)s”.",
                count,
            )
            % {"count": count, "title": report.publication.title},
            messages.SUCCESS,
        )
        if report.locked:
            self.message_user(
                request,
                gettext("Left as they were, as an editor locked them: %(fields)s.")
                % {"fields": ", ".join(field_label(name) for name in report.locked)},
                messages.WARNING,
            )
