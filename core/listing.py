"""Public lists: lenient filter sets (a bad value is named in a notice, never a 500), facet
counts, and the page a query string asks for."""

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from html import escape as html_escape
from typing import ClassVar

import django_filters
from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .caching import memo

SEARCH_MAX_LENGTH = 200


class KnownChoicesField(forms.ModelMultipleChoiceField):
    """Keeps the values that exist and sets the unknown ones aside, instead of failing whole.

    A bookmarked list filtered by three topics still works when one of them was removed.
    """

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        values = {str(item) for item in value}
        # A NUL character never names anything, and PostgreSQL refuses it in a query.
        usable = {item for item in values if "\x00" not in item}
        found = self.existing(key, sorted(usable))
        self.unknown_values = sorted(values - {str(getattr(obj, key)) for obj in found})
        return found

    def existing(self, key: str, values: list[str]) -> list:
        """The choices whose ``key`` is one of ``values``."""
        return list(self.queryset.filter(**{f"{key}__in": values}))


class KnownChoiceField(forms.ModelChoiceField):
    """A single choice whose unknown value is set aside and reported, like KnownChoicesField."""

    def to_python(self, value):
        self.unknown_values = []
        try:
            return super().to_python(value)
        except forms.ValidationError:
            self.unknown_values = [str(value)]
            return None


class KnownChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = KnownChoiceField


class UnknownValuesForm(forms.Form):
    """A filter form that reports, without failing, the values a lenient field set aside."""

    def clean(self):
        cleaned_data = super().clean()
        for field in self.fields.values():
            for value in getattr(field, "unknown_values", []):
                self.add_error(
                    None,
                    _("%(filter)s: “%(value)s” is unknown.")
                    % {"filter": field.label, "value": printable(value)},
                )
        return cleaned_data


def printable(value: str, *, limit: int = 100) -> str:
    """A value from a query string, safe to quote in a message: control characters replaced."""
    return "".join(char if char.isprintable() else "\ufffd" for char in value[:limit])


def filter_messages(filterset: django_filters.FilterSet) -> list[str]:
    """A message for each query parameter, or value, that the filters ignored."""
    form = filterset.form
    return [
        message
        if name == NON_FIELD_ERRORS
        else gettext("%(filter)s: %(message)s")
        % {"filter": form.fields[name].label, "message": message}
        for name, messages in form.errors.items()
        for message in messages
    ]


def filters_in_use(filterset: django_filters.FilterSet, *, ignore: tuple[str, ...] = ()) -> bool:
    """Whether the query string sets any filter (a sort order alone does not count)."""
    return any(
        value
        for name in filterset.form.fields
        if name not in ignore
        for value in filterset.data.getlist(name)
    )


class ListFilterSet(django_filters.FilterSet):
    """The filters of a public list, whose form class is built once per FilterSet class.

    django-filter builds a new form class from the filters' form fields for each FilterSet, that
    is for each request; a list's filters are declared once and the same for every request, so
    their form class is too (its forms copy their fields, as every Django form does).
    """

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None) -> None:
        """As django-filter's (26.x), but each filter is copied rather than deep-copied: the
        deep copy of the declared filters (their choices, querysets and labels) was a quarter
        of a cached list's time. A filter's own state is its attributes and its ``extra``
        (which a queryset filter writes to): both are copied, and a filter by method is bound
        to its copy. tests/core/test_listing.py
        checks that an instance holds what django-filter's would."""
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _copied(declared) for name, declared in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self

    def get_form_class(self) -> type[forms.Form]:
        return _list_form_class(type(self))


def _copied(declared: django_filters.Filter) -> django_filters.Filter:
    filter_ = copy.copy(declared)
    filter_.extra = dict(declared.extra)
    if declared.method is not None:
        # A filter by method filters through a helper bound to the filter: bound to the copy.
        filter_.method = declared.method
    return filter_


@cache
def _list_form_class(filterset_class: type[ListFilterSet]) -> type[forms.Form]:
    fields = {name: declared.field for name, declared in filterset_class.base_filters.items()}
    return type(f"{filterset_class.__name__}Form", (filterset_class._meta.form,), fields)


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


# The list pages' template tags ({% load listing %}). A facet can have hundreds of options (the
# research topics): they are written here in one pass, at a fraction of a template loop's cost.
register = template.Library()


