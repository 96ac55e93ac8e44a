"""Settings safe for production; everything site-specific comes from the environment.

DEBUG is off here. ``dev.py`` and ``test.py`` adjust a few values; ``production.py``
adds the deployment checks and refuses to start with the development secret key.

The project's own settings (``PAGE_CACHE_*``, ``NEWSLETTER_*``, ``ADMIN_*_LIMITS``) have their
defaults in their app's ``conf.py`` (core, home, newsletter) and nowhere else: this module
sets one only when its environment variable is set (``env_setting``). docs/operations.md
lists every setting and environment variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from config.caches import cache_from_url
from config.mail import mailer_from_url
from config.storage import media_origin, media_storage_from_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Files the running site writes: the SQLite database, the page cache's generation file.
VAR_DIR = BASE_DIR / "var"


def truthy(value):
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_bool(name, default=False):
    return truthy(os.environ.get(name, str(default)))


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_setting(name, parse=str):
    """The project setting ``name`` from its environment variable, parsed, if that is set;
    else the setting stays unset and its app's default applies (core/conf.py)."""
    if name in os.environ:
        globals()[name] = parse(os.environ[name])


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Absolute base of every link in an email, and of the admin's own links.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_SITE_NAME = "Lisa's Top Ten"

INSTALLED_APPS = [
    "home",
    "newsletter",
    "news",
    "core",
    "wagtail_newsletter",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks_db",
    "anymail",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.pagecache.middleware.PageCacheMiddleware",
    # A click on a link in a sent issue: answered here (newsletter/views/clicks.py).
    "newsletter.views.clicks.ClickRedirectMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # The admin's Add page form saves when the editor says so, without autosave.
    "core.editing.NoAutosaveOnNewPagesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise (postgres://... in production).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", 60)),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The web server and the task worker write at the same time: WAL lets readers go on
    # while one writer works, and IMMEDIATE transactions wait instead of failing. Connections
    # are kept between requests (CONN_MAX_AGE), which saves a few ms of CPU on each.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # Wagtail's database search backend uses PostgreSQL's full-text search there.
    INSTALLED_APPS.append("django.contrib.postgres")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Anonymous reader pages from Django's cache (core/pagecache/), keyed by the content generation:
# the generation (a file, or Redis across machines) tells every process when to forget them
# (defaults in core/conf.py).
env_setting("PAGE_CACHE_ENABLED", truthy)
env_setting("PAGE_CACHE_GENERATION_FILE", Path)
# Across machines the generation is a counter in Redis (the pages cache's, or this URL's),
# read by each process at most every PAGE_CACHE_GENERATION_CHECK_SECONDS.
env_setting("PAGE_CACHE_GENERATION_URL")
env_setting("PAGE_CACHE_GENERATION_CHECK_SECONDS", float)

# Caches by URL (config/caches.py): CACHE_URL for all of them, or PAGE_CACHE_URL and
# RENDITIONS_CACHE_URL for one each; each process's memory unless set (redis://... to share).
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": cache_from_url(CACHE_URL or "locmem://default", prefix="default"),
    # Wagtail keeps image renditions' details here (its "renditions" alias).
    "renditions": cache_from_url(
        os.environ.get("RENDITIONS_CACHE_URL", CACHE_URL or "locmem://renditions"),
        prefix="renditions",
        timeout=7 * 24 * 3600,
        max_entries=10000,
    ),
    # Whole reader pages. Stale entries are never served (the generation is in the key);
    # the timeout and size only bound the memory they take.
    "pages": cache_from_url(
        os.environ.get("PAGE_CACHE_URL", CACHE_URL or "locmem://pages"),
        prefix="pages",
        timeout=24 * 3600,
        max_entries=int(os.environ.get("PAGE_CACHE_MAX_ENTRIES", 2000)),
    ),
}

# A CDN or caching proxy in front of the site (wagtail.contrib.frontend_cache): pages are
# purged when they change, with the pages that list them (home/signals.py). FRONTEND_CACHE_URL
# is a proxy that accepts HTTP PURGE (Varnish, nginx); or Cloudflare with CLOUDFLARE_ZONE_ID
# and CLOUDFLARE_API_TOKEN.
WAGTAILFRONTENDCACHE = {}
if os.environ.get("FRONTEND_CACHE_URL"):
    WAGTAILFRONTENDCACHE["proxy"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": os.environ["FRONTEND_CACHE_URL"],
    }
if os.environ.get("CLOUDFLARE_ZONE_ID"):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": os.environ["CLOUDFLARE_ZONE_ID"],
        "BEARER_TOKEN": os.environ.get("CLOUDFLARE_API_TOKEN", ""),
    }
