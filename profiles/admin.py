"""Admin for researchers and research topics."""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modeltranslation.admin import TranslationAdmin

from core.drafts import PublishActionsMixin
from core.listing import count_subquery
from editorial.admin import EditHistoryAdmin

from .images import portrait_reencode
from .models import Researcher, ResearchTopic, Supervision
from .validators import (
    normalize_dblp_pid,
    normalize_openalex_author_id,
    normalize_orcid,
    normalize_semantic_scholar_author_id,
    validate_portrait,
)

# Links typed without a scheme are taken as https, as Django 6 will do.
HTTPS_URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


# Each identifier field of a researcher, with what reduces a pasted form of it to the stored one.
IDENTIFIER_NORMALIZERS = {
    "orcid": normalize_orcid,
    "openalex_id": normalize_openalex_author_id,
    "dblp_pid": normalize_dblp_pid,
    "semantic_scholar_id": normalize_semantic_scholar_author_id,
}


def identifier_lookup(term: str) -> Q:
    """Researchers one of whose identifiers is ``term``, in whatever form it was pasted. A term
    that normalises to nothing (a bare "orcid.org/") finds nobody, not everyone without one."""
    lookup = Q(pk__in=[])
    for name, normalize in IDENTIFIER_NORMALIZERS.items():
        identifier = normalize(term)
        if identifier:
            lookup |= Q(**{name: identifier})
    return lookup


class PortraitField(forms.ImageField):
    """A portrait upload, checked from its header, then stored as a clean re-encoded copy."""

    def to_python(self, data: UploadedFile | None) -> File | None:
        # Skips forms.ImageField.to_python: it hands the file to Pillow before any size check.
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        validate_portrait(upload)
        try:
            return portrait_reencode(upload)
        except (OSError, SyntaxError, ValueError) as error:  # Pixel data damaged or cut short.
            message = self.error_messages["invalid_image"]
            raise ValidationError(message, code="invalid_image") from error

    def widget_attrs(self, widget: forms.Widget) -> dict:
        attrs = super().widget_attrs(widget)
        if "accept" in attrs:  # File inputs only.
            attrs["accept"] = "image/jpeg,image/png,image/webp"
        return attrs


class TranslationTabsMixin:
    """French and English versions of a translated field shown as tabs (own script, no CDN)."""

    class Media:
        js = ("editor/translation_tabs.js",)
        css = {"all": ("editor/admin.css",)}


