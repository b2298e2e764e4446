"""Reads for the public publication pages, each a fixed number of queries."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar
from urllib.parse import urlencode

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import Rank
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse

from core.caching import memo
from core.drafts import may_preview
from core.listing import FacetOption, FilteredList, choice_options, counts_per_value
from core.text import collation_key
from profiles.filters import topic_options
from profiles.models import Researcher, ResearchTopic

from .filters import PublicationFilter
from .models import (
    Author,
    Authorship,
    CoauthorCount,
    FieldSource,
    Publication,
    ResearcherTopicCount,
    ResearcherYearCount,
    TopicPublicationCount,
)
from .search import publications_matching, read_through_the_search_index

T = TypeVar("T")

# The query parameters each facet leaves out when counting its own options.
FACET_PARAMETERS = {"topic": ["topic"], "kind": ["kind"], "year": ["year_from", "year_to"]}
# A search matching more publications than this lists them newest first, unless the visitor
# asks for the best matches: ranking means reading every match's search vector (nearly half a
# second for a word found in most publications), while the newest come first from an index.
RANKED_MATCHES_LIMIT = 2_000


def publication_get_for_page(*, pk: int, user) -> tuple[Publication, bool]:
    """The publication with its authors in order, its topics, its citations per year, its
    notices and the source of its citation count (``citations_source``), and whether the page
    is an editor's preview of a draft. Visitors get a 404 for a draft."""
    citations_source = FieldSource.objects.filter(
        publication=OuterRef("pk"), field_name="cited_by_count"
    ).values("source")[:1]
    queryset = (
        Publication.objects.with_authors()
        .with_topics()
        .prefetch_related("citation_years", "notices")
        .annotate(citations_source=Subquery(citations_source))
    )
    publication = get_object_or_404(queryset, pk=pk)
    if publication.is_published:
        return publication, False
    if may_preview(user, Publication):
        return publication, True
    raise Http404


def publication_get_published(*, pk: int) -> Publication:
    """The published publication with its authors in order and its topics, or 404."""
    queryset = Publication.objects.published().with_authors().with_topics()
    return get_object_or_404(queryset, pk=pk)


@dataclass
class PublicationSearch(FilteredList):
    """A filtered publication list with the counts each other choice would give (topics, kinds,
    years)."""

    name = "publication_list"
    not_filters = ("sort",)

    @property
    def publications(self) -> QuerySet[Publication]:
        """Shown with the publication_items tag, which reads authors and topics for the items
        it does not hold in the cache."""
        publications = self.filterset.qs
        return publications.newest_first() if self.too_many_to_rank else publications

    @cached_property
    def count(self) -> int:
        """How many publications match, kept until the data changes."""
        if self._facets_count_the_results:
            return sum(self._per_year_and_kind.values())
        return memo(
            "publication_count",
            self.results_key,
            lambda: self._read(lambda: self.filterset.qs.count()),
        )

    @cached_property
    def too_many_to_rank(self) -> bool:
        """Whether this search lists its matches newest first instead of best first: the
        visitor left the order to the site, and too many publications match."""
        cleaned = self._cleaned
        return bool(
            cleaned.get("q") and not cleaned.get("sort") and self.count > RANKED_MATCHES_LIMIT
        )

    @property
    def sort(self) -> str:
        """The order of the list: the visitor's choice, or the best matches of a search first,
        or the newest first."""
        cleaned = self._cleaned
        if cleaned.get("sort"):
            return cleaned["sort"]
        return "relevance" if cleaned.get("q") and not self.too_many_to_rank else "newest"

    @property
    def _cleaned(self) -> dict:
        self.filterset.is_valid()
        return self.filterset.form.cleaned_data

    @cached_property
    def topics(self) -> list[FacetOption]:
        chosen = {topic.slug for topic in self._cleaned.get("topic") or []}
        return topic_options(self._topic_counts(), chosen)

    def _topic_counts(self) -> dict[int, int]:
        names = FACET_PARAMETERS["topic"]
        if not self.filters_but(names):
            # Every published publication: the database keeps these counts.
            return published_counts_by_topic()

        def links() -> QuerySet:
            publications = self.filtered_but(names, Publication.objects.published())
            return Publication.topics.through.objects.filter(
                publication__in=publications.values("pk")
            )

        return self._counts("topic", links, "researchtopic")

    @cached_property
    def kinds(self) -> list[FacetOption]:
        if self._facets_count_the_results:
            counts = self._totals(lambda year, kind: kind)
        else:
            counts = self._counts("kind", lambda: self._facet_rows("kind"), "kind")
        return choice_options(
            Publication.Kind.choices, counts, set(self._cleaned.get("kind") or [])
        )

    @cached_property
    def years(self) -> list[FacetOption]:
        if self._facets_count_the_results:
            counts = self._totals(lambda year, kind: year)
        else:
            counts = self._counts("year", lambda: self._facet_rows("year"), "year")
        for chosen in (self._cleaned.get("year_from"), self._cleaned.get("year_to")):
            if chosen is not None:
                counts.setdefault(int(chosen), 0)
        return [
            FacetOption(str(year), str(year), total, False)
            for year, total in sorted(counts.items(), reverse=True)
        ]

    @cached_property
    def _facets_count_the_results(self) -> bool:
        """Whether the year and kind facets count the list's results themselves (neither is
        filtered, so each counts every result): one query per (year, kind) then gives both
        facets and the number of results."""
        in_use = self.filters_but([])
        return not any(name in in_use for name in FACET_PARAMETERS["year"] + ["kind"])

    @cached_property
    def _per_year_and_kind(self) -> dict[tuple[int, str], int]:
        """The results per (year, kind), kept until the data changes."""

        def read() -> dict[tuple[int, str], int]:
            rows = self._facet_rows("year").order_by().values_list("year", "kind")
            return {(year, kind): total for year, kind, total in rows.annotate(n=Count("*"))}

        return memo("publication_facet", (self.facets_key, "year_kind"), lambda: self._read(read))

    def _totals(self, value: Callable[[int, str], object]) -> dict:
        """The results per ``value(year, kind)``."""
        totals: dict = {}
        for (year, kind), total in self._per_year_and_kind.items():
            totals[value(year, kind)] = totals.get(value(year, kind), 0) + total
        return totals

    def _facet_rows(self, facet: str) -> QuerySet[Publication]:
        """The published publications that ``facet`` counts: those of every filter but its
        own."""
        return self.filtered_but(FACET_PARAMETERS[facet], Publication.objects.published())

    def _counts(self, facet: str, rows: Callable[[], QuerySet], field: str) -> dict:
        """The counts of one facet, kept until the data changes."""
        return memo(
            "publication_facet",
            (self.facets_key, facet),
            lambda: self._read(lambda: counts_per_value(rows(), field)),
        )

    def _read(self, read: Callable[[], T]) -> T:
        """``read()``; a search's through the search index."""
        return read_through_the_search_index(read) if self._cleaned.get("q") else read()


