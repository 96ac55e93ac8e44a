"""The site's content *generation*: one number that changes whenever readers could see a
change (a page published, a photo edited, an issue sent...).

The page cache keys whole pages by it, and ``memoize`` keeps small per-process facts (the
site, the settings, whether any page is private) until it changes. The site's signal
receivers (``home.signals``) say what bumps it. It lives in one of two places:

- **a file** (``PAGE_CACHE_GENERATION_FILE``), the embedded default: the generation is the
  file's modification time, one ``stat`` a read, so every process of one machine sees a bump
  at once;
- **Redis**, when the ``pages`` cache is on Redis or ``PAGE_CACHE_GENERATION_URL`` names one:
  an atomic counter (``INCR``) shared by every machine. Each process keeps a copy and asks
  Redis again at most every ``PAGE_CACHE_GENERATION_CHECK_SECONDS`` (0.25 s), so a change made
  on one machine reaches a request that starts that long after its commit anywhere else.

Safe by default when Redis can't be reached: the generation is then *unknown*
(``current_generation()`` returns ``None``), the page cache serves every reader uncached and
nothing is memoized, rather than serving what may be stale. A process that found Redis
unreachable (a bump that failed included) bumps the counter once Redis answers again, so a
change made during the outage, or a Redis restored from an older snapshot, can't bring old
pages back.
"""

import copy
import logging
import os
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import transaction

from core.conf import setting

logger = logging.getLogger(__name__)

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
# While Redis can't be reached, each process tries it again at most this often.
RETRY_SECONDS = 1.0
KEY = "page-cache-generation"
_clock = time.monotonic

_lock = threading.Lock()
_memo = {}
_store = None


def generation_file():
    return Path(setting("PAGE_CACHE_GENERATION_FILE"))


class FileGeneration:
    """The modification time of ``PAGE_CACHE_GENERATION_FILE``, shared by one machine."""

    def read(self):
        try:
            return os.stat(generation_file()).st_mtime_ns
        except FileNotFoundError:
            return 0

    def bump(self):
        path = generation_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock:
            # Strictly increasing, even for two bumps within the clock's resolution.
            stamp = max(time.time_ns(), self.read() + 1)
            path.touch()
            os.utime(path, ns=(stamp, stamp))

    def unreachable(self, error):
        pass


class RedisGeneration:
    """A counter in Redis, read through a local copy at most every ``check_seconds``."""

    def __init__(self, url, key, check_seconds, options=None):
        import redis

        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, **(options or {}))
        self.url = url.split("@")[-1]  # no password in the logs
        self.key = key
        self.check_seconds = check_seconds
        self.value = None
        self.fresh_until = 0.0
        self.owed = False  # Redis was unreachable: bump once it answers again
        self.retrying = False
        self.closed = False
        self.lock = threading.Lock()

    @staticmethod
    def seed():
        # A missing counter (a new or emptied Redis) starts at the time in microseconds, so it
        # never goes back to a number that pages were stored under.
        return time.time_ns() // 1000

    def _get(self):
        value = self.client.get(self.key)
        if value is None:
            self.client.set(self.key, self.seed(), nx=True)
            value = self.client.get(self.key)
        return int(value)

    def _incr(self):
        pipe = self.client.pipeline(transaction=True)
        pipe.set(self.key, self.seed(), nx=True)
        pipe.incr(self.key)
        return pipe.execute()[-1]

    def read(self):
        started = _clock()
        if started < self.fresh_until:
            return self.value
        with self.lock:
            if started < self.fresh_until:
                return self.value
            try:
                value = self._incr() if self.owed else self._get()
            except self.errors as error:
                self._unreachable(error)
                return None
            if self.owed:
                self.owed = False
                logger.warning(
                    "Redis at %s answers again: the page-cache generation moved on to %s, so "
                    "nothing stored before the outage is served",
                    self.url,
                    value,
                )
            # From the read's start: a request that starts check_seconds after a commit anywhere
            # sees it (the copy it uses was read after that commit).
            self.value, self.fresh_until = value, started + self.check_seconds
            return value

    def bump(self):
        with self.lock:
            started = _clock()
            try:
                value = self._incr()
            except self.errors as error:
                self._unreachable(error)
                logger.error(
                    "Could not tell Redis at %s that readers' pages changed (%s); this "
                    "process tells it as soon as it answers",
                    self.url,
                    error,
                )
                return
            self.owed = False  # this bump is the one owed, if any
            self.value, self.fresh_until = value, started + self.check_seconds

    def unreachable(self, error):
        with self.lock:
            self._unreachable(error)

    def _unreachable(self, error):
        if not self.owed:
            logger.warning(
                "Redis at %s can't be reached (%s): reader pages are served uncached until it "
                "answers",
                self.url,
                error,
            )
        self.owed = True
        self.value, self.fresh_until = None, _clock() + RETRY_SECONDS
        if not self.retrying:
            # A process that serves no requests (the task worker) still catches up.
            self.retrying = True
            threading.Thread(target=self._retry, name="page-cache-generation", daemon=True).start()

    def close(self):
        self.closed = True

    def _retry(self):
        while self.owed and not self.closed:
            time.sleep(RETRY_SECONDS)
            self.read()
        self.retrying = False


