"""Facet counts: how many results each option of a filter would give with the other filters."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import django_filters
from django.core.exceptions import EmptyResultSet
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict

from config.page_cache import cached_data

from .filters import filter_messages, filters_in_use
from .models import ResearchTopic, sorted_topics


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


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

    @cached_property
    def results_key(self) -> tuple:
        """What the results depend on, besides the data: every parameter but the page."""
        return (self.name, parameters_key(self.params))

    @cached_property
    def facets_key(self) -> tuple:
        """What the facets depend on, besides the data: the filters (not the page or the
        order)."""
        return (self.name, parameters_key(self.params, ignore=("page", "sort")))


def count_by(rows: QuerySet | Callable[[], QuerySet], field: str, *, key: object = None) -> dict:
    """Rows of ``rows`` per value of ``field``, in one GROUP BY query, kept in the cache until
    the data changes (the same filters give the same counts until then).

    The cache key is the query's SQL, or ``key`` when the caller knows what identifies the
    counts: building the SQL costs more than reading the counts from the cache, and with a
    ``key``, ``rows`` may be a function that builds the queryset, called only when the cache
    does not hold the counts."""

    def counts(queryset: QuerySet) -> QuerySet:
        return (
            queryset.order_by()
            .values_list(field)
            .annotate(total=Count("*"))
            .values_list(field, "total")
        )

    if key is None:
        query = counts(rows)
        try:
            key = (query.db, query.query.sql_with_params())
        except EmptyResultSet:
            return {}
        return cached_data("counts", key, lambda: dict(query))
    return cached_data("counts", key, lambda: dict(counts(rows() if callable(rows) else rows)))


def topic_options(counts: dict[int, int], selected: set[str]) -> list[FacetOption]:
    """Topics that give results, or are chosen, with their counts: the chosen ones first (a
    long list scrolls, and they must stay in sight), then the others alphabetically."""
    options = [
        FacetOption(topic.slug, topic.name, counts.get(topic.pk, 0), topic.slug in selected)
        for topic in sorted_topics(ResearchTopic.objects.all())
        if topic.pk in counts or topic.slug in selected
    ]
    return sorted(options, key=lambda option: not option.selected)


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
