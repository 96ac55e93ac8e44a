"""The newsletter app's settings and their defaults, read with ``setting(name)`` (see
core/conf.py)."""

import datetime

from django.conf import settings

from core.conf import accessor

# The MAILERS aliases newsletter mail goes through: the main transport (NEWSLETTER_EMAIL_URL,
# else EMAIL_URL) and, when NEWSLETTER_FALLBACK_EMAIL_URL is set, the fallback that takes over
# the rest of a send after the main one failed for NEWSLETTER_FAILOVER_AFTER seconds.
MAILER = "newsletter"
FALLBACK_MAILER = "newsletter_fallback"
# An SMTP relay on another machine (a provider's, across the internet) costs each message two
# round trips on its connection (MAIL, RCPT and DATA pipelined, then the message): at 50 ms,
# ten messages a second a connection. 32 connections keep a worker above 300 a second.
REMOTE_RELAY_CONNECTIONS = 32
LOOPBACK = {"", "localhost", "127.0.0.1", "::1"}


def _remote_smtp_relay():
    mailer = getattr(settings, "MAILERS", {}).get(MAILER, {})
    if mailer.get("BACKEND") != "django.core.mail.backends.smtp.EmailBackend":
        return False
    return str(mailer.get("OPTIONS", {}).get("host", "")).lower() not in LOOPBACK


def _send_connections():
    if _remote_smtp_relay():
        return REMOTE_RELAY_CONNECTIONS
    # On SQLite two threads mostly wait for each other's writes (measured: one is faster).
    return 1 if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else 2


