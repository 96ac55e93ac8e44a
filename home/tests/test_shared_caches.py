"""The page cache on any Django cache, the headers shared caches see, and a CDN's purges."""

import pytest
from wagtail.contrib.frontend_cache.backends import BaseBackend
from wagtail.contrib.frontend_cache.utils import PurgeBatch

from config.caches import cache_from_url

PURGED = []


class RecordingBackend(BaseBackend):
    """A CDN that writes down what it is asked to purge."""

    def purge(self, url):
        PURGED.append(url)


@pytest.fixture(autouse=True)
def page_cache(settings, tmp_path):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_GENERATION_FILE = tmp_path / "generation"


@pytest.fixture
def cdn(settings):
    PURGED.clear()
    settings.WAGTAILFRONTENDCACHE = {"cdn": {"BACKEND": f"{__name__}.RecordingBackend"}}
    return PURGED


@pytest.mark.django_db
def test_reader_pages_tell_shared_caches_how_long_and_browsers_to_ask_again(
    client, make_article, settings
):
    article = make_article(title="Cacheable")
    settings.PAGE_CACHE_SHARED_SECONDS = 60

    first, second = client.get(article.url), client.get(article.url)

    for response in (first, second):
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert directives == {"public", "max-age=0", "s-maxage=60"}
    assert second["X-Page-Cache"] == "hit"


@pytest.mark.django_db
def test_forms_and_editors_pages_are_not_shared(admin_client, client, home_page):
    signup = client.get("/newsletter/subscribe/")
    assert signup.status_code == 200
    assert "public" not in signup.get("Cache-Control", "")
    response = admin_client.get("/")
    assert "public" not in response.get("Cache-Control", "")
    assert "X-Page-Cache" not in response


@pytest.mark.django_db
def test_the_page_cache_works_on_a_file_cache(client, make_article, settings, tmp_path):
    settings.CACHES = {
        **settings.CACHES,
        "pages": cache_from_url(f"file://{tmp_path / 'pages'}", prefix="pages"),
    }
    article = make_article(title="On disk")

    assert client.get(article.url)["X-Page-Cache"] == "miss"
    assert client.get(article.url)["X-Page-Cache"] == "hit"
    assert any((tmp_path / "pages").iterdir())


@pytest.mark.django_db
def test_publishing_purges_the_page_and_every_list_from_a_cdn(
    client, make_article, news_index, cdn, django_capture_on_commit_callbacks
):
    article = make_article(title="Breaking")  # its section: Europe
    cdn.clear()

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Breaking, updated"
        article.save_revision().publish()

    paths = {url.split("://", 1)[1].split("/", 1)[1] for url in cdn}
    assert {
        "",
        news_index.slug + "/",
        f"{news_index.slug}/section/europe/",
        article.url.strip("/") + "/",
        "feed/",
        "feed/atom/",
        "sitemap.xml",
    } <= paths


@pytest.mark.django_db
def test_nothing_is_purged_without_a_cdn(
    make_article, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # What is handed to a purge, whichever module gathers it (with no CDN configured there is
    # no backend to record it, so the batch itself is watched).
    batches = []
    monkeypatch.setattr(
        PurgeBatch, "purge", lambda batch, *args, **kwargs: batches.append(batch.urls)
    )
    article = make_article(title="Quiet")

    settings.WAGTAILFRONTENDCACHE = {}
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    assert batches == []

    # The same publish with a CDN: the lists are gathered, so the watch above can see them.
    settings.WAGTAILFRONTENDCACHE = {"cdn": {"BACKEND": f"{__name__}.RecordingBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    assert batches and all(batches)


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        ("locmem://pages", "locmem.LocMemCache", "pages"),
        ("file:///var/cache/topten", "filebased.FileBasedCache", "/var/cache/topten"),
        ("redis://cache.internal:6379/1", "redis.RedisCache", "redis://cache.internal:6379/1"),
    ],
)
def test_cache_urls(url, backend, location):
    cache = cache_from_url(url, prefix="pages")
    assert cache["BACKEND"] == f"django.core.cache.backends.{backend}"
    assert cache["LOCATION"] == location
    assert cache["KEY_PREFIX"] == "pages"


def test_an_unknown_cache_url_says_what_works():
    with pytest.raises(ValueError, match="locmem://name, file:///path or redis://"):
        cache_from_url("memcached://localhost")
