"""Hostile input, generated with hypothesis, at the forms and links readers use.

Sign-up, confirm, unsubscribe and preferences, and search, given malformed, oversized,
Unicode and right-to-left, CR/LF-injected, HTML and SQL payloads (``hostile.py``). Whatever
comes in: never a 500 (the test client raises the error), no script echoed back or stored and
shown later, and no email unless one is due. The editors' forms: ``test_hostile_admin.py``.
"""

import re
from urllib.parse import quote

import pytest
from django.core import mail
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from newsletter.factories import SubscriberFactory
from newsletter.models import Subscriber
from newsletter.subscriptions import tokens

from .conftest import admin_url
from .hostile import HOSTILE, SAVED, TRIED, assert_safe, text_payloads, text_without_nul

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("hostile_report")]
Status = Subscriber.Status


# Readers -----------------------------------------------------------------------------------


@HOSTILE
@given(
    email=st.one_of(text_payloads, st.emails()),
    source_url=text_payloads,
    website=st.sampled_from(["", "x"]),
)
def test_sign_up(client, editor, open_limits, email, source_url, website):
    mail.outbox.clear()
    TRIED["sign-up"] += 1

    response = client.post(
        "/newsletter/subscribe/", {"email": email, "source_url": source_url, "website": website}
    )

    assert_safe(response, 200, 400)
    if response.status_code == 400 or website:
        assert mail.outbox == []
        return
    SAVED["sign-up"] += 1
    [message] = mail.outbox
    [address] = message.to
    reader = Subscriber.objects.with_email(address).get()
    for header in (address, message.subject, *message.extra_headers.values()):
        assert not re.search(r"[\r\n\x00]", str(header))
    # What was stored (the address, the page it came from) is safe in the admin too.
    admin = Client()
    admin.force_login(editor)
    assert_safe(admin.get(admin_url("edit", reader.pk)), 200)
    assert_safe(admin.get(admin_url("history", reader.pk)), 200)


@HOSTILE
@given(
    token=text_payloads,
    kind=st.sampled_from(["confirm", "unsubscribe", "preferences"]),
    method=st.sampled_from(["get", "post"]),
)
def test_emailed_links_with_a_hostile_token(client, kind, token, method):
    reader = SubscriberFactory(status=Status.PENDING, consent_at=None)
    mail.outbox.clear()
    TRIED[f"{kind} link"] += 1

    response = getattr(client, method)(
        f"/newsletter/{kind}/{quote(token, safe='')}/",
        {"action": "unsubscribe", "List-Unsubscribe": "One-Click"},
    )

    assert_safe(response, 400, 404)
    reader.refresh_from_db()
    assert reader.status == Status.PENDING
    assert mail.outbox == []


@HOSTILE
@given(action=text_payloads, weeks=text_payloads, done=text_payloads, header=text_payloads)
def test_preferences_and_unsubscribe_forms(client, open_limits, action, weeks, done, header):
    reader = SubscriberFactory()
    mail.outbox.clear()
    preferences = f"/newsletter/preferences/{tokens.preferences_token(reader)}/"
    TRIED["preferences"] += 3

    assert_safe(client.get(preferences, {"done": done}), 200)
    response = client.post(preferences, {"action": action, "weeks": weeks})
    assert_safe(response, 303, 400)
    if response.status_code == 400:
        reader.refresh_from_db()
        assert reader.status == Status.ACTIVE and not reader.paused
    response = client.post(
        f"/newsletter/unsubscribe/{tokens.unsubscribe_token(reader)}/", {"List-Unsubscribe": header}
    )
    assert_safe(response, 200)
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED
    assert mail.outbox == []


@HOSTILE
@given(query=text_without_nul, page=text_without_nul)
def test_search(client, news_index, query, page):
    TRIED["search"] += 1
    assert_safe(client.get("/search/", {"q": query, "page": page}), 200)


def test_search_for_a_nul_character(client, news_index):
    TRIED["search"] += 1
    assert_safe(client.get("/search/", {"q": "a\x00b"}), 200)
