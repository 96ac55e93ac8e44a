"""Security: the Content Security Policy and the production settings (what is never public is
in test_never_public.py; the admin's sign-in limit in core/tests/test_admin_sign_in.py)."""

import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.http import HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.template import engines

from news.factories import CaptionedImageFactory

from .conftest import add_issue, send
from .test_settings_and_mail import PRODUCTION_MAIL

ROOT = Path(__file__).resolve().parents[2]
# <script> types a browser never runs: CSP's script-src doesn't apply to them.
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}


def policy(response):
    """The Content-Security-Policy header as {directive: [values]}."""
    return {
        name: values
        for name, *values in (
            part.split() for part in response["Content-Security-Policy"].split(";")
        )
    }


def inline_code(html):
    """Whatever in ``html`` a policy without 'unsafe-inline' would block."""
    soup = BeautifulSoup(html, "html.parser")
    found = [
        f"<script>{tag.string or ''}"[:80]
        for tag in soup.find_all("script")
        if not tag.get("src") and tag.get("type") not in DATA_SCRIPT_TYPES
    ]
    found += [f"<style>{tag.string or ''}"[:80] for tag in soup.find_all("style")]
    found += [f'{tag.name} style="{tag["style"]}"' for tag in soup.find_all(style=True)]
    found += [
        f"{tag.name} {name}="
        for tag in soup.find_all(True)
        for name in tag.attrs
        if name.lower().startswith("on")
    ]
    found += [tag["href"] for tag in soup.find_all(href=re.compile(r"^\s*javascript:", re.I))]
    return found


# Content Security Policy ----------------------------------------------------------------------


@pytest.mark.django_db
def test_reader_pages_have_a_strict_policy_and_nothing_inline(client, make_article, archive):
    article = make_article(
        title="Austin rallies allies",
        lead_image=CaptionedImageFactory(
            caption="Secretary of Defense Lloyd Austin.", credit="cnn.com"
        ),
    )
    send(add_issue(archive, datetime.date(2026, 11, 23)))
    pages = [
        "/",
        article.url,
        "/news/",
        "/search/?q=allies",
        "/newsletter/subscribe/",
        "/issues/",
        "/issues/2026-11-23/",
        "/no-such-page/",
    ]

    for url in pages:
        response = client.get(url)
        assert response.status_code == (404 if url == "/no-such-page/" else 200), url
        csp = policy(response)
        assert csp["default-src"] == ["'self'"], url
        assert csp["script-src"] == csp["style-src"] == ["'self'"], url  # and no nonce
        assert csp["object-src"] == csp["base-uri"] == csp["frame-ancestors"] == ["'none'"]
        assert csp["form-action"] == ["'self'"]
        assert inline_code(response.content) == [], url
        assert b"nonce" not in response.content, url

    # The article's JSON-LD is a data block: browsers don't run it, so it needs no nonce.
    soup = BeautifulSoup(client.get(article.url).content, "html.parser")
    [json_ld] = soup.find_all("script", type="application/ld+json")
    assert json.loads(json_ld.string)["headline"] == "Austin rallies allies"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_from_the_cache_has_the_same_policy(client, make_article, settings, tmp_path):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_GENERATION_FILE = tmp_path / "generation"
    article = make_article()

    first, second = client.get(article.url), client.get(article.url)

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "nonce" not in first["Content-Security-Policy"]


