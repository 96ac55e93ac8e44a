"""The newsletter app's defaults (newsletter/conf.py) that follow other settings."""

import datetime

from django.conf import settings as django_settings

from newsletter.conf import setting


def test_send_connections_follow_the_database(monkeypatch, settings):
    database = django_settings.DATABASES["default"]
    monkeypatch.setitem(database, "ENGINE", "django.db.backends.sqlite3")
    assert setting("NEWSLETTER_SEND_CONNECTIONS") == 1  # two threads mostly wait on SQLite
    monkeypatch.setitem(database, "ENGINE", "django.db.backends.postgresql")
    assert setting("NEWSLETTER_SEND_CONNECTIONS") == 2
    settings.NEWSLETTER_SEND_CONNECTIONS = 4
    assert setting("NEWSLETTER_SEND_CONNECTIONS") == 4


def test_a_relay_on_another_machine_gets_enough_connections_not_to_wait_on_round_trips(
    monkeypatch, settings
):
    database = django_settings.DATABASES["default"]
    monkeypatch.setitem(database, "ENGINE", "django.db.backends.sqlite3")
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    for host, connections in (("smtp.mailgun.org", 32), ("127.0.0.1", 1), ("localhost", 1)):
        settings.MAILERS = {
            **settings.MAILERS,
            "newsletter": {"BACKEND": smtp, "OPTIONS": {"host": host, "port": 587}},
        }
        assert setting("NEWSLETTER_SEND_CONNECTIONS") == connections, host
    # An API provider (anymail) is not an SMTP relay: the database's default.
    settings.MAILERS = {
        **settings.MAILERS,
        "newsletter": {"BACKEND": "anymail.backends.mailgun.EmailBackend", "OPTIONS": {}},
    }
    assert setting("NEWSLETTER_SEND_CONNECTIONS") == 1
    settings.NEWSLETTER_SEND_CONNECTIONS = 8
    assert setting("NEWSLETTER_SEND_CONNECTIONS") == 8


def test_durations_are_timedeltas():
    assert setting("NEWSLETTER_CONFIRM_MAX_AGE") == datetime.timedelta(days=3)
    assert setting("NEWSLETTER_RESEND_WINDOW") == datetime.timedelta(minutes=10)