# How long a shared cache (CDN, proxy) may keep a reader page: long when it is purged on every
# change, a minute when nothing purges it. Browsers always ask again (max-age=0).
env_setting("PAGE_CACHE_SHARED_SECONDS", int)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# Static files: whitenoise serves them compressed, with hashed names and a long cache life.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# MEDIA_STORAGE_URL=s3://bucket/prefix?region=...: photos in object storage (config/storage.py).
STORAGES = {
    "default": media_storage_from_url(os.environ.get("MEDIA_STORAGE_URL", "")),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 31536000

# Mail: MAILERS "default" (transactional) and "newsletter" (bulk), both from EMAIL_URL.
EMAIL_URL = os.environ.get("EMAIL_URL", "file:var/outbox")
MAILERS = {
    "default": mailer_from_url(EMAIL_URL, BASE_DIR),
    "newsletter": mailer_from_url(os.environ.get("NEWSLETTER_EMAIL_URL", EMAIL_URL), BASE_DIR),
}
# A second transport for bulk mail that takes over the rest of a send when the first one fails
# for NEWSLETTER_FAILOVER_AFTER seconds (newsletter.sending.failover); none by default.
if os.environ.get("NEWSLETTER_FALLBACK_EMAIL_URL"):
    MAILERS["newsletter_fallback"] = mailer_from_url(
        os.environ["NEWSLETTER_FALLBACK_EMAIL_URL"], BASE_DIR
    )
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Lisa's Top Ten <lisa@example.com>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Background work: one database queue for our tasks and Wagtail's own (django-tasks-db's
# db_worker runs it; `make run` starts one beside the web server).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "newsletter"],
    }
}

# Wagtail
WAGTAILIMAGES_IMAGE_MODEL = "news.CaptionedImage"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 15 * 1024 * 1024
# 64 megapixels: every newsroom camera (61 MP at most, 9504 x 6336) and phone panorama fits;
# an upload past it is refused, a stored photo past it is not decoded (core.images).
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 64_000_000
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt"]
WAGTAIL_I18N_ENABLED = False
WAGTAILEMBEDS_RESPONSIVE_HTML = True
TAGGIT_CASE_INSENSITIVE = True

# wagtail-newsletter: sender identity (the daily-issue work replaces the backend).
WAGTAIL_NEWSLETTER_FROM_NAME = os.environ.get("NEWSLETTER_FROM_NAME", "Lisa's Top Ten")
WAGTAIL_NEWSLETTER_REPLY_TO = os.environ.get("NEWSLETTER_REPLY_TO", "lisa@example.com")
# Who an issue goes to: the package's recipients under the admin's words ("group of readers").
WAGTAIL_NEWSLETTER_RECIPIENTS_MODEL = "newsletter.ReaderGroup"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Newsletter subscriptions ------------------------------------------------------------------
# How many proxies in front of the site append to X-Forwarded-For (0: use REMOTE_ADDR); the
# rate limits count per client address (core/conf.py).
env_setting("NEWSLETTER_TRUSTED_PROXIES", int)
# The mail provider's webhook (bounces, complaints) is closed until ANYMAIL_WEBHOOK_SECRET,
# HTTP basic auth "user:password", is set; production refuses to start without it. Any other
# ANYMAIL_<NAME> variable becomes anymail's <NAME> setting, e.g. the signing key of a provider
# that signs its posts: ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY.
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_")
}
ANYMAIL.setdefault("WEBHOOK_SECRET", "")
# End of newsletter subscriptions -----------------------------------------------------------

# Newsletter campaigns ----------------------------------------------------------------------
# wagtail-newsletter's Newsletter tab sends through our own backend (subscribers in this
# database, Django's mailers, the task queue). Mailchimp stays selectable: set this to
# "wagtail_newsletter.campaign_backends.mailchimp.MailchimpCampaignBackend", set
# WAGTAIL_NEWSLETTER_MAILCHIMP_API_KEY and `pip install "wagtail-newsletter[mailchimp]"`.
WAGTAIL_NEWSLETTER_CAMPAIGN_BACKEND = os.environ.get(
    "WAGTAIL_NEWSLETTER_CAMPAIGN_BACKEND", "newsletter.campaign_backend.LocalCampaignBackend"
)
WAGTAIL_NEWSLETTER_MAILCHIMP_API_KEY = os.environ.get("WAGTAIL_NEWSLETTER_MAILCHIMP_API_KEY")
# Audience sizes are counted in our database, so the "Send to N recipients" check can be fresh.
WAGTAIL_NEWSLETTER_CACHE_TIMEOUT = 10
# End of newsletter campaigns ---------------------------------------------------------------