def published_counts_by_topic() -> dict[int, int]:
    """The number of published publications of each topic that has any, as the database keeps
    it (:class:`publications.models.TopicPublicationCount`), read once per change of the
    data."""
    counted = TopicPublicationCount.objects.filter(published__gt=0)
    return memo(
        "published_counts_by_topic",
        (),
        lambda: dict(counted.values_list("topic_id", "published")),
    )


def publication_search(*, params: QueryDict) -> PublicationSearch:
    """Published publications matching ``params``, with facet counts for topics, kinds, years
    (computed when read)."""
    filterset = PublicationFilter(params, queryset=Publication.objects.published().newest_first())
    filterset.is_valid()  # validates the form: invalid values are reported, then left out
    return PublicationSearch(filterset, params)


def publications_of_researcher(*, researcher: Researcher) -> QuerySet[Publication]:
    """The researcher's published publications, newest first. Pages show them with the
    ``publication_items`` tag, which reads authors and topics only for items not cached;
    exports add ``with_authors()`` and ``with_topics()``."""
    return Publication.objects.published().for_researcher(researcher).newest_first()


def researcher_topic_counts(*, researcher: Researcher) -> dict[int, int]:
    """The number of the researcher's published publications on each topic (by the topic's
    primary key), as the database keeps them (:class:`publications.models.ResearcherTopicCount`),
    read once per change of the data."""
    counted = ResearcherTopicCount.objects.filter(researcher=researcher)
    return memo(
        "researcher_topic_counts",
        researcher.pk,
        lambda: dict(counted.values_list("topic_id", "published")),
    )


def topic_publications(*, topic: ResearchTopic) -> QuerySet[Publication]:
    """The topic's published publications, newest first (shown with ``publication_items``)."""
    return Publication.objects.published().filter(topics=topic).newest_first()


# A profile shows at most this many key publications, above the full list.
KEY_PUBLICATIONS_LIMIT = 5


def key_publications_of_researcher(*, researcher: Researcher) -> QuerySet[Publication]:
    """The researcher's published publications that their own authorship marks as key, newest
    first, at most ``KEY_PUBLICATIONS_LIMIT``: a coauthor's mark makes a paper key for the
    coauthor only."""
    marked = Authorship.objects.filter(author__researcher=researcher, is_key=True).values(
        "publication_id"
    )
    published = Publication.objects.published().filter(pk__in=marked)
    return published.newest_first()[:KEY_PUBLICATIONS_LIMIT]


def publications_of_researcher_matching(
    *,
    researcher: Researcher,
    topic: ResearchTopic | None = None,
    year: int | None = None,
    text: str = "",
) -> QuerySet[Publication]:
    """The researcher's published publications on ``topic``, of ``year``, matching ``text``
    (the publication list's search), newest first even when searching: a profile lists a
    career in order, and its pages are grouped by year."""
    # A subquery rather than a join: a work the researcher both wrote and edited is listed once,
    # as publication_years_of_researcher counts it.
    signed = Authorship.objects.filter(author__researcher=researcher).values("publication_id")
    publications = Publication.objects.published().filter(pk__in=signed).newest_first()
    if topic is not None:
        publications = publications.filter(topics=topic)
    if year is not None:
        publications = publications.filter(year=year)
    if text:
        publications = publications_matching(publications, text).newest_first()
    return publications


