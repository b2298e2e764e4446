"""Reads for the public researcher pages, each a fixed number of queries."""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Prefetch, QuerySet
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404

from core.caching import memo
from core.drafts import may_preview
from core.listing import FacetOption, FilteredList, choice_options, count_by

from .filters import ResearcherFilter, topic_options
from .models import (
    Membership,
    Researcher,
    ResearchTopic,
    from_plain_row,
    plain_rows,
    sorted_topics,
)


def researcher_get_for_profile(*, slug: str, user) -> tuple[Researcher, bool]:
    """The researcher whose profile this is, and whether the page is an editor's preview of a
    draft. Visitors get a 404 for a draft. The row is read once per change of the data."""
    rows = memo(
        "researcher_profile", slug, lambda: plain_rows(Researcher.objects.filter(slug=slug))
    )
    if not rows:
        raise Http404
    researcher = from_plain_row(Researcher, rows[0])
    if researcher.is_published:
        return researcher, False
    if may_preview(user, Researcher):
        return researcher, True
    raise Http404


def researcher_topics(*, researcher: Researcher) -> list[ResearchTopic]:
    """The researcher's topics in the alphabetical order of the active language, read once per
    change of the data."""
    rows = memo(
        "researcher_topics",
        researcher.pk,
        lambda: plain_rows(ResearchTopic.objects.filter(researchers=researcher)),
    )
    return sorted_topics(from_plain_row(ResearchTopic, row) for row in rows)


def researcher_get_published(*, slug: str) -> Researcher:
    """The published researcher with this slug and their topics, or 404."""
    queryset = Researcher.objects.published().prefetch_related("topics")
    return get_object_or_404(queryset, slug=slug)


@dataclass
class ResearcherSearch(FilteredList):
    """The filtered directory with the counts each other choice would give (topics,
    memberships)."""

    name = "directory"

    @property
    def researchers(self) -> QuerySet[Researcher]:
        return self.filterset.qs

    @cached_property
    def topics(self) -> list[FacetOption]:
        def links() -> QuerySet:
            researchers = self.filtered_but(["topic"], Researcher.objects.published())
            return Researcher.topics.through.objects.filter(researcher__in=researchers.values("pk"))

        return topic_options(
            count_by(links, "researchtopic", key=(self.facets_key, "topic")),
            {topic.slug for topic in self.filterset.form.cleaned_data.get("topic") or []},
        )

    @cached_property
    def memberships(self) -> list[FacetOption]:
        return choice_options(
            Membership.choices,
            count_by(
                lambda: self.filtered_but(["membership"], Researcher.objects.published()),
                "membership",
                key=(self.facets_key, "membership"),
            ),
            set(self.filterset.form.cleaned_data.get("membership") or []),
        )


def researcher_search(*, params: QueryDict) -> ResearcherSearch:
    """Published researchers matching ``params`` by family name, with facet counts (computed
    when read)."""
    queryset = Researcher.objects.published().order_by("sort_name", "pk")
    filterset = ResearcherFilter(params, queryset=queryset)
    filterset.is_valid()  # validates the form: invalid values are reported, then left out
    return ResearcherSearch(filterset, params)


def topic_index(*, publication_counts: dict[int, int]) -> list[ResearchTopic]:
    """Every topic with its number of published researchers and its number of published works,
    A to Z.

    ``publication_counts`` gives each topic's number of works by its primary key (a topic left
    out has none): the page composing the index reads it from the app that owns the works. The
    researchers' links are counted in one GROUP BY query, kept until the data changes like
    every ``count_by``.
    """
    researchers = count_by(
        lambda: Researcher.topics.through.objects.filter(researcher__is_published=True),
        "researchtopic",
        key="topic_index_researchers",
    )
    topics = list(ResearchTopic.objects.all())
    for topic in topics:
        topic.researcher_count = researchers.get(topic.pk, 0)
        topic.publication_count = publication_counts.get(topic.pk, 0)
    return sorted_topics(topics)


def topic_get(*, slug: str) -> ResearchTopic:
    """The topic with this slug and its published researchers, or 404."""
    queryset = ResearchTopic.objects.prefetch_related(
        Prefetch(
            "researchers",
            queryset=Researcher.objects.published().order_by("sort_name", "pk"),
            to_attr="published_researchers",
        )
    )
    return get_object_or_404(queryset, slug=slug)
