"""Rate limits on the Wagtail admin's sign-in and "Forgot password?" forms.

**Sign-in rate limit.** ``ThrottledLoginForm`` (``WAGTAILADMIN_USER_LOGIN_FORM``) counts
failed sign-ins with ``core.ratelimit``, where every gunicorn worker sees the same counts
(keyed hashes only). ``ADMIN_LOGIN_LIMITS`` in its window: ``failures`` for one username from
one client address, or ``client_failures`` from one client address for any usernames, and
the form says "Too many sign-in attempts" and when to try again, without checking the
password. Strangers can't lock an editor out: their failures count against their own
addresses. Past ``username_failures`` for one username from everywhere (guessing spread over
many addresses), only an address with no failure for that username still gets its password
checked, so a botnet gets one guess per address and the editor, from their own address,
still signs in. Refused attempts don't count, so a lock lifts when the window has passed.

**Password-reset rate limit.** Wagtail's "Forgot password?" form sends an email to whatever
address is posted, so without a limit anyone could flood an editor's inbox from the sign-in
page. ``ThrottledPasswordResetView`` (wired over ``/admin/password_reset/`` in
``config/urls.py``) allows, per ``ADMIN_PASSWORD_RESET_LIMITS`` in the window, ``email``
requests for one address from one client address and ``client`` requests from one client
address for any addresses, whether or not an account has the address (the page must not tell
which). Past ``email_everywhere`` requests for one address from everywhere, only client
addresses that haven't asked for it yet are served, the same way as sign-ins, so strangers
can't spend an editor's own reset. A request over a limit gets the form again with "Too many
password reset requests", status 429, and no email. Refused requests don't count.

Why not django-axes: it would count sign-ins only, with its own three tables, middleware,
authentication backend and lockout page, beside the limiter the sign-up form needs anyway.
One limiter (``core.ratelimit``) gives all three forms the same client address (IPv4-mapped
addresses, proxies, IPv6 networks), the same hashing and the same clean-up, and the lockout
stays a message on Wagtail's own sign-in form.
"""

from django.core.exceptions import ValidationError
from wagtail.admin.forms.auth import LoginForm
from wagtail.admin.views.account import PasswordResetView

from core.conf import setting
from core.ratelimit import Limiter, Rule, client_address


def login_limits():
    return setting("ADMIN_LOGIN_LIMITS")


def _login_rules():
    limits = login_limits()
    return [
        Rule("account", limits["failures"], limits["seconds"]),
        Rule("client", limits["client_failures"], limits["seconds"]),
        Rule("name", limits["username_failures"], limits["seconds"], spare_new="account"),
    ]


SIGN_INS = Limiter("login", _login_rules)


def _counted(client, name):
    # Letter case and spaces don't make a new username (or address) to guess against.
    name = name.strip().casefold()
    return {"account": (name, client), "client": client, "name": name}


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
        counted = _counted(client_address(self.request) if self.request else "", username)
        refusal = SIGN_INS.check(counted)
        if refusal:
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": refusal.minutes},
            )
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                SIGN_INS.record(counted)
            raise


# Password reset ----------------------------------------------------------------------------


def reset_limits():
    return setting("ADMIN_PASSWORD_RESET_LIMITS")


def _reset_rules():
    limits = reset_limits()
    return [
        Rule("account", limits["email"], limits["seconds"]),
        Rule("client", limits["client"], limits["seconds"]),
        Rule("name", limits["email_everywhere"], limits["seconds"], spare_new="account"),
    ]


RESETS = Limiter("reset", _reset_rules)


class ThrottledPasswordResetView(PasswordResetView):
    """Wagtail's password-reset form, refusing to send more than a few emails an hour from one
    client address, or to one address from one client address."""

    message = (
        "Too many password reset requests. No email was sent. Please try again in %(minutes)s."
    )

    def form_valid(self, form):
        counted = _counted(client_address(self.request), form.cleaned_data["email"])
        refusal = RESETS.check(counted)
        if refusal:
            form.add_error(
                None,
                ValidationError(
                    self.message, code="throttled", params={"minutes": refusal.minutes}
                ),
            )
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(refusal.seconds)
            return response
        RESETS.record(counted)
        return super().form_valid(form)