@register.simple_tag
def facet_checkboxes(options: list[FacetOption], name: str) -> SafeString:
    """One ``<li>`` with a labelled checkbox and its count for each option of a facet."""
    name = _text(name)
    return _written(
        f'<li><label><input type="checkbox" name="{name}" value="{_text(option.value)}"'
        f"{' checked' if option.selected else ''}> {_text(option.label)} "
        f'<span class="facet__count">({option.count:d})</span></label></li>'
        for option in options
    )


def _text(value: object) -> str:
    return html_escape(str(value))


def _written(parts: Iterable[str], separator: str = "\n") -> SafeString:
    # Each part escapes its values (html.escape) and places them in fixed markup.
    return mark_safe(separator.join(parts))  # noqa: S308


# A facet shows this many options (the chosen ones, then the most used), and the others behind
# a "+N more" disclosure: a column of hundreds of topics would be a box that scrolls, or a page
# that never ends on a phone. A facet with at most FACET_SHOWN + FACET_SLACK options shows them
# all: hiding two or three would cost more than it saves.
FACET_SHOWN = 10
FACET_SLACK = 2


@dataclass(frozen=True)
class FacetParts:
    """A facet's options as shown at once (``shown``) and behind a disclosure (``more``)."""

    shown: list[FacetOption]
    more: list[FacetOption]


@register.simple_tag
def facet_parts(options: list[FacetOption], limit: int = FACET_SHOWN) -> FacetParts:
    """The chosen options and the most used others, most used first, up to ``limit``; then the
    rest in the facet's own order (alphabetical for topics), where a name is looked for."""
    if len(options) <= limit + FACET_SLACK:
        return FacetParts(shown=list(options), more=[])
    chosen = [option for option in options if option.selected]
    others = [option for option in options if not option.selected]
    most_used = sorted(others, key=lambda option: -option.count)[: max(limit - len(chosen), 0)]
    kept = {id(option) for option in most_used}
    return FacetParts(
        shown=chosen + most_used,
        more=[option for option in others if id(option) not in kept],
    )


@register.simple_tag
def facet_checkboxes_compact(options: list[FacetOption], name: str) -> SafeString:
    """A labelled checkbox with its count for each option, in the fewest bytes: the long tail of
    a facet (hundreds of topics) is most of a list page's weight."""
    name = _text(name)
    return _written(
        (
            f'<label><input type="checkbox" name="{name}" value="{_text(option.value)}"'
            f"{' checked' if option.selected else ''}> {_text(option.label)} "
            f"<small>({option.count:d})</small></label>"
            for option in options
        ),
        separator="",
    )


@register.simple_tag
def facet_select_options(options: list[FacetOption], chosen: object) -> SafeString:
    """One ``<option>`` with its count for each option of a facet, ``chosen`` selected."""
    chosen = "" if chosen is None else str(chosen)
    return _written(
        (
            f'<option value="{_text(option.value)}"{" selected" * (option.value == chosen)}>'
            f"{_text(option.label)} ({option.count:d})</option>"
            for option in options
        ),
        separator="",
    )


def without(params: QueryDict, names: list[str]) -> QueryDict:
    """``params`` without the given parameters: the other filters of a facet."""
    params = params.copy()
    for name in names:
        params.pop(name, None)
    return params


def parameters_key(params: QueryDict, *, ignore: tuple[str, ...] = ("page",)) -> list:
    """The query parameters but ``ignore``, in a stable order: what a list's results depend on,
    besides the data."""
    return sorted((name, sorted(params.getlist(name))) for name in params if name not in ignore)


