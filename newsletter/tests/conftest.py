import datetime
import html
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from newsletter.factories import SubscriberFactory
from newsletter.models import Subscriber

from .hostile import report_inputs_tried

SUBSCRIBE = "/newsletter/subscribe/"


@pytest.fixture(autouse=True)
def _fresh_click_memos():
    """The click redirect's per-process memos and buffer must not leak between tests (ids
    are reused after a rollback)."""
    from newsletter.engagement import links, recording

    links.forget()
    recording.discard()
    yield
    links.forget()
    recording.discard()


@pytest.fixture
def signup(client):
    """Post the sign-up form as a reader's browser would; returns the response."""

    def post(email, ip="203.0.113.7", **extra):
        data = {"email": email, "website": "", "source_url": "/news/a-story/", **extra}
        return client.post(SUBSCRIBE, data, REMOTE_ADDR=ip)

    return post


def text(response):
    """The page as a reader reads it: entities such as &#x27; turned back into characters."""
    return html.unescape(response.content.decode())


def links(message, word):
    """Absolute links in the plain-text body that contain ``word``."""
    return [url for url in re.findall(r"https?://[^\s\"'<>]+", message.body) if word in url]


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def mails_to(address):
    return [message for message in mail.outbox if address in message.to]


def subscriber(email):
    return Subscriber.objects.with_email(email).get()


@pytest.fixture
def active(db):
    return SubscriberFactory(email="active@example.org")


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user("mo", "mo@example.com", "pw")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def admin_url(name, *args):
    return reverse(f"subscribers:{name}", args=args)


# The hostile-input modules (test_hostile_input.py, test_hostile_admin.py) ----------------------


@pytest.fixture(scope="module")
def hostile_report(request):
    """After a hostile-input module: how many inputs were tried so far."""
    yield
    report_inputs_tried(request.config)


@pytest.fixture
def open_limits(settings):
    """Rate limits out of the way: this is about content, not volume (tested elsewhere)."""
    settings.NEWSLETTER_SIGNUP_LIMITS = (("client", 10**6, 60), ("email", 10**6, 60))
    settings.NEWSLETTER_PREFERENCE_LIMIT = (10**6, 60)
    settings.NEWSLETTER_RESEND_WINDOW = datetime.timedelta(0)