@admin.register(ResearchTopic)
class ResearchTopicAdmin(TranslationTabsMixin, EditHistoryAdmin, TranslationAdmin):
    list_display = ["name", "slug_fr", "slug_en", "researcher_count", "publication_count"]
    search_fields = ["name_fr", "name_en", "slug_fr", "slug_en"]
    # Each language's address from that language's name (/en/topics/continual-learning/).
    prepopulated_fields = {"slug_fr": ["name_fr"], "slug_en": ["name_en"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        researcher_links = Researcher.topics.through.objects.all()
        publication_links = ResearchTopic.publications.rel.through.objects.all()
        return (
            super()
            .get_queryset(request)
            .annotate(
                researcher_total=count_subquery(researcher_links, "researchtopic"),
                publication_total=count_subquery(publication_links, "researchtopic"),
            )
        )

    def get_deleted_objects(self, objs, request: HttpRequest):
        """The confirmation lists the researchers and publications that lose the topic (they
        stay), rather than rows of the tables that link them."""
        _deleted, _counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        readable: list = []
        researcher_links = publication_links = 0
        for topic in objs:
            researchers = [
                _("Link to the researcher %(name)s") % {"name": researcher.full_name}
                for researcher in topic.researchers.all()
            ]
            publications = [
                _("Link to the publication “%(title)s”") % {"title": publication.title}
                for publication in topic.publications.all()
            ]
            researcher_links += len(researchers)
            publication_links += len(publications)
            readable += [str(topic), [*researchers, *publications]]
        counts = {
            ResearchTopic._meta.verbose_name_plural: len(objs),
            _("links to researchers"): researcher_links,
            _("links to publications"): publication_links,
        }
        return readable, counts, perms_needed, protected

    @admin.display(description=_("researchers"), ordering="researcher_total")
    def researcher_count(self, topic: ResearchTopic) -> int:
        return topic.researcher_total

    @admin.display(description=_("publications"), ordering="publication_total")
    def publication_count(self, topic: ResearchTopic) -> int:
        return topic.publication_total


class SupervisionForm(forms.ModelForm):
    """A supervision row. Django leaves the researcher whose form this is out of a row's model
    validation (on an add form they do not exist yet), and with them the database's rules that
    name them: a researcher supervising themselves, a supervision recorded already (from the
    other researcher's form, say). They are checked here, each message given once."""

    def validate_unique(self) -> None:
        super().validate_unique()
        if self.instance.supervisor_id is None or self.instance.student_id is None:
            return  # a new researcher: neither rule can fail
        try:
            self.instance.validate_constraints(exclude=set(self.errors))
        except ValidationError as error:
            shown = set(self.non_field_errors())
            for message in error.messages:
                if message not in shown:
                    self.add_error(None, message)


class SupervisionFormSet(forms.BaseInlineFormSet):
    """A researcher's supervisions, one way: a row given twice is named as the database's own
    rule names it (the same supervisor, student and degree)."""

    def get_unique_error_message(self, unique_check) -> str:
        if set(unique_check) == {"supervisor", "student", "degree"}:
            return _("This supervision is listed twice.")
        return super().get_unique_error_message(unique_check)


class SupervisionInline(admin.TabularInline):
    """Supervisions edited on a researcher's form; the other researcher is found by name."""

    model = Supervision
    form = SupervisionForm
    formset = SupervisionFormSet
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Both researchers read with the rows: each row's name (its __str__) shows them.
        return super().get_queryset(request).select_related("supervisor", "student")


class SupervisesInline(SupervisionInline):
    fk_name = "supervisor"
    fields = ["student", "role", "degree", "start_year", "end_year"]
    autocomplete_fields = ["student"]
    verbose_name = _("supervised student or postdoc")
    verbose_name_plural = pgettext_lazy("researcher", "Supervises")


class SupervisedByInline(SupervisionInline):
    fk_name = "student"
    fields = ["supervisor", "role", "degree", "start_year", "end_year"]
    autocomplete_fields = ["supervisor"]
    verbose_name = _("supervisor")
    verbose_name_plural = pgettext_lazy("researcher", "Supervised by")


@admin.register(Researcher)
class ResearcherAdmin(
    PublishActionsMixin, TranslationTabsMixin, EditHistoryAdmin, TranslationAdmin
):
    list_display = [
        "portrait_thumbnail",
        "full_name",
        "membership",
        "organization",
        "is_published",
        "updated_at",
    ]
    list_display_links = ["portrait_thumbnail", "full_name"]
    list_filter = ["membership", "is_published", "topics"]
    search_fields = [
        "given_name",
        "family_name",
        "slug",
        "organization",
        *IDENTIFIER_NORMALIZERS,
    ]
    autocomplete_fields = ["topics"]
    inlines = [SupervisesInline, SupervisedByInline]
    prepopulated_fields = {"slug": ["given_name", "family_name"]}
    readonly_fields = ["portrait_preview", "created_at", "updated_at"]
    formfield_overrides = {**HTTPS_URL_FIELDS, models.ImageField: {"form_class": PortraitField}}
    fieldsets = [
        (None, {"fields": ["given_name", "family_name", "slug", "is_published"]}),
        (_("Portrait"), {"fields": ["portrait", "portrait_preview"]}),
        (_("Position"), {"fields": ["membership", "position", "organization", "bio", "topics"]}),
        (
            _("Links"),
            {
                "fields": [
                    "website",
                    "google_scholar_url",
                    "orcid",
                    "openalex_id",
                    "dblp_pid",
                    "semantic_scholar_id",
                    "github_url",
                ]
            },
        ),
        (_("History"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def response_add(self, request: HttpRequest, obj: Researcher, post_url_continue=None):
        """After adding a researcher, the author records with their name that may be linked
        to them (the page goes straight on when there is none)."""
        response = super().response_add(request, obj, post_url_continue)
        if (
            IS_POPUP_VAR in request.POST
            or not isinstance(response, HttpResponseRedirect)
            or not request.user.has_perm("publications.change_author")
        ):
            return response
        # By name: the publications app owns authors, and builds on this one.
        link = reverse("admin:publications_author_link_researcher", args=[obj.pk])
        return HttpResponseRedirect(f"{link}?{urlencode({'next': response.url})}")

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        """Django's search of names, slug, organisation and identifiers as typed; and also
        every word in the name with accents and case ignored, or an identifier pasted as a
        link (or an ORCID iD without its dashes)."""
        # PostgreSQL refuses NUL characters in a query.
        term = search_term.replace("\x00", "").strip()
        found, may_have_duplicates = super().get_search_results(request, queryset, term)
        if not term:
            return found, may_have_duplicates
        by_name = queryset.search(term)
        by_identifier = queryset.filter(identifier_lookup(term))
        return found | by_name | by_identifier, may_have_duplicates

    @admin.display(description=_("name"), ordering="sort_name")
    def full_name(self, researcher: Researcher) -> str:
        return researcher.full_name

    @admin.display(description=_("portrait"))
    def portrait_thumbnail(self, researcher: Researcher) -> str:
        if not researcher.portrait:
            return "—"
        return format_html(
            '<img class="admin-portrait admin-portrait--thumbnail" src="{}" alt="">',
            researcher.portrait.url,
        )

    @admin.display(description=_("preview"))
    def portrait_preview(self, researcher: Researcher) -> str:
        if not researcher.portrait:
            return _("No portrait yet.")
        return format_html(
            '<img class="admin-portrait admin-portrait--preview" src="{}" alt="{}">',
            researcher.portrait.url,
            _("Portrait of %(name)s") % {"name": researcher.full_name},
        )
