"""The directory's filters, and the research-topic filter and facet every list shares."""

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from core.caching import memo
from core.listing import (
    SEARCH_MAX_LENGTH,
    FacetOption,
    KnownChoicesField,
    ListFilterSet,
    UnknownValuesForm,
)
from core.text import collation_key

from .models import Membership, Researcher, ResearchTopic, from_plain_row, plain_rows


class KnownTopicsField(KnownChoicesField):
    """Chosen topics (any of them: the filters' queryset is every topic), named by their slug
    in either language, so that a link from before each language had its own slug keeps
    working; read with :func:`topics_named_by`."""

    def existing(self, key: str, values: list[str]) -> list:
        return topics_named_by(values)

    def clean(self, value):
        topics = super().clean(value)
        # A topic named by its other language's slug is known.
        named = {slug for topic in topics for slug in topic.slugs}
        unknown = getattr(self, "unknown_values", [])
        self.unknown_values = [value for value in unknown if value not in named]
        return topics


def topics_named_by(slugs: list[str]) -> list[ResearchTopic]:
    """The topics whose slug in either language is one of ``slugs``, read once per change of
    the data for each set of slugs, whatever the language: a topic's page, the filters and the
    language links of a page read the same entry."""
    # A NUL character never names anything, and PostgreSQL refuses it in a query.
    slugs = sorted({slug for slug in slugs if "\x00" not in slug})
    rows = memo("topics_named_by", slugs, lambda: plain_rows(ResearchTopic.objects.named_by(slugs)))
    return [from_plain_row(ResearchTopic, row) for row in rows]


# Filters take their choices as functions that make them, not as querysets or lists: a FilterSet
# copies its filters deeply for each request, and copying a queryset or a list of translated
# labels costs more than making it.


def all_topics(request) -> QuerySet[ResearchTopic]:
    return ResearchTopic.objects.all()


class KnownTopicsFilter(django_filters.ModelMultipleChoiceFilter):
    """Rows linked to any of the chosen topics, each listed once (Exists rather than a join)."""

    field_class = KnownTopicsField

    def filter(self, queryset: QuerySet, topics) -> QuerySet:
        if not topics:
            return queryset
        model = queryset.model
        links = model.topics.through.objects.filter(
            **{model._meta.model_name: OuterRef("pk"), "researchtopic__in": topics}
        )
        return queryset.filter(Exists(links))


class ResearcherFilter(ListFilterSet):
    q = django_filters.CharFilter(
        label=_("Name"), method="filter_name", max_length=SEARCH_MAX_LENGTH
    )
    topic = KnownTopicsFilter(
        label=_("Research topics"),
        queryset=all_topics,
        to_field_name="slug",
    )
    membership = django_filters.MultipleChoiceFilter(
        label=_("Membership"), choices=lambda: Membership.choices, distinct=False
    )

    class Meta:
        model = Researcher
        form = UnknownValuesForm
        fields = ["q", "topic", "membership"]

    def filter_name(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value)


def topic_options(counts: dict[int, int], selected: set[str]) -> list[FacetOption]:
    """Topics that give results, or are chosen, with their counts: the chosen ones first (a
    long list scrolls, and they must stay in sight), then the others alphabetically."""
    if not (counts or selected):
        return []
    # Names in the active language as plain values: hundreds of topics, whose instances and
    # translated attributes would cost more than the rest of the facet.
    options = [
        FacetOption(slug, name, counts.get(pk, 0), slug in selected)
        for pk, slug, name in ResearchTopic.objects.labels()
        if pk in counts or slug in selected
    ]
    return sorted(options, key=lambda option: (not option.selected, collation_key(option.label)))
