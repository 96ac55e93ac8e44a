"""The site's content *generation*: one number that changes whenever readers could see a
change (a page published, a photo edited, an issue sent...).

It is the modification time of a small file (``PAGE_CACHE_GENERATION_FILE``) shared by every
process serving the site, so reading it costs one ``stat``. The page cache keys whole pages by
it, and ``memoize`` keeps small per-process facts (the site, the settings, whether any page is
private) until it changes. The site's signal receivers (``home.signals``) say what bumps it.
"""

import copy
import os
import threading
import time
from pathlib import Path

from django.db import transaction

from core.conf import setting

_lock = threading.Lock()
_memo = {}


def generation_file():
    return Path(setting("PAGE_CACHE_GENERATION_FILE"))


def current_generation():
    try:
        return os.stat(generation_file()).st_mtime_ns
    except FileNotFoundError:
        return 0


def bump_generation(**kwargs):
    """Forget what every process cached, once the current transaction commits (and what
    this process memoized at once, so the rest of this transaction sees the change)."""
    _memo.clear()
    transaction.on_commit(_touch)


def _touch():
    path = generation_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        # Strictly increasing, even for two bumps within the clock's resolution.
        stamp = max(time.time_ns(), current_generation() + 1)
        path.touch()
        os.utime(path, ns=(stamp, stamp))
        _memo.clear()


def forget_memos():
    _memo.clear()


def memoize(key, compute):
    """``compute()``, kept in this process until the generation changes. Only for small,
    read-only values that every reader request needs (never per-user data)."""
    generation = current_generation()
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
