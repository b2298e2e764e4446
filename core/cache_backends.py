"""The cache backend for Redis shared by every app server, which a failing Redis never takes
down."""

import logging
import threading
from collections.abc import Callable
from time import monotonic
from typing import TypeVar

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisSerializer
from redis.backoff import NoBackoff
from redis.retry import Retry

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
