"""The lists' filter sets copy their declared filters more cheaply than django-filter does, and
must hold what django-filter's own would: this pins the copy to django-filter's constructor."""

import django_filters
import pytest
from django.http import QueryDict

from publications.filters import PublicationFilter
from publications.models import Publication
from tests.factories import PublicationFactory


def django_filters_own(data: QueryDict) -> PublicationFilter:
    filterset = PublicationFilter.__new__(PublicationFilter)
    django_filters.filterset.BaseFilterSet.__init__(
        filterset, data, queryset=Publication.objects.all()
    )
    return filterset


def test_a_filter_set_holds_what_django_filters_would():
    data = QueryDict("q=graph&kind=article")
    ours = PublicationFilter(data, queryset=Publication.objects.all())
    theirs = django_filters_own(data)

    assert vars(ours).keys() == vars(theirs).keys()
    assert ours.filters.keys() == theirs.filters.keys()
    for name, filter_ in ours.filters.items():
        declared = PublicationFilter.base_filters[name]
        assert filter_ is not declared
        assert filter_.extra.keys() == theirs.filters[name].extra.keys()
        assert filter_.extra is not declared.extra
        assert vars(filter_).keys() - {"_field"} == vars(theirs.filters[name]).keys() - {"_field"}
        assert (filter_.parent, filter_.model) == (ours, Publication)
        if filter_.method is not None:
            # Filtering by a method of the set goes through a helper bound to the filter.
            assert filter_.filter.f is filter_


@pytest.mark.django_db
def test_two_filter_sets_do_not_share_their_filters_state():
    kept = PublicationFactory(title="Kept", kind="article", year=2020)
    PublicationFactory(title="Other", kind="book", year=2021)
    first = PublicationFilter(QueryDict("kind=article"), queryset=Publication.objects.all())
    second = PublicationFilter(QueryDict("kind=book"), queryset=Publication.objects.all())

    assert list(first.qs) == [kept]
    searched = PublicationFilter(QueryDict("q=Kept&sort=title"), queryset=Publication.objects.all())
    assert list(searched.qs) == [kept]
    assert [p.title for p in second.qs] == ["Other"]
    # A queryset filter writes its queryset to its extra: the other sets do not see it.
    first.filters["researcher"].extra["queryset"] = "written by the first"
    assert second.filters["researcher"].extra.get("queryset") != "written by the first"
    assert PublicationFilter.base_filters["researcher"].extra.get("queryset") != (
        "written by the first"
    )