def generation_url():
    """The Redis the generation lives in, or "" for the file."""
    url = setting("PAGE_CACHE_GENERATION_URL")
    if not url:
        pages = settings.CACHES.get("pages", {})
        if pages.get("BACKEND") == REDIS_CACHE:
            location = pages["LOCATION"]
            url = location[0] if isinstance(location, list | tuple) else location.split(",")[0]
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"PAGE_CACHE_GENERATION_URL must be a Redis URL (redis://host:6379/0), not {url!r}; "
            "leave it empty to keep the generation in PAGE_CACHE_GENERATION_FILE"
        )
    return url


def store():
    """Where the generation lives for these settings (made once per process)."""
    global _store
    if _store is None:
        url = generation_url()
        if url:
            options = settings.CACHES.get("pages", {}).get("OPTIONS", {})
            _store = RedisGeneration(
                url,
                caches["pages"].make_key(KEY),
                float(setting("PAGE_CACHE_GENERATION_CHECK_SECONDS")),
                {k: v for k, v in options.items() if k.startswith("socket_")},
            )
        else:
            _store = FileGeneration()
    return _store


def _settings_changed(setting, **kwargs):
    global _store
    if setting in ("CACHES", "PAGE_CACHE_GENERATION_URL", "PAGE_CACHE_GENERATION_CHECK_SECONDS"):
        if isinstance(_store, RedisGeneration):
            _store.close()
        _store = None
        _memo.clear()


setting_changed.connect(_settings_changed, dispatch_uid="core.pagecache.generation")


def current_generation():
    """The generation, or ``None`` while it can't be known (Redis unreachable): then cache
    nothing and serve nothing from a cache."""
    return store().read()


def bump_generation(**kwargs):
    """Forget what every process cached, once the current transaction commits (and what
    this process memoized at once, so the rest of this transaction sees the change)."""
    _memo.clear()
    transaction.on_commit(_touch)


def _touch():
    store().bump()
    _memo.clear()


def shared_cache_failed(error):
    """The page cache's store failed (Redis went away): serve uncached until it answers."""
    store().unreachable(error)


def forget_memos():
    _memo.clear()


def memoize(key, compute):
    """``compute()``, kept in this process until the generation changes. Only for small,
    read-only values that every reader request needs (never per-user data). While the
    generation is unknown, nothing is kept."""
    generation = current_generation()
    if generation is None:
        return compute()
    found = _memo.get(key)
    if found is not None and found[0] == generation:
        return found[1]
    value = compute()
    _memo[key] = (generation, value)
    return value


class MemoizedSiteSettingMixin:
    """For a Wagtail ``BaseSiteSetting``: the row read once per process and generation.
    Each caller gets its own copy, so an admin form can't change what readers see."""

    @classmethod
    def for_site(cls, site):
        if site is None:
            return super().for_site(site)
        instance = memoize(
            (cls._meta.label, site.pk), lambda: super(MemoizedSiteSettingMixin, cls).for_site(site)
        )
        return copy.copy(instance)


class MemoizedGenericSettingMixin:
    """For a Wagtail ``BaseGenericSetting``: the same, for the one row it has."""

    @classmethod
    def _get_or_create(cls):
        instance = memoize(
            cls._meta.label, lambda: super(MemoizedGenericSettingMixin, cls)._get_or_create()
        )
        return copy.copy(instance)
