"""Admin for publications, their authors and the order in which they sign. The import pages,
the merges and the other versions' corrections are in admin_imports.py, admin_merge.py and
admin_versions.py."""

import reversion
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst, smart_split, unescape_string_literal
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ControlCharacterFreeAdmin
from core.drafts import PublishActionsMixin
from core.listing import count_subquery
from core.text import name_key, title_key
from editorial.admin import EditHistoryAdmin
from profiles.admin import HTTPS_URL_FIELDS
from profiles.models import Researcher

from .admin_imports import BibtexImportAdmin
from .admin_merge import MergeAdmin
from .admin_versions import PublicationVersionInline, VersionActionsAdmin
from .bibtex import ParsedAuthor
from .forms import AuthorshipFormSet, DuplicateCheckMixin
from .identifiers import normalize_arxiv_id, normalize_doi
from .models import (
    Author,
    Authorship,
    CitedFields,
    Publication,
    PublicationKind,
    PublicationLink,
    PublicationVersion,
    authors_prefetch,
)
from .selectors import KEY_PUBLICATIONS_LIMIT
from .services.authors import is_researcher
from .services.matching import with_stored_duplicates
from .services.provenance import LOCKABLE_FIELDS, locked_fields, provenance_record_edit


class PossibleDuplicatesFilter(admin.SimpleListFilter):
    """Publications that another stored publication is a record of the same work as, by the
    rule the BibTeX import and the add form find a stored work with."""

    title = _("possible duplicates")
    parameter_name = "duplicates"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Same DOI, arXiv identifier or title (within a year) as another publication"))
        ]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        return with_stored_duplicates(queryset)


class AuthorshipForm(forms.ModelForm):
    """One author of a publication, with their marks. A key publication is a member's (an
    author linked to a researcher), and a member has a handful at most: their profile lists
    them first."""

    def clean(self):
        cleaned_data = super().clean()
        author = cleaned_data.get("author")
        if cleaned_data.get("is_key") and author is not None:
            self._check_key_publication(author)
        return cleaned_data

    def _check_key_publication(self, author: Author) -> None:
        researcher = author.researcher
        if researcher is None:
            self.add_error(
                "is_key",
                gettext(
                    "Only an institute member's publication can be key: link “%(name)s” to "
                    "their researcher first."
                )
                % {"name": author.display_name},
            )
            return
        others = Authorship.objects.filter(author=author, is_key=True)
        if self.instance.publication_id is not None:
            others = others.exclude(publication_id=self.instance.publication_id)
        if others.count() >= KEY_PUBLICATIONS_LIMIT:
            self.add_error(
                "is_key",
                gettext(
                    "%(name)s already has %(limit)d key publications: untick one of them "
                    "before choosing this one."
                )
                % {"name": researcher.full_name, "limit": KEY_PUBLICATIONS_LIMIT},
            )


class AuthorshipInline(ControlCharacterFreeAdmin, admin.TabularInline):
    model = Authorship
    form = AuthorshipForm
    formset = AuthorshipFormSet
    fields = ["role", "position", "author", "equal_contribution", "corresponding", "is_key"]
    autocomplete_fields = ["author"]
    ordering = ["role", "position"]
    extra = 1
    # Editors are rows of the same list, with their own positions (see the role column).
    verbose_name = _("author")
    verbose_name_plural = _("authors, in the order they sign")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("author")


class PublicationLinkInline(ControlCharacterFreeAdmin, admin.TabularInline):
    """The work's further links (slides, video, poster, project page, data), shown on its list
    items and its page beside arXiv, the PDF, the DOI and the code."""

    model = PublicationLink
    fields = ["kind", "url"]
    extra = 0
    formfield_overrides = HTTPS_URL_FIELDS
    verbose_name_plural = _("Links")


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
    (_("Harvest"), {"fields": ["locked_fields"], "classes": ["collapse"]}),
    (_("History"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
]


class PublicationForm(DuplicateCheckMixin, EditHistoryAdmin.form):
    """The publication form: no silent overwrite of another editor's change, no record of a
    work already stored saved unawares, and the fields the harvest may not change."""

    locked_fields = forms.MultipleChoiceField(
        label=_("Fields the harvest may not change"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A field you change is locked at once; tick a field to lock it, untick it to let "
            "the harvest propose changes to it again."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locked_fields"].choices = [
            (name, capfirst(lockable_label(name))) for name in LOCKABLE_FIELDS
        ]
        if self.instance.pk:
            self.fields["locked_fields"].initial = sorted(locked_fields(self.instance))


def lockable_label(name: str) -> str:
    """What a lockable field is called in the form."""
    if name == "authors":
        return _("authors")
    return Publication._meta.get_field(name).verbose_name


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
class PublicationAdmin(
    BibtexImportAdmin, MergeAdmin, VersionActionsAdmin, PublishActionsMixin, EditHistoryAdmin
):
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
    inlines = [AuthorshipInline, PublicationLinkInline, PublicationVersionInline]
    readonly_fields = ["created_at", "updated_at"]
    formfield_overrides = HTTPS_URL_FIELDS
    fieldsets = PUBLICATION_FIELDSETS

    class Media:
        js = ("editor/publication_kinds.js",)
        css = {"all": ("editor/admin.css", "editor/matches.css")}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related(authors_prefetch())

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # What the editor changed is theirs now: the harvest never proposes to change it.
        provenance_record_edit(
            publication=form.instance, form=form, formsets=formsets, user=request.user
        )

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        for word in search_words(search_term):
            queryset = queryset.filter(publication_word_lookup(word))
        return queryset, False

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
    form = AuthorshipForm
    list_display = ["publication", "role", "position", "author"]
    list_select_related = ["publication", "author"]
    list_filter = ["role"]
    search_fields = ["publication__title", "author__display_name"]
    autocomplete_fields = ["publication", "author"]
    ordering = ["publication__title", "role", "position"]
