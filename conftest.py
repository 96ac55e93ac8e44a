"""Fixtures shared by every app's tests: the site's page tree (below), an editor, and Debian's
chromium driven through Playwright.

Browser tests take ``live_server`` (pytest-django) with ``page`` and ``screenshot``, and are
marked ``browser`` and ``django_db(transaction=True, serialized_rollback=True)``: the server
thread then sees their data, and the rows the migrations made (Wagtail's root page, locale,
groups) are restored after each test flushes the tables.
"""

import os
import re
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

# Playwright's sync API keeps an asyncio loop running in the test thread, and Django then
# refuses ORM calls from it (SynchronousOnlyOperation). The tests make no async calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Headless and quiet: no sandbox (CI runs as root), and none of chromium's background calls
# home, which this machine's closed network would refuse.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOT_DIR = Path(__file__).resolve().parent / "test-artifacts" / "screenshots"


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server's threads run Django one request at a time.

    On SQLite the test database is in memory, and every request thread of the live server
    shares the test's one connection to it: two requests at once (chromium loads an admin
    page's scripts side by side) can break that connection mid-query ("bad parameter or
    other API misuse", then a 500). Requests still arrive on their own threads, so a
    keep-alive connection waiting for its next request holds up nobody.
    """

    # One for the process: a test's teardown takes it too (``page``), so the database is not
    # flushed under a request still being answered ("database table is locked").
    requests = threading.Lock()

    def set_app(self, application):
        lock = self.requests

        def one_at_a_time(environ, start_response):
            with lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


@pytest.fixture(scope="session", autouse=True)
def live_server_one_request_at_a_time():
    from django.db import connection

    if connection.vendor == "sqlite":
        LiveServerThread.server_class = OneRequestAtATimeServer
    yield


@pytest.fixture(scope="session")
def browser(django_db_setup):
    """One headless chromium for the whole run; each test gets its own context via ``page``."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Browser tests need Debian's chromium at {CHROMIUM}. Install it with "
            "`sudo apt-get install -y chromium` (`make test` does so when run as root).",
            pytrace=False,
        )
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Once Playwright's loop runs, Django's connection handler (an asgiref Local) hands this
    # thread new connection objects; they must still carry the migrated rows that
    # serialized_rollback restores after each browser test's flush.
    serialized = {
        alias: getattr(connections[alias], "_test_serialized_contents", None)
        for alias in connections
    }
    playwright = sync_playwright().start()
    for alias, contents in serialized.items():
        if contents is not None:
            connections[alias]._test_serialized_contents = contents
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except BaseException:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser):
    """A fresh page in its own browser context (no cookies shared between tests), 1280x900."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
    # A request the page left in flight (an autosave, a ping) ends before the test's teardown
    # flushes the database under it.
    with OneRequestAtATimeServer.requests:
        pass


def _slug(text):
    return re.sub(r"[^\w.-]+", "_", str(text)).strip("_")


@pytest.fixture
def screenshot(request, page):
    """Save a PNG as test-artifacts/screenshots/<test name>-<step>.png and return its path.

    ``screenshot("after-login")`` shoots the test's ``page``; pass ``page=`` for another one.
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    test_name = _slug(request.node.name)

    def take(step, *, page=page, full_page=True):
        path = SCREENSHOT_DIR / f"{test_name}-{_slug(step)}.png"
        page.screenshot(path=path, full_page=full_page)
        return path

    return take


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist: a worker is done; the hostile-input counts it ran up join the others'."""
    output = getattr(node, "workeroutput", {})
    if "hostile_inputs" in output:
        from newsletter.tests.hostile import add_worker_counts

        add_worker_counts(node.config, output)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real Redis: ``REDIS_URL``'s, or Debian's redis-server started for this run (no Redis
    fails the test that asks for one; see core/tests/redis_server.py)."""
    from core.tests.redis_server import redis_for_tests

    url, server = redis_for_tests(tmp_path_factory.mktemp("redis"))
    yield url
    if server is not None:
        server.stop()


@pytest.fixture
def redis_pages(settings, redis_url):
    """The ``pages`` cache (and so the content generation) on the real Redis, under a key
    prefix of the test's own (tests never empty the shared database)."""
    import uuid

    from config.caches import cache_from_url

    settings.PAGE_CACHE_ENABLED = True
    settings.CACHES = {
        **settings.CACHES,
        "pages": cache_from_url(redis_url, prefix=f"pages-{uuid.uuid4().hex[:12]}"),
    }
    return redis_url