def test_a_page_that_is_never_cached_may_run_an_inline_script_with_a_nonce(rf):
    template = engines["django"].from_string("<script {% csp_nonce_attr %}>go()</script>")
    middleware = ContentSecurityPolicyMiddleware(
        lambda request: HttpResponse(template.render({}, request))
    )

    first, second = middleware(rf.get("/")), middleware(rf.get("/"))

    nonce = re.fullmatch(r'<script nonce="([\w-]+)">go\(\)</script>', first.text)[1]
    assert policy(first)["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert nonce not in second.text and nonce not in second["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_admin_has_its_own_policy_for_wagtails_inline_scripts(editor_client, make_article):
    article = make_article()
    # view_draft renders the page through the middleware again, as if at its own address.
    for url in [
        "/admin/",
        f"/admin/pages/{article.pk}/edit/",
        f"/admin/pages/{article.pk}/view_draft/",
    ]:
        response = editor_client.get(url)
        assert response.status_code == 200, url
        csp = policy(response)
        assert csp["script-src"] == csp["style-src"] == ["'self'", "'unsafe-inline'"], url
        assert csp["object-src"] == ["'none'"] and csp["form-action"] == ["'self'"]
        # The editor's preview panel frames the preview, so the admin may frame itself.
        assert csp["frame-ancestors"] == ["'self'"], url
    assert editor_client.get("/admin/login/")["Content-Security-Policy"]


# Production settings ------------------------------------------------------------------------


def production(code, **env):
    """Run ``code`` with the production settings and a real key; return its output."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="a-long-random-production-key-" + "x7Q9" * 10,
        ANYMAIL_WEBHOOK_SECRET="hook:s3cret",
        **env,
    )
    return subprocess.run(
        [sys.executable, *code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_turns_on_https_hardening_and_the_policy():
    names = [
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "X_FRAME_OPTIONS",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY",
        "SECURE_CSP",
        "ADMIN_CSP",
        "MIDDLEWARE",
    ]
    result = production(
        [
            "-c",
            "import json, django; django.setup(); "
            "from django.conf import settings; "
            f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))",
        ]
    )
    assert result.returncode == 0, result.stderr
    value = json.loads(result.stdout)

    assert value["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert value["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    for name in names[1:10]:
        assert value[name], name
    assert value["X_FRAME_OPTIONS"] == "DENY"
    assert value["SECURE_CSP"]["upgrade-insecure-requests"] is True
    assert value["ADMIN_CSP"]["upgrade-insecure-requests"] is True
    middleware = value["MIDDLEWARE"]
    # Outside the page cache, so pages served from memory get the header too.
    assert (
        middleware.index("django.middleware.csp.ContentSecurityPolicyMiddleware")
        < middleware.index("core.csp.AdminContentSecurityPolicyMiddleware")
        < middleware.index("core.pagecache.middleware.PageCacheMiddleware")
    )


def test_check_deploy_is_clean_when_the_proxy_redirects_to_https_itself():
    result = production(
        ["manage.py", "check", "--deploy"], SECURE_SSL_REDIRECT="0", **PRODUCTION_MAIL
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.django_db
def test_behind_the_proxy_http_is_redirected_and_https_gets_hsts(client, home_page, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True

    plain = client.get("/", HTTP_X_FORWARDED_PROTO="http")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/"
    secure = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


# In Chromium --------------------------------------------------------------------------------

# Runs before any page script: records every violation the browser reports, in any frame.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", event => window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} in ${event.sourceFile}`
    + `:${event.lineNumber}`));
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_policy_violations_for_readers_or_editors(
    live_server, browser, page, screenshot, editor, django_user_model, make_article, archive
):
    article = make_article(
        title="Austin rallies allies",
        lead_image=CaptionedImageFactory(
            caption="Secretary of Defense Lloyd Austin.", credit="cnn.com"
        ),
    )
    send(add_issue(archive, datetime.date(2026, 11, 23)))
    console = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and console.append(f"{page.url}: {message.text}")
        ),
    )
    page.context.add_init_script(WATCH_VIOLATIONS)

    def visit(path, step):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        screenshot(step)
        return page.evaluate("window.__cspViolations")

    seen = {}
    for path, step in [
        ("/", "home"),
        (article.url, "article"),
        ("/issues/2026-11-23/", "issue"),
        ("/search/?q=allies", "search"),
        ("/admin/login/", "admin-login"),
    ]:
        seen[step] = visit(path, step)
        if step == "article":  # its JSON-LD is data, not run: no nonce, no violation
            assert page.locator("script[type='application/ld+json']").count() == 1
    page.get_by_label("Username").fill("eddie")
    page.get_by_label("Password").fill("correct-horse")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    for path, step in [
        ("/admin/", "dashboard"),
        (f"/admin/pages/{article.pk}/edit/", "editor"),
        ("/admin/images/add/", "image-upload"),
        (article.url, "article-with-userbar"),
    ]:
        seen[step] = visit(path, step)
        if step == "editor":
            page.get_by_role("button", name="Toggle preview").click()
            page.frame_locator("iframe").first.locator("h1").wait_for()
            page.wait_for_load_state("networkidle")
            screenshot("editor-preview")
            seen["editor-preview"] = page.evaluate("window.__cspViolations")

    # A superuser's dashboard has more on it (and used to ask Wagtail's server for updates).
    django_user_model.objects.create_superuser("root", "root@example.com", "root-pw")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    superuser_page = context.new_page()
    superuser_page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and console.append(f"{superuser_page.url}: {message.text}")
        ),
    )
    superuser_page.goto(live_server.url + "/admin/login/")
    superuser_page.get_by_label("Username").fill("root")
    superuser_page.get_by_label("Password").fill("root-pw")
    superuser_page.get_by_role("button", name="Sign in").click()
    superuser_page.wait_for_url("**/admin/")
    superuser_page.wait_for_load_state("networkidle")
    context.close()

    assert {step: found for step, found in seen.items() if found} == {}
    assert console == []
