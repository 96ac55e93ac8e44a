"""The Wagtail admin's own Content Security Policy, and a rate limit on its sign-in form.

**Content Security Policy.** Django's ``ContentSecurityPolicyMiddleware`` sends
``SECURE_CSP`` with every response. That policy is strict (no inline script or style), which
reader pages meet. The Wagtail admin doesn't: its date pickers and inline panels write
``<script>`` blocks without a nonce, and it sets ``style`` attributes in its markup. So
``AdminContentSecurityPolicyMiddleware`` gives every response under the admin's URL the
relaxed ``ADMIN_CSP`` instead, the same way Django's ``@csp_override`` does for one view (it
sets ``response._csp_config``, which the CSP middleware reads). A middleware rather than the
decorator on each admin URL: it also covers the admin's redirects, error pages and the URLs
that apps add with Wagtail hooks.

**Sign-in rate limit.** ``ThrottledLoginForm`` (``WAGTAILADMIN_USER_LOGIN_FORM``) counts
failed sign-ins in the ``LoginAttempt`` table, where every gunicorn worker sees the same
counts. ``ADMIN_LOGIN_LIMITS`` failures in its window from one client address, or for one
username from anywhere, and the form says "Too many attempts" and when to try again,
without checking the password. Refused attempts don't count, so the lock lifts when the
window has passed. Rows hold keyed hashes of the address and the username, never the
values, and are deleted once older than the window.

**Password-reset rate limit.** Wagtail's "Forgot password?" form sends an email to whatever
address is posted, so without a limit anyone could flood an editor's inbox from the sign-in
page. ``ThrottledPasswordResetView`` (wired over ``/admin/password_reset/`` in
``config/urls.py``) allows ``ADMIN_PASSWORD_RESET_LIMITS`` requests in the window per client
address and per submitted address, whether or not an account has it (the page must not tell
which). A request over the limit gets the form again with "Too many password reset
requests", status 429, and no email. Refused requests don't count, so the limit lifts once
the window has passed. The counts share ``LoginAttempt``: a reset request's keys start with
``reset:``, so neither limit counts the other's rows and each deletes only its own old ones.
"""

import datetime
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.csp import CSP
from wagtail.admin.forms.auth import LoginForm
from wagtail.admin.views.account import PasswordResetView

from home.models import LoginAttempt
from newsletter.throttle import client_address

DEFAULT_LOGIN_LIMITS = {"failures": 10, "seconds": 15 * 60}
DEFAULT_RESET_LIMITS = {"client": 10, "email": 3, "seconds": 60 * 60}
RESET_PREFIX = "reset:"  # LoginAttempt keys of password-reset requests start with this


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


def login_limits():
    return getattr(settings, "ADMIN_LOGIN_LIMITS", DEFAULT_LOGIN_LIMITS)


def _key(kind, value):
    return salted_hmac(f"home.security.login.{kind}", value, algorithm="sha256").hexdigest()


def _keys(client, username):
    # Letter case and spaces don't make a new username to guess against.
    return {"client_key": _key("client", client),
            "username_key": _key("username", username.strip().casefold())}


def seconds_locked(client, username):
    """How long sign-ins from ``client`` or for ``username`` stay refused (0: not refused)."""
    limits = login_limits()
    window = datetime.timedelta(seconds=limits["seconds"])
    now = timezone.now()
    wait = 0
    for field, key in _keys(client, username).items():
        recent = list(
            LoginAttempt.objects.filter(**{field: key}, created_at__gte=now - window)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[: limits["failures"]]
        )
        if len(recent) >= limits["failures"]:
            # Refused until the oldest of the last `failures` failures leaves the window.
            wait = max(wait, (recent[-1] + window - now).total_seconds())
    return math.ceil(wait)


def record_failure(client, username):
    """Count one failed sign-in, and forget the ones the window has passed."""
    window = datetime.timedelta(seconds=login_limits()["seconds"])
    LoginAttempt.objects.filter(created_at__lt=timezone.now() - window).exclude(
        client_key__startswith=RESET_PREFIX).delete()
    LoginAttempt.objects.create(**_keys(client, username))


class ThrottledLoginForm(LoginForm):
    """Wagtail's sign-in form, refusing to check passwords after too many failures."""

    error_messages = {
        **LoginForm.error_messages,
        "throttled": "Too many sign-in attempts. Please try again in %(minutes)s.",
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()  # the field errors say what is missing
        client = client_address(self.request) if self.request else ""
        wait = seconds_locked(client, username)
        if wait:
            minutes = max(1, math.ceil(wait / 60))
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": f"{minutes} minute{'s' if minutes != 1 else ''}"},
            )
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                record_failure(client, username)
            raise


# Password reset ----------------------------------------------------------------------------


def reset_limits():
    return getattr(settings, "ADMIN_PASSWORD_RESET_LIMITS", DEFAULT_RESET_LIMITS)


def _reset_keys(client, email):
    # 64 characters in all, like the sign-in keys; the prefix keeps the two kinds apart.
    size = 64 - len(RESET_PREFIX)
    return {
        "client_key": RESET_PREFIX + _key("reset.client", client)[:size],
        "username_key": RESET_PREFIX + _key("reset.email", email.strip().casefold())[:size],
    }


def reset_seconds_locked(client, email):
    """How long reset requests from ``client`` or for ``email`` stay refused (0: not)."""
    limits = reset_limits()
    window = datetime.timedelta(seconds=limits["seconds"])
    now = timezone.now()
    wait = 0
    keys = _reset_keys(client, email)
    for field, allowed in (("client_key", limits["client"]), ("username_key", limits["email"])):
        recent = list(
            LoginAttempt.objects.filter(**{field: keys[field]}, created_at__gte=now - window)
            .order_by("-created_at").values_list("created_at", flat=True)[:allowed]
        )
        if len(recent) >= allowed:
            wait = max(wait, (recent[-1] + window - now).total_seconds())
    return math.ceil(wait)


def record_reset_request(client, email):
    """Count one password-reset request, and forget the ones the window has passed."""
    window = datetime.timedelta(seconds=reset_limits()["seconds"])
    LoginAttempt.objects.filter(client_key__startswith=RESET_PREFIX,
                                created_at__lt=timezone.now() - window).delete()
    LoginAttempt.objects.create(**_reset_keys(client, email))


class ThrottledPasswordResetView(PasswordResetView):
    """Wagtail's password-reset form, refusing to send more than a few emails an hour from one
    client address or to one address."""

    message = ("Too many password reset requests. No email was sent. Please try again in "
               "%(minutes)s.")

    def form_valid(self, form):
        client = client_address(self.request)
        email = form.cleaned_data["email"]
        wait = reset_seconds_locked(client, email)
        if wait:
            minutes = max(1, math.ceil(wait / 60))
            form.add_error(None, ValidationError(
                self.message, code="throttled",
                params={"minutes": f"{minutes} minute{'s' if minutes != 1 else ''}"}))
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(wait)
            return response
        record_reset_request(client, email)
        return super().form_valid(form)
