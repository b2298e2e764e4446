"""The publication list's filters: every state is a plain GET query string."""

import django_filters
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from core.listing import SEARCH_MAX_LENGTH, KnownChoiceFilter, ListFilterSet, UnknownValuesForm
from profiles.filters import KnownTopicsFilter, all_topics
from profiles.models import Researcher

from .models import YEAR_MAX, YEAR_MIN, Author, Authorship, Publication
from .search import TextSearch


class PublicationSort(models.TextChoices):
    NEWEST = "newest", _("Newest first")
    OLDEST = "oldest", _("Oldest first")
    TITLE = "title", _("Title")
    RELEVANCE = "relevance", _("Best match")


SORT_ORDERS = {
    PublicationSort.NEWEST: ["-year", "-created_at", "-pk"],
    PublicationSort.OLDEST: ["year", "created_at", "pk"],
    PublicationSort.TITLE: ["title", "pk"],
}


class PublicationFilter(ListFilterSet):
    """Filters of the publication list. Invalid values are reported and left out."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Words from the title, the abstract or an author's name."),
    )
    topic = KnownTopicsFilter(
        label=_("Research topics"),
        queryset=all_topics,
        to_field_name="slug",
    )
    year_from = django_filters.NumberFilter(
        label=_("From year"),
        field_name="year",
        lookup_expr="gte",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
    )
    year_to = django_filters.NumberFilter(
        label=_("To year"),
        field_name="year",
        lookup_expr="lte",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
    )
    # A publication has one kind: no join, so no DISTINCT (which would make counts read rows).
    kind = django_filters.MultipleChoiceFilter(
        label=_("Kind"), choices=lambda: Publication.Kind.choices, distinct=False
    )
    researcher = KnownChoiceFilter(
        label=_("Researcher"),
        queryset=lambda request: Researcher.objects.published(),
        to_field_name="slug",
        method="filter_researcher",
    )
    # Any author, member of the institute or not: the coauthors of a profile lead here.
    author = KnownChoiceFilter(
        label=_("Author"),
        queryset=lambda request: Author.objects.all(),
        method="filter_author",
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=PublicationSort.choices,
        method="sort_by",
        empty_label=None,
    )

    _text_search: TextSearch | None = None

    class Meta:
        model = Publication
        form = UnknownValuesForm
        fields = ["q", "topic", "year_from", "year_to", "kind", "researcher", "author", "sort"]

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The list and each of its facets apply the same search: one TextSearch looks up what
        # it needs once for all of them.
        if self._text_search is None or self._text_search.text != value:
            self._text_search = TextSearch(value, using=queryset.db)
        return self._text_search.matching(queryset)

    def filter_researcher(self, queryset: QuerySet, name: str, researcher) -> QuerySet:
        signed = Authorship.objects.filter(
            publication=OuterRef("pk"), author__researcher=researcher
        )
        return queryset.filter(Exists(signed))

    def filter_author(self, queryset: QuerySet, name: str, author) -> QuerySet:
        signed = Authorship.objects.filter(publication=OuterRef("pk"), author=author)
        return queryset.filter(Exists(signed))

    def sort_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == PublicationSort.RELEVANCE:
            # A search orders by relevance already; without one, the newest come first.
            return queryset if self.form.cleaned_data.get("q") else queryset.newest_first()
        return queryset.order_by(*SORT_ORDERS[PublicationSort(value)])
