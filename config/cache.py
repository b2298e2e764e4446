"""Cache backends: Django's Redis cache keeping its clients, and the cache of what public
pages are built from, scoped to the state of the data and copied in each process."""

import pickle
import threading
from collections import OrderedDict

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.core.exceptions import ImproperlyConfigured

from .page_cache import pages_generation, release


class _ReusedClients(RedisCacheClient):
    """Django builds a new redis-py client (over the same connection pool) for every cache
    call; a page served from the cache makes two calls, so building them once is a tenth of
    the time of such a page. redis-py clients are safe to share between threads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients


class GenerationalCache(BaseCache):
    """What public pages are built from, kept for the current state of the data.

    Every key is scoped to the current generation and release (see :mod:`config.page_cache`):
    when anything public pages show changes, the generation moves on, and nothing stored before
    is read again (it expires: every entry lives at most ``TIMEOUT`` seconds, whatever a caller
    asks). Callers name what an entry depends on besides the data, never the data's
    state. An entry stored under a generation is the only value its key will ever have, so each
    process also keeps copies of the entries it read or wrote last, up to
    ``OPTIONS["MAX_BYTES"]`` of them, and reads them again without asking the shared cache
    that ``LOCATION`` names (copies are pickled, so a caller never changes the next one's).

    ``delete()`` reaches the shared cache and this process's copies, not other processes', and
    ``clear()`` forgets this process's copies only: moving the generation on is what drops
    entries everywhere.
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

    def get_many(self, keys, version=None):
        scoped = self._scoped(keys)
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
        shared_data = {scoped[key]: value for key, value in data.items()}
        failed = self._shared.set_many(shared_data, self._timeout(timeout), version=version)
        for key, value in data.items():
            if scoped[key] not in failed:
                self._copies.keep(self.make_and_validate_key(scoped[key], version=version), value)
        return [key for key in data if scoped[key] in failed]

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        shared_key = self._scoped([key])[key]
        added = self._shared.add(shared_key, value, self._timeout(timeout), version=version)
        if added:
            self._copies.keep(self.make_and_validate_key(shared_key, version=version), value)
        return added

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        shared_key = self._scoped([key])[key]
        return self._shared.touch(shared_key, self._timeout(timeout), version=version)

    def delete(self, key, version=None):
        shared_key = self._scoped([key])[key]
        self._copies.forget(self.make_and_validate_key(shared_key, version=version))
        return self._shared.delete(shared_key, version=version)

    def clear(self):
        self._copies.clear()

    @classmethod
    def shared_key(cls, key: str) -> str:
        """The key under which the shared cache holds ``key`` now."""
        return cls._scoped([key])[key]

    @staticmethod
    def _scoped(keys) -> dict[str, str]:
        """Each key, and the same key in the current generation and release."""
        scope = f"{pages_generation()}:{release()}"
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
