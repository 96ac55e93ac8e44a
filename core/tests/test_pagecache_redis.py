"""The page cache and its content generation on a real Redis, shared by every machine: the
counter, how often a process asks for it, and what readers get while Redis is away. Two real
web processes sharing it: ``home/tests/test_two_machines.py``."""

import logging

import pytest
import redis
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse

from config.caches import cache_from_url
from core.pagecache import generation
from core.pagecache.middleware import PageCacheMiddleware
from core.tests.redis_server import RedisServer, free_port

pytestmark = pytest.mark.django_db


def html(text):
    return lambda request: HttpResponse(f"<p>{text}</p>", content_type="text/html")


def counter(url):
    """The generation as another machine reads it: straight from Redis."""
    client = redis.Redis.from_url(url)
    try:
        value = client.get(caches["pages"].make_key(generation.KEY))
        return None if value is None else int(value)
    finally:
        client.close()


@pytest.fixture
def clock(monkeypatch):
    """The generation's clock, moved by hand (``clock.now += 0.3``)."""

    class Clock:
        now = 1000.0

    monkeypatch.setattr(generation, "_clock", lambda: Clock.now)
    return Clock


def test_the_generation_is_a_counter_in_redis_bumped_once_the_change_commits(
    redis_pages, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_GENERATION_FILE = tmp_path / "generation"
    before = generation.current_generation()
    assert counter(redis_pages) == before  # made on first read

    with django_capture_on_commit_callbacks() as callbacks:
        generation.bump_generation()
    assert counter(redis_pages) == before  # not until the commit
    for callback in callbacks * 2:
        callback()

    assert counter(redis_pages) == before + 2 == generation.current_generation()
    assert not settings.PAGE_CACHE_GENERATION_FILE.exists()  # no file involved


def test_a_change_on_another_machine_is_seen_within_the_check_interval(
    redis_pages, settings, clock, rf
):
    settings.PAGE_CACHE_GENERATION_CHECK_SECONDS = 0.25
    views = []

    def view(request):
        views.append(len(views))
        return HttpResponse(f"<p>version {len(views)}</p>", content_type="text/html")

    middleware = PageCacheMiddleware(view)
    assert middleware(rf.get("/story/"))["X-Page-Cache"] == "miss"
    redis.Redis.from_url(redis_pages).incr(caches["pages"].make_key(generation.KEY))

    clock.now += 0.2  # this process's copy is still in date: the stored page is served
    assert middleware(rf.get("/story/"))["X-Page-Cache"] == "hit"
    clock.now += 0.05  # 0.25 s after its read: asked again, the other machine's change seen
    fresh = middleware(rf.get("/story/"))
    assert fresh["X-Page-Cache"] == "miss" and fresh.content == b"<p>version 2</p>"


def test_memos_follow_the_shared_counter(redis_pages, clock):
    computed = []
    generation.memoize("key", lambda: computed.append(1))
    redis.Redis.from_url(redis_pages).incr(caches["pages"].make_key(generation.KEY))
    generation.memoize("key", lambda: computed.append(2))
    clock.now += 1
    generation.memoize("key", lambda: computed.append(3))
    assert computed == [1, 3]


def test_an_emptied_redis_never_goes_back_to_an_earlier_generation(redis_pages):
    before = generation.current_generation()
    client = redis.Redis.from_url(redis_pages)
    client.delete(caches["pages"].make_key(generation.KEY))  # evicted, or Redis restarted empty
    generation.store().bump()
    assert generation.current_generation() > before


@pytest.fixture
def dead_redis(settings):
    """The pages cache pointed at a port where no Redis listens."""
    settings.PAGE_CACHE_ENABLED = True
    url = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {**settings.CACHES, "pages": cache_from_url(url, prefix="pages")}
    return url


def test_with_redis_down_readers_get_fresh_pages_and_nothing_fails(dead_redis, rf, caplog):
    views = []

    def view(request):
        views.append(1)
        return HttpResponse("<p>page</p>", content_type="text/html")

    middleware = PageCacheMiddleware(view)
    with caplog.at_level(logging.WARNING, logger="core.pagecache"):
        responses = [middleware(rf.get("/story/")) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert all("X-Page-Cache" not in r for r in responses)  # rendered each time, kept nowhere
    assert len(views) == 3
    assert generation.current_generation() is None
    assert "served uncached" in caplog.text
    generation.store().close()


def test_with_redis_down_memos_are_not_kept(dead_redis):
    computed = []
    generation.memoize("key", lambda: computed.append(1))
    generation.memoize("key", lambda: computed.append(2))
    assert computed == [1, 2]
    generation.store().close()


def test_a_publish_while_redis_is_down_succeeds_and_counts_once_it_is_back(
    settings, tmp_path, client, make_article, django_capture_on_commit_callbacks, caplog
):
    """Redis restarted with its data (as a Redis with persistence is): pages stored before
    the outage come back with it, but the change made meanwhile must not be lost."""
    server = RedisServer(tmp_path).start()
    try:
        settings.PAGE_CACHE_ENABLED = True
        settings.CACHES = {**settings.CACHES, "pages": cache_from_url(server.url, prefix="p")}
        article = make_article(title="Before the outage")
        assert client.get(article.url)["X-Page-Cache"] == "miss"
        assert client.get(article.url)["X-Page-Cache"] == "hit"
        before = counter(server.url)

        server.stop(save=True)
        with caplog.at_level(logging.WARNING, logger="core.pagecache"):
            with django_capture_on_commit_callbacks(execute=True):
                article.title = "During the outage"
                article.save_revision().publish()  # no error for the editor
            during = client.get(article.url)
        assert during.status_code == 200 and "X-Page-Cache" not in during
        assert b"During the outage" in during.content
        assert "Could not tell Redis" in caplog.text

        server.start()
        assert counter(server.url) == before  # what Redis remembers: the old page is there
        generation.store().fresh_until = 0  # the next retry is due (no waiting in a test)
        after = client.get(article.url)
        assert b"During the outage" in after.content and after["X-Page-Cache"] == "miss"
        assert counter(server.url) == before + 1
    finally:
        generation.store().close()
        server.stop()


def test_pages_kept_in_memory_can_share_the_generation_through_redis(
    settings, redis_url, tmp_path, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_GENERATION_FILE = tmp_path / "generation"
    settings.PAGE_CACHE_GENERATION_URL = redis_url
    before = generation.current_generation()

    with django_capture_on_commit_callbacks(execute=True):
        generation.bump_generation()

    assert counter(redis_url) == before + 1 == generation.current_generation()
    assert not settings.PAGE_CACHE_GENERATION_FILE.exists()


def test_a_generation_url_that_is_not_redis_says_what_to_do(settings):
    settings.PAGE_CACHE_GENERATION_URL = "memcached://cache.internal:11211"
    with pytest.raises(ImproperlyConfigured, match="must be a Redis URL"):
        generation.current_generation()
