"""The admin's own Content Security Policy (``core.csp``), chosen by URL. The policies on the
site's pages, in the editor's preview and in Chromium: ``home/tests/test_security.py``."""

from django.http import HttpResponse
from django.utils.csp import CSP

from core.csp import AdminContentSecurityPolicyMiddleware


def reader_policy(request):
    response = HttpResponse("<p>page</p>")
    response[CSP.HEADER_ENFORCE] = "default-src 'self'"  # as a preview leaves it
    return response


def test_everything_under_the_admin_gets_the_admin_policy(rf, settings):
    middleware = AdminContentSecurityPolicyMiddleware(reader_policy)

    response = middleware(rf.get("/admin/pages/3/view_draft/"))

    assert response._csp_config == settings.ADMIN_CSP
    assert CSP.HEADER_ENFORCE not in response  # Django's middleware sends ADMIN_CSP instead


def test_reader_pages_keep_the_site_policy(rf):
    response = AdminContentSecurityPolicyMiddleware(reader_policy)(rf.get("/news/admin/"))

    assert not hasattr(response, "_csp_config")
    assert response[CSP.HEADER_ENFORCE] == "default-src 'self'"