# Newsletter sending ------------------------------------------------------------------------
# What each setting means, and its default, is in newsletter/conf.py (the number of SMTP
# connections is 1 on SQLite, 2 elsewhere).
env_setting("NEWSLETTER_SEND_BATCH_SIZE", int)
env_setting("NEWSLETTER_LEASE_SECONDS", int)
env_setting("NEWSLETTER_SEND_CONNECTIONS", int)
env_setting("NEWSLETTER_RATE_LIMIT", int)
env_setting("NEWSLETTER_FAILOVER_AFTER", int)
env_setting("NEWSLETTER_API_BATCH_SIZE", int)
env_setting("NEWSLETTER_API_BATCH_CALLS", int)
env_setting("NEWSLETTER_API_TIMEOUT", float)
env_setting("NEWSLETTER_API_CONCURRENCY", int)
env_setting("NEWSLETTER_LATE_AFTER", int)
env_setting("NEWSLETTER_PREPARE_AT")
env_setting("NEWSLETTER_CLICK_TRACKING", truthy)
env_setting("NEWSLETTER_ANALYTICS_PRIVACY")
env_setting("NEWSLETTER_CLICK_RETENTION_DAYS", int)
env_setting("NEWSLETTER_OPEN_TRACKING", truthy)
# End of newsletter sending -----------------------------------------------------------------

# Security ----------------------------------------------------------------------------------
# Content Security Policy, sent by Django's own middleware (placed outside the page cache, so
# a page served from memory gets the header too). Reader pages run no inline script and set
# no inline style, so their policy allows neither and needs no nonce: a cached page is the
# same bytes for every reader and must not carry one. A page that is never cached may still
# use {% csp_nonce_attr %} on an inline <script>; the nonce is only sent when a page used it.
# JSON-LD (<script type="application/ld+json">) is data, not run, and needs no nonce.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.csp.ContentSecurityPolicyMiddleware") + 1,
    "core.csp.AdminContentSecurityPolicyMiddleware",
)
TEMPLATES[0]["OPTIONS"]["context_processors"].append("django.template.context_processors.csp")
# Frames the article body's embed block may show (video players), and where media lives when
# it isn't this site (e.g. "https://media.lisastopten.com" for object storage).
CSP_FRAME_SOURCES = env_list(
    "CSP_FRAME_SOURCES",
    "https://www.youtube.com,https://www.youtube-nocookie.com,https://player.vimeo.com",
)
CSP_MEDIA_SOURCES = env_list("CSP_MEDIA_SOURCES")
# Photos in object storage come from the bucket's (or its CDN's) origin.
if (origin := media_origin(STORAGES["default"])) and origin not in CSP_MEDIA_SOURCES:
    CSP_MEDIA_SOURCES.append(origin)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, *CSP_MEDIA_SOURCES],
    "media-src": [CSP.SELF, *CSP_MEDIA_SOURCES],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-src": CSP_FRAME_SOURCES or [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# The Wagtail admin writes inline scripts and style attributes without nonces, so under
# /admin/ (core.csp.AdminContentSecurityPolicyMiddleware) inline code is allowed; the
# rest still holds: no plugins, no other site's scripts, forms post only here, and only this
# site may frame it (the editor's preview panel).
ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    # The email preview's pictures are absolute links to SITE_URL.
    "img-src": [CSP.SELF, "data:", "blob:", SITE_URL, *CSP_MEDIA_SOURCES],
    "frame-src": [CSP.SELF, *CSP_FRAME_SOURCES],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
}
# Editors' avatars come from this site, not Gravatar (no third-party images in the admin, and
# no hash of an editor's address sent elsewhere).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does a superuser's dashboard ask Wagtail's server for its latest release (the policy
# would refuse it); releases arrive by changing the pins in pyproject.toml.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Admin sign-in is rate limited (core.admin_auth); ADMIN_LOGIN_LIMITS and
# ADMIN_PASSWORD_RESET_LIMITS, the sign-in and password-reset limits, are in core/conf.py.
WAGTAILADMIN_USER_LOGIN_FORM = "core.admin_auth.ThrottledLoginForm"
# Image uploads that start like an image but aren't one are refused in plain words, not with
# a server error (core/uploads.py).
WAGTAILIMAGES_IMAGE_FORM_BASE = "core.uploads.ImageForm"
# End of security ---------------------------------------------------------------------------
