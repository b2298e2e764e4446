"""Cache backends: Redis shared by every app server, which a failing Redis never takes down, and
the cache of what public pages are built from, scoped to the state of the data and copied in
each process."""

import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from time import monotonic
from typing import TypeVar

import redis
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisSerializer
from django.core.exceptions import ImproperlyConfigured
from redis.backoff import NoBackoff
from redis.retry import Retry

from .caching import pages_generation, release

logger = logging.getLogger(__name__)
T = TypeVar("T")
# A cache that fails is said so in the log at most this often, by each process.
WARNING_INTERVAL = 60


class RedisCache(BaseCache):
    """Django's Redis cache (same keys, values and semantics), which treats any failure of Redis
    as a miss: a read finds nothing, a write stores nothing, and the page is built from the
    database. Redis refusing a connection or timing out, or refusing a write (out of memory
    under ``noeviction``), is logged as a warning at most once a minute per process.

    One redis-py client serves every call (Django's backend builds one per call, which costs as
    much as the call itself). ``OPTIONS`` are the client's (``socket_connect_timeout``,
    ``socket_timeout``...), and ``RETRY_AFTER``: for that many seconds after Redis could not be
    reached, this cache (one per thread) does not try it again, so that a Redis that does not
    answer costs a page one timeout at most, not one for each of its reads. A command that
    fails on a connection Redis closed is tried once again at once, on a new connection.
    """

    def __init__(self, server: str, params: dict):
        super().__init__(params)
        options = dict(params.get("OPTIONS", {}))
        self._retry_after = options.pop("RETRY_AFTER", 5)
        self._retry_at = 0.0  # when Redis may be tried again after it could not be reached
        options.setdefault("retry", Retry(NoBackoff(), 1))
        self._client = redis.Redis.from_url(server, **options)
        self._serializer = RedisSerializer()

    def get_backend_timeout(self, timeout=DEFAULT_TIMEOUT):
        if timeout == DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        # None keeps the entry until it is deleted; 0 or less deletes it.
        return None if timeout is None else max(0, int(timeout))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        if timeout == 0:
            return False  # stored and dropped at once: nothing to do
        value = self._serializer.dumps(value)
        return self._attempt(lambda db: bool(db.set(key, value, ex=timeout, nx=True)), False)

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        value = self._attempt(lambda db: db.get(key), None)
        return default if value is None else self._serializer.loads(value)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        if timeout == 0:
            self._attempt(lambda db: db.delete(key), 0)
            return
        value = self._serializer.dumps(value)
        self._attempt(lambda db: db.set(key, value, ex=timeout), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        if timeout is None:
            return self._attempt(lambda db: bool(db.persist(key)), False)
        return self._attempt(lambda db: bool(db.expire(key, timeout)), False)

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._attempt(lambda db: bool(db.delete(key)), False)

    def get_many(self, keys, version=None):
        names = {self.make_and_validate_key(key, version=version): key for key in keys}
        if not names:
            return {}
        values = self._attempt(lambda db: db.mget(list(names)), [])
        return {
            names[name]: self._serializer.loads(value)
            for name, value in zip(names, values, strict=False)  # none on a failure
            if value is not None
        }

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._attempt(lambda db: bool(db.exists(key)), False)

    def incr(self, key, delta=1, version=None):
        """Raise ValueError when the key is missing, as the other backends do, or when Redis
        fails: for the caller, both mean that there is nothing to increment."""
        key = self.make_and_validate_key(key, version=version)
        missing = object()
        value = self._attempt(lambda db: db.incr(key, delta) if db.exists(key) else None, missing)
        if value is None or value is missing:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        """Store every entry, or none: the keys of ``data`` that were not stored."""
        if not data:
            return []
        values = {
            self.make_and_validate_key(key, version=version): self._serializer.dumps(value)
            for key, value in data.items()
        }
        timeout = self.get_backend_timeout(timeout)

        def store(db: redis.Redis) -> bool:
            pipeline = db.pipeline()  # one round trip, in one transaction (MULTI/EXEC)
            pipeline.mset(values)
            if timeout is not None:
                for name in values:
                    pipeline.expire(name, timeout)
            pipeline.execute()
            return True

        return [] if self._attempt(store, False) else list(data)

    def delete_many(self, keys, version=None):
        names = [self.make_and_validate_key(key, version=version) for key in keys]
        if names:
            self._attempt(lambda db: db.delete(*names), 0)

    def clear(self):
        return self._attempt(lambda db: bool(db.flushdb()), False)

    def _attempt(self, command: Callable[[redis.Redis], T], miss: T) -> T:
        """``command``'s answer, or ``miss`` when Redis fails (or could not be reached moments
        ago: see ``RETRY_AFTER``)."""
        if monotonic() < self._retry_at:
            return miss
        try:
            return command(self._client)
        except (redis.ConnectionError, redis.TimeoutError) as error:
            self._retry_at = monotonic() + self._retry_after
            _failure_logged(error)
        except redis.RedisError as error:  # out of memory, read-only replica...: this call only
            _failure_logged(error)
        return miss


_failures_lock = threading.Lock()
_failure_logged_at: float | None = None


def _failure_logged(error: Exception) -> None:
    """Log that the cache failed, once a minute at most in this process whichever cache."""
    global _failure_logged_at
    now = monotonic()
    with _failures_lock:
        if _failure_logged_at is not None and now - _failure_logged_at < WARNING_INTERVAL:
            return
        _failure_logged_at = now
    logger.warning(
        "The cache failed (%s: %s): pages are built from the database until it answers; "
        "this warning is repeated at most once a minute.",
        type(error).__name__,
        error,
    )


class GenerationalCache(BaseCache):
    """What public pages are built from, kept for the current state of the data.

    Every key is scoped to the current generation and release (see :mod:`core.caching`):
    when anything public pages show changes, the generation moves on, and nothing stored before
    is read again (it expires: every entry lives at most ``TIMEOUT`` seconds, whatever a caller
    asks). Callers name what an entry depends on besides the data, never the data's
    state. An entry stored under a generation is the only value its key will ever have, so each
    process also keeps copies of the entries it read or wrote last, up to
    ``OPTIONS["MAX_BYTES"]`` of them, and reads them again without asking the shared cache
    that ``LOCATION`` names (copies are pickled, so a caller never changes the next one's).

    ``delete()`` reaches the shared cache and this process's copies, not other processes', and
    ``clear()`` forgets this process's copies only: moving the generation on is what drops
    entries everywhere. While the shared cache does not answer, the generation is unknown:
    nothing is read, from it or from the copies, and nothing is stored.
    """

    _stores: dict[tuple, "_Copies"] = {}
    _stores_lock = threading.Lock()

    def __init__(self, server: str, params: dict):
        super().__init__(params)
        if self.default_timeout is None:
            raise ImproperlyConfigured(
                "The generational cache's TIMEOUT must be a number of seconds: every entry expires."
            )
        self._shared_alias = server
        max_bytes = params.get("OPTIONS", {}).get("MAX_BYTES", 32 * 2**20)
        # One store per configuration for the whole process, whichever thread asks.
        with self._stores_lock:
            self._copies = self._stores.setdefault(
                (server, self.key_prefix, self.version), _Copies(max_bytes)
            )

    @property
    def _shared(self) -> BaseCache:
        return caches[self._shared_alias]

    def get(self, key, default=None, version=None):
        return self.get_many([key], version=version).get(key, default)

    def _scoped(self, keys) -> dict[str, str] | None:
        # A TIMEOUT of 0 keeps nothing (DJANGO_DATA_CACHE_SECONDS=0, the cold path).
        return None if self.default_timeout == 0 else self.scoped_keys(keys)

    def get_many(self, keys, version=None):
        scoped = self._scoped(keys)
        if scoped is None:
            return {}
        found = {}
        absent = []
        for key, shared_key in scoped.items():
            value = self._copies.get(self.make_key(shared_key, version=version), _MISSING)
            if value is _MISSING:
                absent.append(key)
            else:
                found[key] = value
        if absent:
            read = self._shared.get_many([scoped[key] for key in absent], version=version)
            for key in absent:
                if scoped[key] in read:
                    value = found[key] = read[scoped[key]]
                    self._copies.keep(self.make_key(scoped[key], version=version), value)
        return found

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.set_many({key: value}, timeout, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        scoped = self._scoped(data)
        if scoped is None:
            return list(data)
        shared_data = {scoped[key]: value for key, value in data.items()}
        failed = self._shared.set_many(shared_data, self._timeout(timeout), version=version)
        for key, value in data.items():
            if scoped[key] not in failed:
                self._copies.keep(self.make_and_validate_key(scoped[key], version=version), value)
        return [key for key in data if scoped[key] in failed]

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        scoped = self._scoped([key])
        if scoped is None:
            return False
        added = self._shared.add(scoped[key], value, self._timeout(timeout), version=version)
        if added:
            self._copies.keep(self.make_and_validate_key(scoped[key], version=version), value)
        return added

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        scoped = self._scoped([key])
        if scoped is None:
            return False
        return self._shared.touch(scoped[key], self._timeout(timeout), version=version)

    def delete(self, key, version=None):
        scoped = self._scoped([key])
        if scoped is None:
            return False
        self._copies.forget(self.make_and_validate_key(scoped[key], version=version))
        return self._shared.delete(scoped[key], version=version)

    def clear(self):
        self._copies.clear()

    @classmethod
    def shared_key(cls, key: str) -> str | None:
        """The key under which the shared cache holds ``key`` now (None when the shared cache
        does not answer)."""
        scoped = cls.scoped_keys([key])
        return None if scoped is None else scoped[key]

    @staticmethod
    def scoped_keys(keys) -> dict[str, str] | None:
        """Each key, and the same key in the current generation and release; None when the
        generation is unknown (the shared cache does not answer): nothing can then be read or
        stored, since copies kept under no generation could outlive a change of the data."""
        generation = pages_generation()
        if generation is None:
            return None
        scope = f"{generation}:{release()}"
        return {key: f"{scope}:{key}" for key in keys}

    def _timeout(self, timeout):
        # None would keep the entry for ever: the shared cache would grow with every change.
        if timeout is DEFAULT_TIMEOUT or timeout is None:
            return self.default_timeout
        return min(timeout, self.default_timeout)


_MISSING = object()


class _Copies:
    """Pickled values by key, the least recently used dropped first beyond ``max_bytes``."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._values: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str, default):
        with self._lock:
            pickled = self._values.get(key)
            if pickled is None:
                return default
            self._values.move_to_end(key)
        return pickle.loads(pickled)  # noqa: S301 (pickled by this process, never received)

    def keep(self, key: str, value) -> None:
        pickled = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        size = len(key) + len(pickled)
        if size > self.max_bytes:
            return
        with self._lock:
            previous = self._values.pop(key, None)
            if previous is not None:
                self._bytes -= len(key) + len(previous)
            self._values[key] = pickled
            self._bytes += size
            while self._bytes > self.max_bytes:
                old_key, old = self._values.popitem(last=False)
                self._bytes -= len(old_key) + len(old)

    def forget(self, key: str) -> None:
        with self._lock:
            previous = self._values.pop(key, None)
            if previous is not None:
                self._bytes -= len(key) + len(previous)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._bytes = 0