# Publications per year, and coauthors ----------------------------------------------------------


def publication_years_of_researcher(*, researcher: Researcher) -> dict[int, int]:
    """The number of the researcher's published publications of each year (years without any
    left out; a work both written and edited by the researcher counts once), as the database
    keeps them (:class:`publications.models.ResearcherYearCount`), read once per change of the
    data."""
    counted = ResearcherYearCount.objects.filter(researcher=researcher)
    return memo(
        "researcher_publication_years",
        researcher.pk,
        lambda: dict(counted.values_list("year", "published")),
    )


def publication_years_of_topic(*, topic: ResearchTopic) -> dict[int, int]:
    """The number of the topic's published publications of each year (years without any left
    out), in one GROUP BY query kept until the data changes."""
    return memo(
        "topic_publication_years",
        topic.pk,
        lambda: counts_per_value(Publication.objects.published().filter(topics=topic), "year"),
    )


@dataclass(frozen=True)
class Coauthor:
    """Someone who signed published works with a researcher, as pages show them: ``url`` is
    their profile when they are a published member, else the publication list of their works."""

    name: str
    count: int
    url: str
    is_member: bool


def coauthors_of_researcher(*, researcher: Researcher, limit: int | None = None) -> list[Coauthor]:
    """The people who signed, as authors, the researcher's published works that the
    researcher signed as an author too, each with the number of those works: the most
    frequent first, then by name, at most ``limit``. The researcher's own author rows are
    left out; editors of a volume are not its authors' coauthors. Addresses are made for the
    reader's language."""
    return most_frequent_coauthors(researcher=researcher, limit=limit)[0]


def most_frequent_coauthors(
    *, researcher: Researcher, limit: int | None
) -> tuple[list[Coauthor], int]:
    """The ``limit`` most frequent coauthors (:func:`coauthors_of_researcher`; all of them
    for None) and how many there are in all.

    The joint works are counted by the database (:class:`publications.models.CoauthorCount`);
    for a ``limit``, it ranks them and returns only the authors who may be among the first
    (those as frequent as the last of them, whom their names may place before it), with the
    number of coauthors: a researcher with thousands of coauthors costs a few rows and names.
    Both are kept until the data changes."""
    if limit is None:
        rows = memo(
            "researcher_coauthors",
            researcher.pk,
            lambda: _named_coauthors(list(_joint_counts(researcher))),
        )
        return _coauthors(rows), len(rows)

    def first() -> tuple[list[tuple[int, str, str, int]], int]:
        counts, total = _first_coauthor_counts(researcher, limit)
        return _named_coauthors(counts)[:limit], total

    rows, total = memo("researcher_first_coauthors", (researcher.pk, limit), first)
    return _coauthors(rows), total


def _joint_counts(researcher: Researcher) -> QuerySet:
    """(author id, joint works) of each of the researcher's coauthors."""
    counted = CoauthorCount.objects.filter(researcher=researcher).order_by()
    return counted.values_list("author_id", "joint")


def _first_coauthor_counts(researcher: Researcher, limit: int) -> tuple[list[tuple[int, int]], int]:
    """(author id, joint works) of the coauthors at least as frequent as the ``limit``-th
    (ties ranked alike: a rank of at most ``limit``), and the number of coauthors, in one
    query. A limit of 0 reads the most frequent all the same: their rows carry the number."""
    ranked = (
        _joint_counts(researcher)
        .annotate(
            place=Window(Rank(), order_by=F("joint").desc()),
            coauthors=Window(Count("*")),
        )
        .filter(place__lte=max(limit, 1))
    )
    rows = list(ranked)
    total = rows[0][3] if rows else 0
    return [(author_id, joint) for author_id, joint, _place, _total in rows], total


def _named_coauthors(counts: list[tuple[int, int]]) -> list[tuple[int, str, str, int]]:
    """(author id, name, slug of their published profile or "", joint works) of each of
    ``counts``, the most frequent first, then by name."""
    joint = dict(counts)
    if not joint:
        return []
    names = Author.objects.filter(pk__in=joint).values_list(
        "pk", "display_name", "researcher__slug", "researcher__is_published"
    )
    found = [
        (pk, name, slug if slug and is_published else "", joint[pk])
        for pk, name, slug, is_published in names
    ]
    found.sort(key=lambda row: (-row[3], collation_key(row[1]), row[0]))
    return found


def _coauthors(rows: list[tuple[int, str, str, int]]) -> list[Coauthor]:
    list_url = reverse("publications:publication_list")
    return [
        Coauthor(
            name=name,
            count=count,
            url=reverse("profiles:researcher_detail", kwargs={"slug": slug})
            if slug
            else f"{list_url}?{urlencode({'author': author_id})}",
            is_member=bool(slug),
        )
        for author_id, name, slug, count in rows
    ]