DEFAULTS = {
    # Subscriptions ---------------------------------------------------------------------------
    # How long a confirmation link works (newsletter.subscriptions.tokens).
    "NEWSLETTER_CONFIRM_MAX_AGE": datetime.timedelta(days=3),
    # At most one sign-up email (a confirmation, or "already subscribed") per address in this
    # window (newsletter.subscriptions).
    "NEWSLETTER_RESEND_WINDOW": datetime.timedelta(minutes=10),
    # The sign-up form's limits, (kind, how many, seconds) (newsletter.throttle).
    "NEWSLETTER_SIGNUP_LIMITS": (
        ("client", 20, 60 * 60),  # an office or school sharing one address can still sign up
        ("addresses", 5, 60 * 60),  # different mailboxes from one client network
        ("email", 5, 60 * 60),  # per mailbox, from anywhere
        ("email", 10, 24 * 60 * 60),
    ),
    # Preference changes (pause, resume, subscribe again) per subscriber: (changes, seconds).
    "NEWSLETTER_PREFERENCE_LIMIT": (10, 60 * 60),
    # Sending ---------------------------------------------------------------------------------
    # Workers claim deliveries a batch at a time on a lease; a batch whose worker died is
    # claimed again when its lease runs out (so keep it short).
    "NEWSLETTER_SEND_BATCH_SIZE": 100,
    "NEWSLETTER_LEASE_SECONDS": 30,
    # db_worker looks for due schedules and stalled sends this often (its
    # --housekeeping-interval).
    "NEWSLETTER_HOUSEKEEPING_SECONDS": 5,
    # Issues ----------------------------------------------------------------------------------
    # From this local time ("HH:MM") db_worker prepares the draft of the next free date after
    # today, once a day (newsletter.issues.preparing.prepare_if_due); None or "": never.
    "NEWSLETTER_PREPARE_AT": "17:00",
    # SMTP connections each sending task uses side by side (threads, each with its own
    # database connection): 32 to an SMTP relay on another machine, where each message waits
    # for round trips; else 1 on SQLite, 2 otherwise. A worker killed mid-send may repeat at
    # most one message per connection.
    "NEWSLETTER_SEND_CONNECTIONS": _send_connections,
    # Most messages a second from each worker, for a provider's limit (0: as fast as the
    # server takes them); a campaign's own rate limit wins.
    "NEWSLETTER_RATE_LIMIT": 0,
    # Providers with a batch API (Mailgun): recipients per call, None for the provider's own
    # limit (1,000 for Mailgun); each reader's links go as the provider's merge fields.
    "NEWSLETTER_API_BATCH_SIZE": None,
    # Batch-API calls each worker has in flight at once (threads, each with its own database
    # connection), as Ghost sends two at a time: one builds its call while the other waits
    # for the provider's answer. A worker killed mid-send may repeat that many batches (every
    # reader of them flagged).
    "NEWSLETTER_API_BATCH_CALLS": 2,
    # Longest a call to a mail provider's HTTP API may take (seconds), and at most half of
    # NEWSLETTER_LEASE_SECONDS, so no call outlives the lease on its rows.
    "NEWSLETTER_API_TIMEOUT": 15,
    # API providers without a batch API (one call per message): calls each worker makes at
    # once, within the rate limit. A worker killed mid-send may repeat that many messages.
    "NEWSLETTER_API_CONCURRENCY": 4,
    # How often (seconds) a sending worker checks that its campaign is still sending.
    "NEWSLETTER_STATUS_CHECK_SECONDS": 1.0,
    # Temporary failures (4xx, dropped connections, timeouts) retry after 30 s, 1 min, 2 min,
    # ... (at most an hour apart); after this many attempts the delivery has failed.
    "NEWSLETTER_MAX_ATTEMPTS": 8,
    "NEWSLETTER_RETRY_SECONDS": 30,
    "NEWSLETTER_RETRY_MAX_SECONDS": 3600,
    # Seconds the main transport may fail without a message getting through (unreachable, or
    # refusing our sender) before the fallback (NEWSLETTER_FALLBACK_EMAIL_URL) takes over the
    # rest of the send (newsletter.sending.failover).
    "NEWSLETTER_FAILOVER_AFTER": 300,
    # Sends of fewer readers than this don't set the "last measured rate" that Review and
    # send projects a send's length from (the task queue's start-up dominates a tiny send).
    "NEWSLETTER_RATE_SAMPLE_MIN": 100,
    # How long a worker waits out a database that is unavailable before it gives up.
    "NEWSLETTER_DB_OUTAGE_SECONDS": 300,
    # A scheduled issue found this long past its time (seconds or a timedelta) waits for an
    # editor, not sent late.
    "NEWSLETTER_LATE_AFTER": 6 * 60 * 60,
    # Engagement (newsletter.engagement) ------------------------------------------------------
    # Links in a sent issue go through /r/<token>/ and clicks are counted (False: direct links).
    "NEWSLETTER_CLICK_TRACKING": True,
    # "per-subscriber": each click names the delivery (unique clickers); "aggregate": counts
    # only, no delivery stored.
    "NEWSLETTER_ANALYTICS_PRIVACY": "per-subscriber",
    # Days after an issue was sent that its per-reader click rows are kept, then rolled up
    # into daily counts and deleted.
    "NEWSLETTER_CLICK_RETENTION_DAYS": 90,
    # Clicks are kept in memory and written this often (seconds) by a background thread of the
    # web process; None: only when flush() is called (tests).
    "NEWSLETTER_CLICK_FLUSH_SECONDS": 1.0,
    # A tracking pixel in each issue (opens are an estimate; off by default).
    "NEWSLETTER_OPEN_TRACKING": False,
}

setting = accessor(DEFAULTS)


def parse_clock(value):
    """A time of day from ``value``: "17:00", "7:30" or a ``datetime.time``; None for None or
    "". Raises ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.time):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a time of day")
    hours, colon, minutes = value.strip().partition(":")
    if not (colon and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{value!r} is not a time of day")
    return datetime.time(int(hours), int(minutes))  # ValueError past 23:59


def prepare_at():
    """``NEWSLETTER_PREPARE_AT`` as a ``datetime.time``, or None when it is off."""
    return parse_clock(setting("NEWSLETTER_PREPARE_AT"))
