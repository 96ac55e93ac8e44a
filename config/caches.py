"""Django's ``CACHES`` from URLs, the way ``EMAIL_URL`` and ``DATABASE_URL`` configure the rest.

locmem://name            this process's memory (the embedded default)
file:///var/cache/topten a folder shared by every process on one machine
redis://host:6379/0      Redis, shared by every machine

A Redis that stops answering must not hold up every request: connecting and each reply are
given ``REDIS_TIMEOUTS`` (the URL's own ``?socket_timeout=...`` wins), and the page cache then
serves readers uncached (core/pagecache/).
"""

from urllib.parse import urlsplit

BACKENDS = {
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "file": "django.core.cache.backends.filebased.FileBasedCache",
    "redis": "django.core.cache.backends.redis.RedisCache",
    "rediss": "django.core.cache.backends.redis.RedisCache",
}

# Seconds: Redis answers in well under a millisecond on a private network.
REDIS_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}


def cache_from_url(url, *, prefix="", timeout=300, max_entries=None):
    """One ``CACHES`` entry. ``prefix`` keeps aliases sharing one Redis database apart."""
    parts = urlsplit(url)
    try:
        backend = BACKENDS[parts.scheme]
    except KeyError:
        raise ValueError(
            f"Unsupported cache URL {url!r}: use locmem://name, file:///path or "
            "redis://host:port/db"
        ) from None
    if parts.scheme == "locmem":
        location = (parts.netloc + parts.path) or prefix
    elif parts.scheme == "file":
        location = parts.path
    else:
        location = url
    cache = {"BACKEND": backend, "LOCATION": location, "TIMEOUT": timeout}
    if prefix:
        cache["KEY_PREFIX"] = prefix
    if max_entries and parts.scheme in ("locmem", "file"):
        cache["OPTIONS"] = {"MAX_ENTRIES": max_entries}
    if parts.scheme in ("redis", "rediss"):
        cache["OPTIONS"] = dict(REDIS_TIMEOUTS)
    return cache
