"""What memo() keeps is kept for the current state of the data, in the shared cache and in copies
each process reads again without asking the shared cache."""

from collections.abc import Iterator

import pytest

from core import caching
from core.caching import GENERATION_KEY, ProcessCopies, memo, pages_changed
from tests.redis_server import RedisServer, own_redis_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_server(settings, tmp_path) -> Iterator[RedisServer]:
    yield from own_redis_server(settings, tmp_path)


class Computation:
    """A value computed again at each call: how many times it was computed."""

    def __init__(self, value: object = None):
        self.value = value
        self.calls = 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value if self.value is not None else self.calls


def forget_all_but_the_generation(server: RedisServer) -> None:
    """The shared cache loses every entry but the generation: only this process's copies are
    left."""
    for key in server.client.scan_iter():
        if not key.decode().endswith(GENERATION_KEY):
            server.client.delete(key)


def test_a_value_used_once_is_read_again_without_the_shared_cache(redis_server):
    counts = Computation({"count": 3})
    assert memo("counts", "key", counts) == {"count": 3}

    forget_all_but_the_generation(redis_server)

    assert memo("counts", "key", counts) == {"count": 3}
    assert counts.calls == 1


def test_a_value_another_process_kept_is_read_from_the_shared_cache(redis_server):
    counts = Computation(["x", "y"])
    memo("counts", "key", counts)
    caching._copies.clear()  # as in another process, which never read it

    assert memo("counts", "key", counts) == ["x", "y"]
    assert counts.calls == 1
    forget_all_but_the_generation(redis_server)
    assert memo("counts", "key", counts) == ["x", "y"]  # now copied in this process too
    assert counts.calls == 1


def test_values_are_computed_again_after_a_change_of_the_data():
    computation = Computation()

    assert memo("example", "key", computation) == 1
    assert memo("example", "key", computation) == 1
    assert memo("example", "other key", computation) == 2
    pages_changed()
    assert memo("example", "key", computation) == 3


def test_a_caller_never_changes_the_value_the_next_one_reads():
    first = memo("counts", "key", lambda: {"a": 1})
    first["a"] = 99
    again = memo("counts", "key", lambda: {"a": 2})
    again["a"] = 98

    assert memo("counts", "key", lambda: {"a": 3}) == {"a": 1}


def test_copies_are_bounded_the_least_recently_used_dropped_first():
    copies = ProcessCopies(max_bytes=4000)
    for name in "abc":
        copies.keep(name, name.encode() * 1000)
    assert copies.get("a") == b"a" * 1000  # now the most recently used

    copies.keep("d", b"d" * 1000)

    assert {name for name in "abcd" if copies.get(name) is not None} == {"a", "c", "d"}
    copies.keep("big", b"x" * 5000)  # larger than the whole budget: never copied
    assert copies.get("big") is None
    assert copies.get("d") == b"d" * 1000


def test_a_data_cache_lifetime_of_zero_keeps_nothing(settings, redis_server):
    """DJANGO_DATA_CACHE_SECONDS=0: every value is computed again, as on the cold path."""
    settings.DATA_CACHE_SECONDS = 0
    computation = Computation()

    assert memo("cold", 1, computation) == 1
    assert memo("cold", 1, computation) == 2
    assert redis_server.key_count() == 0


def test_while_the_cache_does_not_answer_values_are_computed_and_no_copy_is_read(redis_server):
    computation = Computation()
    assert memo("example", "key", computation) == 1

    redis_server.stop()

    assert memo("example", "key", computation) == 2
    assert memo("example", "key", computation) == 3
