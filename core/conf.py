"""The project's own settings: each one's default is written once, in its app's ``conf.py``.

Every app with settings of its own (core, newsletter) has a ``conf.py`` with one table
of defaults, ``DEFAULTS``, and reads its settings only through that module's
``setting(name)``, shaped like django-anymail's ``get_anymail_setting``: the Django setting
if it is set, else the table's default. ``config/settings`` only maps environment variables
onto these settings, setting one only when its variable is set, so dev, test and production
can't each carry their own idea of a default. Django's, Wagtail's and other libraries'
settings stay in ``config/settings`` as they are.

A default that depends on other settings is a function of none, called when the setting is
read. A setting whose default is a dict may give only the keys it changes
(``ADMIN_LOGIN_LIMITS = {"seconds": 60}``). A name that has no default is a mistake and raises
``KeyError``.

docs/operations.md lists every setting and environment variable; core/tests/
test_settings_documented.py keeps that list complete and these tables the only defaults.
"""

from django.conf import settings


def accessor(defaults):
    """The ``setting(name)`` function of an app whose defaults are ``defaults``."""

    def setting(name):
        default = defaults[name]
        try:
            value = getattr(settings, name)
        except AttributeError:
            value = default() if callable(default) else default
            return dict(value) if isinstance(value, dict) else value
        return {**default, **value} if isinstance(default, dict) else value

    return setting


def _shared_seconds():
    # Long when a CDN or proxy is purged on every change (core/pagecache/purge.py), a minute when
    # nothing purges it.
    return 3600 if getattr(settings, "WAGTAILFRONTENDCACHE", None) else 60


DEFAULTS = {
    # How many proxies in front of the site append to X-Forwarded-For (0: use REMOTE_ADDR);
    # the rate limits count per client address (core.ratelimit.client_address). The name is
    # older than core and operators set it.
    "NEWSLETTER_TRUSTED_PROXIES": 0,
    # Anonymous reader pages from Django's "pages" cache (core/pagecache/middleware.py), keyed
    # by the content generation: the generation file (or Redis, below) tells every process
    # when to forget them, so it must be shared by every process serving the site.
    "PAGE_CACHE_ENABLED": True,
    "PAGE_CACHE_GENERATION_FILE": lambda: settings.VAR_DIR / "page-cache-generation",
    # Where the generation lives across machines (core/pagecache/generation.py): a Redis URL;
    # empty means the pages cache's Redis when it is on Redis, else the file above.
    "PAGE_CACHE_GENERATION_URL": "",
    # With the generation in Redis, each process asks it at most this often: the longest a
    # change takes to reach a request that another machine serves.
    "PAGE_CACHE_GENERATION_CHECK_SECONDS": 0.25,
    # How long a shared cache (CDN, proxy) may keep a reader page (s-maxage). Browsers always
    # ask again (max-age=0).
    "PAGE_CACHE_SHARED_SECONDS": _shared_seconds,
    # Admin sign-in (core.admin_auth.ThrottledLoginForm): at most "failures" failures in the
    # window for one username from one client address, and "client_failures" from one client
    # address; past "username_failures" for one username from everywhere, only addresses with
    # no failure for it are checked.
    "ADMIN_LOGIN_LIMITS": {
        "failures": 10,
        "client_failures": 30,
        "username_failures": 100,
        "seconds": 15 * 60,
    },
    # Admin password-reset emails (core.admin_auth.ThrottledPasswordResetView): at most
    # "email" requests in the window for one address from one client address, and "client"
    # from one client address; past "email_everywhere" for one address, only client addresses
    # that haven't asked for it yet are served.
    "ADMIN_PASSWORD_RESET_LIMITS": {
        "email": 3,
        "client": 10,
        "email_everywhere": 10,
        "seconds": 60 * 60,
    },
}

setting = accessor(DEFAULTS)
