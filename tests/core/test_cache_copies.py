"""What pages are built from is kept for the current state of the data, with copies in each
process in front of the shared cache; fixed addresses are worked out once per language."""

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.template import engines
from django.urls import reverse
from django.utils import translation

from core.cache_backends import GenerationalCache
from core.caching import memo, pages_changed


@pytest.fixture
def copies() -> GenerationalCache:
    return caches["generational"]


def forget_shared(key: str) -> None:
    """Delete the shared cache's entry for ``key`` in the current generation, leaving this
    process's copy."""
    caches["default"].delete(GenerationalCache.shared_key(key))


def test_an_entry_read_once_is_read_again_without_the_shared_cache(copies):
    copies.set("data:a", {"count": 3})
    forget_shared("data:a")  # only this process's copy is left
    assert copies.get("data:a") == {"count": 3}

    caches["default"].set(GenerationalCache.shared_key("data:b"), ["x", "y"])  # another process's
    assert copies.get_many(["data:a", "data:b", "data:missing"]) == {
        "data:a": {"count": 3},
        "data:b": ["x", "y"],
    }
    forget_shared("data:b")
    assert copies.get("data:b") == ["x", "y"]
    assert copies.get("data:missing", "default") == "default"


def test_entries_are_kept_for_the_state_of_the_data_they_were_stored_in(copies, db):
    copies.set("data:a", "before")
    pages_changed()
    assert copies.get("data:a") is None
    copies.set("data:a", "after")
    assert copies.get("data:a") == "after"


def test_a_caller_never_changes_the_copy_the_next_one_reads(copies):
    copies.set("data:counts", {"a": 1})
    first = copies.get("data:counts")
    first["a"] = 99
    assert copies.get("data:counts") == {"a": 1}


def test_copies_are_bounded_the_least_recently_used_dropped_first():
    bounded = GenerationalCache(
        "default", {"OPTIONS": {"MAX_BYTES": 4000}, "KEY_PREFIX": "bounded"}
    )
    for name in ("a", "b", "c"):
        bounded.set(f"data:{name}", name * 1000)
        forget_shared(f"data:{name}")
    assert bounded.get("data:a") == "a" * 1000  # now the most recently used
    bounded.set("data:d", "d" * 1000)
    forget_shared("data:d")
    kept = {name for name in "abcd" if bounded.get(f"data:{name}") is not None}
    assert kept == {"a", "c", "d"}
    # An entry larger than the whole budget goes to the shared cache only.
    bounded.set("data:big", "x" * 5000)
    assert bounded.get("data:big") == "x" * 5000
    forget_shared("data:big")
    assert bounded.get("data:big") is None


def test_a_copy_cache_whose_entries_would_never_expire_is_refused():
    with pytest.raises(ImproperlyConfigured, match="every entry expires"):
        GenerationalCache("default", {"TIMEOUT": None})


def test_data_kept_per_change_is_recomputed_after_a_change(db):
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    assert memo("example", "key", compute) == 1
    assert memo("example", "key", compute) == 1
    pages_changed()
    assert memo("example", "key", compute) == 2
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


def test_a_data_cache_lifetime_of_zero_keeps_nothing(settings):
    """DJANGO_DATA_CACHE_SECONDS=0: every value is computed again, as on the cold path."""
    settings.CACHES = {
        **settings.CACHES,
        "generational": {**settings.CACHES["generational"], "TIMEOUT": 0},
    }
    computed = []

    def compute() -> int:
        computed.append(1)
        return len(computed)

    assert memo("cold", 1, compute) == 1
    assert memo("cold", 1, compute) == 2
