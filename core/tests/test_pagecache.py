"""The page cache's own machinery, without the site's pages: the content generation, what is
memoized until it changes, and which requests and responses the middleware keeps. What the
site's changes do to it (publishing, settings, a CDN's purges): ``home/tests/test_page_cache.py``
and ``home/tests/test_shared_caches.py``."""

import pytest
from django.core.cache import caches
from django.http import HttpResponse

from core.pagecache import generation
from core.pagecache.middleware import PageCacheMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings, tmp_path):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_GENERATION_FILE = tmp_path / "generation"
    caches["pages"].clear()  # a fresh file is generation 0 again
    yield
    caches["pages"].clear()


def test_the_generation_moves_on_once_the_change_commits(django_capture_on_commit_callbacks):
    before = generation.current_generation()
    with django_capture_on_commit_callbacks() as callbacks:
        generation.bump_generation()
    assert generation.current_generation() == before  # not until the commit
    for callback in callbacks * 2:  # two bumps within the clock's resolution still count
        previous = generation.current_generation()
        callback()
        assert generation.current_generation() > previous


def test_memoized_values_are_computed_again_after_a_bump(django_capture_on_commit_callbacks):
    computed = []

    def compute():
        computed.append(len(computed))
        return computed[-1]

    assert generation.memoize("key", compute) == generation.memoize("key", compute) == 0
    with django_capture_on_commit_callbacks(execute=True):
        generation.bump_generation()
        assert generation.memoize("key", compute) == 1  # at once, in this transaction
    assert generation.memoize("key", compute) == 2  # and again after the commit
    assert computed == [0, 1, 2]


def test_an_anonymous_get_is_stored_and_served_without_the_view(rf):
    views = []

    def view(request):
        views.append(request.path)
        return HttpResponse("<p>page</p>", content_type="text/html; charset=utf-8")

    middleware = PageCacheMiddleware(view)
    first, second = middleware(rf.get("/story/")), middleware(rf.get("/story/"))

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.content == b"<p>page</p>" and views == ["/story/"]
    assert {d.strip() for d in second["Cache-Control"].split(",")} >= {"public", "max-age=0"}


@pytest.mark.parametrize(
    "request_args",
    [
        ("post", "/story/"),
        ("get", "/admin/"),
        ("get", "/newsletter/preferences/"),
        ("get", "/search/"),
    ],
)
def test_form_posts_the_admin_and_personal_pages_are_never_kept(rf, request_args):
    method, path = request_args
    middleware = PageCacheMiddleware(lambda request: HttpResponse("<p>page</p>"))

    for _ in range(2):
        response = middleware(getattr(rf, method)(path))
        assert "X-Page-Cache" not in response
        assert "public" not in response.get("Cache-Control", "")


def test_a_session_cookie_means_an_editor_whose_pages_are_never_kept(rf, settings):
    middleware = PageCacheMiddleware(lambda request: HttpResponse("<p>page</p>"))
    request = rf.get("/story/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "abc"

    assert "X-Page-Cache" not in middleware(request)


def private(response):
    response["Cache-Control"] = "private"
    return response


def with_cookie(response):
    response.set_cookie("seen", "1")
    return response


def preview(response):
    response.is_preview = True
    return response


@pytest.mark.parametrize(
    "make",
    [
        lambda: private(HttpResponse("<p>page</p>")),
        lambda: with_cookie(HttpResponse("<p>page</p>")),
        lambda: preview(HttpResponse("<p>page</p>")),
        lambda: HttpResponse("missing", status=404),
        lambda: HttpResponse(b"{}", content_type="application/json"),
    ],
)
def test_responses_that_are_personal_errors_or_not_pages_are_never_kept(rf, make):
    middleware = PageCacheMiddleware(lambda request: make())

    assert "X-Page-Cache" not in middleware(rf.get("/story/"))
    assert "X-Page-Cache" not in middleware(rf.get("/story/"))