@pytest.fixture(autouse=True)
def _fresh_memos():
    """What core.pagecache memoizes per process must not leak from one test to the next."""
    from core.pagecache.generation import forget_memos

    forget_memos()
    yield
    forget_memos()


@pytest.fixture
def editor(django_user_model):
    """An editor who is not a superuser: Wagtail's Editors group (which may publish here)."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("eddie", "eddie@example.com", "correct-horse")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def writer(django_user_model):
    """Someone who may edit pages but not publish them, so may not send issues."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission, Page

    writers = Group.objects.create(name="Writers")
    writers.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=writers, page=Page.get_first_root_node(), permission_type="change"
    )
    user = django_user_model.objects.create_user("wri", "wri@example.com", "pw")
    user.groups.add(writers)
    return user


# The site the tests build on -------------------------------------------------------------------
# One tree: ``home_page`` is the default site's root; under it ``news_index`` (holding
# ``articles``) and the issue ``archive`` (holding ``issue``). Each fixture builds on the one
# above it, so a module that needs a variant overrides one level with a small fixture of its own
# (``article_fields``, ``issue_fields``, or an ``articles`` of its own) and keeps the rest.

SITE_NAME = "Lisa's Top Ten"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded and drawn photos go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def home_page(db):
    """The home page as ``seed_demo`` makes it, root of the default site "Lisa's Top Ten"."""
    from wagtail.models import Site

    from home.factories import create_home_page

    home = create_home_page()
    Site.objects.filter(is_default_site=True).update(site_name=SITE_NAME)
    return home


@pytest.fixture
def news_parent(home_page):
    """The page ``news_index`` goes under: the home page (news's own tests use the tree's root)."""
    return home_page


@pytest.fixture
def news_index(news_parent):
    from news.factories import NewsIndexPageFactory

    return NewsIndexPageFactory(parent=news_parent)


@pytest.fixture
def archive(home_page):
    """The issue archive at /issues/."""
    from newsletter.factories import IssueIndexPageFactory

    return IssueIndexPageFactory(parent=home_page)


@pytest.fixture
def site(news_index, archive):
    """``(news_index, archive)``: the reader site, news first."""
    return news_index, archive


@pytest.fixture
def europe(db):
    from news.factories import SectionFactory

    return SectionFactory(name="Europe", slug="europe")


@pytest.fixture
def make_article(news_index, europe):
    """``make_article(**fields)``: a published article in ``news_index``, in Europe unless told."""
    from news.factories import ArticlePageFactory

    def make(**kwargs):
        kwargs.setdefault("section", europe)
        return ArticlePageFactory(parent=news_index, **kwargs)

    return make


@pytest.fixture
def article_fields():
    """More ArticlePageFactory fields for each of ``articles`` (override to vary them)."""
    return {}


@pytest.fixture
def articles(news_index, article_fields):
    """Ten published articles, "Story number 1" to "Story number 10", each with its photo."""
    from newsletter.tests.issue_setup import make_articles

    return make_articles(news_index, **article_fields)


@pytest.fixture
def issue_fields():
    """More IssuePageFactory fields for ``issue`` (override to give it an intro, a date...)."""
    return {}


@pytest.fixture
def issue(archive, articles, issue_fields):
    """Today's issue of the ten ``articles``, published."""
    from django.utils import timezone

    from newsletter.factories import IssuePageFactory

    fields = {"issue_date": timezone.localdate(), **issue_fields}
    return IssuePageFactory(parent=archive, articles=articles, **fields)
