"""The home app's settings and their defaults, read with ``setting(name)`` (see core/conf.py)."""

from core.conf import accessor

DEFAULTS = {
    # Admin sign-in (home.security.ThrottledLoginForm): at most "failures" failures in the
    # window for one username from one client address, and "client_failures" from one client
    # address; past "username_failures" for one username from everywhere, only addresses with
    # no failure for it are checked.
    "ADMIN_LOGIN_LIMITS": {"failures": 10, "client_failures": 30, "username_failures": 100,
                           "seconds": 15 * 60},
    # Admin password-reset emails: at most "email" requests in the window for one address
    # from one client address, and "client" from one client address; past "email_everywhere"
    # for one address, only client addresses that haven't asked for it yet are served.
    "ADMIN_PASSWORD_RESET_LIMITS": {"email": 3, "client": 10, "email_everywhere": 10,
                                    "seconds": 60 * 60},
}

setting = accessor(DEFAULTS)
