"""memo() and what is built on it: values for many keys at once, the rows of a paginated list,
and the rule that only plain values are kept."""

import pytest
from django.core.paginator import Paginator

from core.caching import MemoRows, memo, memo_many
from profiles.models import ResearchTopic

pytestmark = pytest.mark.django_db


def test_values_for_many_keys_compute_only_the_missing_ones():
    asked = []

    def squares(keys: list[int]) -> dict[int, int]:
        asked.append(keys)
        return {key: key * key for key in keys if key != 3}  # 3 has no value: kept nowhere

    assert memo_many("squares", "part", [1, 2, 3], squares) == {1: 1, 2: 4}
    assert memo_many("squares", "part", [4, 2, 3, 2], squares) == {2: 4, 4: 16}
    assert memo_many("squares", "other part", [1], squares) == {1: 1}

    assert asked == [[1, 2, 3], [4, 3], [1]]


def test_values_for_many_keys_are_computed_each_time_on_the_cold_path(settings):
    settings.DATA_CACHE_SECONDS = 0
    asked = []

    def doubles(keys: list[int]) -> dict[int, int]:
        asked.append(keys)
        return {key: 2 * key for key in keys}

    for _ in range(2):
        assert memo_many("doubles", "", [1, 2], doubles) == {1: 2, 2: 4}
    assert asked == [[1, 2], [1, 2]]


@pytest.mark.parametrize(
    "compute",
    [
        lambda: ResearchTopic(slug="a", name="A"),
        lambda: {"topics": [ResearchTopic(slug="a", name="A")]},
        lambda: list(ResearchTopic.objects.all()),
    ],
)
def test_a_model_instance_is_never_kept(compute):
    ResearchTopic.objects.create(slug="b", name_fr="B", name_en="B")

    with pytest.raises(TypeError, match="plain values, not model instances"):
        memo("instances", "key", compute)


@pytest.fixture
def topics() -> list[ResearchTopic]:
    return [
        ResearchTopic.objects.create(slug=f"topic-{n}", name_fr=f"Sujet {n}", name_en=f"Topic {n}")
        for n in range(5)
    ]


def topic_rows() -> MemoRows:
    return MemoRows(ResearchTopic, lambda: ResearchTopic.objects.order_by("slug"), key="topics")


def test_a_page_of_a_list_holds_primary_keys_read_once_per_change(
    topics, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the count and the page
        first = Paginator(topic_rows(), 2).page(2)
    with django_assert_num_queries(0):
        again = Paginator(topic_rows(), 2).page(2)

    assert list(first) == list(again) == [topics[2].pk, topics[3].pk]
    assert first.paginator.count == again.paginator.count == 5

    topics[2].delete()
    with django_assert_num_queries(2):
        changed = Paginator(topic_rows(), 2).page(2)
    assert list(changed) == [topics[3].pk, topics[4].pk]


def test_the_rows_of_a_page_are_read_once(topics, django_assert_num_queries):
    rows = topic_rows()
    page = Paginator(rows, 2, orphans=1).page(2)  # the last page, with its orphan
    with django_assert_num_queries(0):  # read for the page already
        read = rows.in_bulk(list(page))
    assert [read[pk].slug for pk in page] == ["topic-2", "topic-3", "topic-4"]

    kept = topic_rows()
    page = Paginator(kept, 2, orphans=1).page(2)  # kept: no row read
    with django_assert_num_queries(1):
        read = kept.in_bulk(list(page))
    assert [read[pk].slug for pk in page] == ["topic-2", "topic-3", "topic-4"]


def test_a_list_given_its_count_does_not_count_its_rows(topics, django_assert_num_queries):
    rows = MemoRows(
        ResearchTopic, lambda: ResearchTopic.objects.order_by("slug"), key="given", count=lambda: 3
    )
    with django_assert_num_queries(1):  # the page only
        page = Paginator(rows, 2).page(2)
    assert list(page) == [topics[2].pk]


def test_a_list_is_only_sliced_page_by_page(topics):
    with pytest.raises(TypeError, match="page by page"):
        topic_rows()[0]


def test_an_empty_list_has_one_empty_page(db, django_assert_num_queries):
    with django_assert_num_queries(1):  # the count
        page = Paginator(topic_rows(), 2).page(1)
    assert list(page) == []
    assert page.paginator.num_pages == 1
