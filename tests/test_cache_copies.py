"""Entries stored under a generation are kept in each process, in front of the shared cache;
fixed addresses are worked out once per language."""

import pytest
from django.core.cache import caches
from django.template import engines
from django.urls import reverse
from django.utils import translation

from config.cache import LocalCopies
from config.page_cache import cached_data, pages_changed


@pytest.fixture
def copies() -> LocalCopies:
    return caches["generational"]


def test_an_entry_read_once_is_read_again_without_the_shared_cache(copies):
    shared = caches["default"]
    copies.set("data:1:a", {"count": 3})
    shared.delete("data:1:a")  # only this process's copy is left
    assert copies.get("data:1:a") == {"count": 3}

    shared.set("data:1:b", ["x", "y"])
    assert copies.get_many(["data:1:a", "data:1:b", "data:1:missing"]) == {
        "data:1:a": {"count": 3},
        "data:1:b": ["x", "y"],
    }
    shared.delete("data:1:b")
    assert copies.get("data:1:b") == ["x", "y"]
    assert copies.get("data:1:missing", "default") == "default"


def test_a_caller_never_changes_the_copy_the_next_one_reads(copies):
    copies.set("data:1:counts", {"a": 1})
    first = copies.get("data:1:counts")
    first["a"] = 99
    assert copies.get("data:1:counts") == {"a": 1}


def test_copies_are_bounded_the_least_recently_used_dropped_first():
    bounded = LocalCopies("default", {"OPTIONS": {"MAX_BYTES": 4000}, "KEY_PREFIX": "bounded"})
    shared = caches["default"]
    for name in ("a", "b", "c"):
        bounded.set(f"data:{name}", name * 1000)
        shared.delete(f"data:{name}")
    assert bounded.get("data:a") == "a" * 1000  # now the most recently used
    bounded.set("data:d", "d" * 1000)
    shared.delete("data:d")
    kept = {name for name in "abcd" if bounded.get(f"data:{name}") is not None}
    assert kept == {"a", "c", "d"}
    # An entry larger than the whole budget goes to the shared cache only.
    bounded.set("data:big", "x" * 5000)
    assert bounded.get("data:big") == "x" * 5000
    shared.delete("data:big")
    assert bounded.get("data:big") is None


def test_data_kept_per_change_is_recomputed_after_a_change(db):
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    assert cached_data("example", "key", compute) == 1
    assert cached_data("example", "key", compute) == 1
    pages_changed()
    assert cached_data("example", "key", compute) == 2
    assert len(computed) == 2


@pytest.mark.parametrize("language", ["fr", "en"])
def test_fixed_addresses_are_those_of_the_url_tag(language):
    template = engines["django"].from_string(
        "{% load addresses %}{% fixed_url 'profiles:topic_list' %}|"
        "{% fixed_url 'publications:publication_list_export' fmt='ris' %}"
    )
    with translation.override(language):
        expected = [
            reverse("profiles:topic_list"),
            reverse("publications:publication_list_export", kwargs={"fmt": "ris"}),
        ]
        assert template.render({}).split("|") == expected
    assert expected[0] == {"fr": "/fr/sujets/", "en": "/en/topics/"}[language]