@dataclass
class FilteredList:
    """A list page's filters, what they report, and the cache keys of its results and facets.

    The results and the facets are built when first read: for the current state of the data,
    the page keeps its count and pages of results, and its rendered filter form, under
    ``results_key``, and the facets in the form under ``facets_key``, and then never reads them.
    """

    filterset: django_filters.FilterSet
    params: QueryDict
    # Names the list in cache keys; parameters that choose no rows (an order) do not count as
    # filtering.
    name: ClassVar[str]
    not_filters: ClassVar[tuple[str, ...]] = ()

    @property
    def messages(self) -> list[str]:
        return filter_messages(self.filterset)

    @property
    def is_filtered(self) -> bool:
        return filters_in_use(self.filterset, ignore=self.not_filters)

    @property
    def active_filter_count(self) -> int:
        """How many filters choose the rows, each chosen value of a multiple choice counted
        (two topics are two filters), values that could not be used left out."""
        self.filterset.is_valid()
        count = 0
        for name, value in self.filterset.form.cleaned_data.items():
            if name in self.not_filters or value in (None, "", [], ()):
                continue
            count += len(value) if isinstance(value, list | tuple | QuerySet) else 1
        return count

    @cached_property
    def results_key(self) -> tuple:
        """What the results depend on, besides the data: every parameter but the page."""
        return (self.name, parameters_key(self.params))

    @cached_property
    def facets_key(self) -> tuple:
        """What the facets depend on, besides the data: the filters (not the page or the
        order)."""
        return (self.name, parameters_key(self.params, ignore=("page", "sort")))

    def filters_but(self, names: list[str]) -> dict:
        """The filters in use, with their valid values, but ``names`` (and those that choose no
        rows): what a facet's counts depend on."""
        self.filterset.is_valid()
        return {
            name: value
            for name, value in self.filterset.form.cleaned_data.items()
            if value and name not in names and name not in self.not_filters
        }

    def filtered_but(self, names: list[str], queryset: QuerySet) -> QuerySet:
        """``queryset`` filtered as the list is, but by ``names``: the rows a facet counts.

        The list's own filters do it, with the values they validated: the query string is not
        validated again for each facet.
        """
        for name, value in self.filters_but(names).items():
            queryset = self.filterset.filters[name].filter(queryset, value)
        return queryset


def count_by(rows: Callable[[], QuerySet], field: str, *, key: object) -> dict:
    """Rows per value of ``field`` (:func:`counts_per_value`), kept until the data changes: the
    same rows give the same counts until then.

    ``key`` says what the rows are, besides the data (a list's name and filters, a
    researcher...); ``rows`` builds their queryset, and is called only when the cache does not
    hold the counts: building a queryset and its SQL costs more than reading the counts."""
    return memo("counts", key, lambda: counts_per_value(rows(), field))


def counts_per_value(rows: QuerySet, field: str) -> dict:
    """Rows of ``rows`` per value of ``field``, in one GROUP BY query (values without rows are
    left out)."""
    counts = rows.order_by().values_list(field).annotate(total=Count("*"))
    return dict(counts.values_list(field, "total"))


def choice_options(choices, counts: dict[str, int], selected: set[str]) -> list[FacetOption]:
    """Options of a choice field that give results, or are chosen, with their counts."""
    return [
        FacetOption(value, str(label), counts.get(value, 0), value in selected)
        for value, label in choices
        if value in counts or value in selected
    ]


def count_subquery(links: QuerySet, field: str):
    """Count the rows of ``links`` pointing at the outer row, as a subquery (no join, no
    duplicated rows): for annotating each row of a list with a count."""
    rows = (
        links.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(total=Count("*"))
        .values("total")
    )
    return Coalesce(Subquery(rows), 0)


def chosen_page_number(requested: str | None, *, last: int) -> tuple[int, str]:
    """The page a query string's ``page`` asks for, between 1 and ``last``, and a notice naming
    the number when it could not be used ("" when it could): a bad parameter is shown to the
    visitor, never silently replaced."""
    if not requested:
        return 1, ""
    shown = printable(requested.strip())
    try:
        number = int(requested)
    except ValueError:  # not a number, or one too long to be read
        notice = gettext("“%(page)s” is not a page number: the first page is shown.")
        return 1, notice % {"page": shown}
    if 1 <= number <= last:
        return number, ""
    if number < 1 or last == 1:
        return 1, gettext("There is no page %(page)s: the first page is shown.") % {"page": shown}
    notice = gettext("There is no page %(page)s: the last page (%(last)s) is shown.")
    return last, notice % {"page": shown, "last": last}


def chosen_page(paginator: Paginator, requested: str | None) -> tuple[Page, str]:
    """The page of ``paginator`` that ``requested`` names, or the nearest one with a notice
    (see :func:`chosen_page_number`)."""
    number, notice = chosen_page_number(requested, last=paginator.num_pages)
    return paginator.page(number), notice
