"""Tests: tasks run inline, mail stays in memory, fast password hashing."""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .dev import *  # noqa: F403
from .dev import BASE_DIR, CACHES

# Under pytest-xdist each worker process is one of these (gw0, gw1, ...): what a test run
# keeps outside its own test database is kept per worker.
xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")

DEBUG = False
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {
    alias: {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    for alias in ("default", "newsletter")
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "var" / ("test-media-" + xdist_worker if xdist_worker else "test-media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
# Query-count tests render every time; home/tests/test_page_cache.py turns the cache on.
PAGE_CACHE_ENABLED = False
# No daily draft behind a test's back (it would depend on the time the tests run): the tests
# of the worker's draft turn it on (newsletter/tests/test_prepare_draft.py).
NEWSLETTER_PREPARE_AT = None
# Clicks are written when a test calls newsletter.engagement.recording.flush().
NEWSLETTER_CLICK_FLUSH_SECONDS = None
# One content-generation file per test run (inherited by processes the tests start), so two
# runs on one machine, or `make run` beside them, can't invalidate each other's memos mid-test;
# and one per worker, for the same reason between the workers of one run.
os.environ.setdefault(
    "TOPTEN_TEST_GENERATION_FILE",
    str(Path(tempfile.mkdtemp(prefix="topten-tests-")) / "generation"),
)
PAGE_CACHE_GENERATION_FILE = Path(os.environ["TOPTEN_TEST_GENERATION_FILE"])
if xdist_worker:
    PAGE_CACHE_GENERATION_FILE = PAGE_CACHE_GENERATION_FILE.with_name(f"generation-{xdist_worker}")
    # A shared cache (CACHE_URL=redis://... or file://...) is shared by the workers too; and
    # clearing a Redis cache empties its whole database, so each worker has its own, counted
    # from the URL's (redis://host:port/8: gw0 uses database 8, gw1 database 9...; Redis has
    # 16 unless its `databases` setting says more).
    for cache in CACHES.values():
        cache["KEY_PREFIX"] = f"{cache.get('KEY_PREFIX', '')}-{xdist_worker}"
        if cache["BACKEND"].endswith(".RedisCache"):
            parts = urlsplit(cache["LOCATION"])
            number = int(parts.path.strip("/") or 0) + int(xdist_worker.removeprefix("gw") or 0)
            cache["LOCATION"] = urlunsplit(parts._replace(path=f"/{number}"))
