"""The Wagtail admin's own Content Security Policy.

Django's ``ContentSecurityPolicyMiddleware`` sends ``SECURE_CSP`` with every response. That
policy is strict (no inline script or style), which reader pages meet. The Wagtail admin
doesn't: its date pickers and inline panels write ``<script>`` blocks without a nonce, and it
sets ``style`` attributes in its markup. So ``AdminContentSecurityPolicyMiddleware`` gives
every response under the admin's URL the relaxed ``ADMIN_CSP`` instead, the same way Django's
``@csp_override`` does for one view (it sets ``response._csp_config``, which the CSP
middleware reads). A middleware rather than the decorator on each admin URL: it also covers
the admin's redirects, error pages and the URLs that apps add with Wagtail hooks.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.csp import CSP


class AdminContentSecurityPolicyMiddleware:
    """Send ``ADMIN_CSP`` instead of ``SECURE_CSP`` for everything under the Wagtail admin.

    Goes after ``django.middleware.csp.ContentSecurityPolicyMiddleware`` in ``MIDDLEWARE``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(reverse("wagtailadmin_home")):
            # A page preview renders the page through the middleware again, as if at the
            # page's own address, which leaves the reader policy on the response.
            response.headers.pop(CSP.HEADER_ENFORCE, None)
            response._csp_config = settings.ADMIN_CSP
        return response
