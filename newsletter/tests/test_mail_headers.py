"""The headers of every mail on every transport, read from the raw bytes it wrote: a plain
RFC 2369 List-Unsubscribe with RFC 8058's one-click header, Message-IDs at the sender's
domain, RFC 5322 dates, Feedback-ID on the issue, one MIME-Version; the hidden preheader and
the welcome mail's promise."""

import datetime
import io

import pytest
import tinycss2
from bs4 import BeautifulSoup
from django.utils import timezone

from newsletter.factories import SubscriberFactory
from newsletter.issues.rendering import render_issue_html
from newsletter.models import Campaign, NewsletterSettings
from newsletter.sending.tasks import send_campaign
from newsletter.subscriptions import tokens
from newsletter.subscriptions.emails import send_already_subscribed, send_welcome

from .mail_capture import (
    postmark,
    raw_header,
    smtp_catcher,
    strictly,
    unsubscribe_targets,
)
from .sending_helpers import frozen_campaign, no_failed_tasks, readers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_failed_tasks")]
__all__ = ["no_failed_tasks", "postmark", "smtp_catcher"]
SITE = "https://www.lisas-top-ten-the-daily-newsletter.example"
MAILBOX = "unsubscribe@lisastopten.example"


@pytest.fixture(autouse=True)
def sender(settings):
    settings.SITE_URL = SITE
    newsletter = NewsletterSettings.load()
    newsletter.from_email = "lisa@lisastopten.example"
    newsletter.unsubscribe_email = MAILBOX
    newsletter.save()


def check_unsubscribe(raw, subscriber):
    """The raw bytes' List-Unsubscribe is a plain list with this reader's https link."""
    written = raw_header(raw, "List-Unsubscribe")
    assert "=?" not in written  # no RFC 2047 encoded-word
    message = strictly(raw)
    assert unsubscribe_targets(message["List-Unsubscribe"]) == [
        tokens.unsubscribe_url(subscriber),
        f"mailto:{MAILBOX}?subject=unsubscribe",
    ]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return message


def check_common(message):
    assert message["Message-ID"].endswith("@lisastopten.example>")
    assert message["Date"].endswith(" +0000")
    for part in message.walk():
        if part is not message:
            assert part["MIME-Version"] is None
    assert message["MIME-Version"] == "1.0"


def outbox_files(settings, tmp_path, alias):
    settings.MAILERS = {
        **settings.MAILERS,
        alias: {"BACKEND": "config.mail.OutboxBackend", "OPTIONS": {"file_path": str(tmp_path)}},
    }


def console(settings, alias):
    stream = io.StringIO()
    settings.MAILERS = {
        **settings.MAILERS,
        alias: {
            "BACKEND": "django.core.mail.backends.console.EmailBackend",
            "OPTIONS": {"stream": stream},
        },
    }
    return stream


def from_console(stream):
    return [
        chunk.strip("\n").replace("\n", "\r\n").encode() + b"\r\n"
        for chunk in stream.getvalue().split("-" * 79)
        if chunk.strip()
    ]


@pytest.mark.parametrize("send", [send_welcome, send_already_subscribed])
def test_transactional_mail_headers_over_smtp_and_the_outbox(
    send, smtp_catcher, settings, tmp_path
):
    reader = SubscriberFactory(email="ann@example.org")

    send(reader)
    outbox_files(settings, tmp_path, "default")
    send(reader)

    [smtp_raw] = smtp_catcher.raw_to("ann@example.org")
    [eml] = [path.read_bytes() for path in tmp_path.glob("*.eml")]
    for raw in smtp_raw, eml.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"):
        check_common(check_unsubscribe(raw, reader))
    assert all(byte < 0x80 for byte in smtp_raw)  # 7-bit, whatever the server offers


def test_the_issue_headers_on_every_newsletter_transport(smtp_catcher, settings, tmp_path):
    ann = readers("ann@example.org")[0]
    raws = []
    send_campaign.enqueue(frozen_campaign([ann]).pk)
    raws += smtp_catcher.raw_to(ann.email)
    outbox_files(settings, tmp_path, "newsletter")
    send_campaign.enqueue(frozen_campaign([ann]).pk)
    raws += [path.read_bytes() for path in tmp_path.glob("*.eml")]
    stream = console(settings, "newsletter")
    send_campaign.enqueue(frozen_campaign([ann]).pk)
    raws += from_console(stream)

    assert len(raws) == 3
    for raw in raws:
        message = check_unsubscribe(raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), ann)
        check_common(message)
        assert message["Feedback-ID"].endswith(":daily:newsletter:lisastopten.example")


def test_an_api_provider_gets_the_plain_headers_and_the_snapshots_html(settings, postmark):
    ann = readers("ann@example.org")[0]
    html = (
        "<p style=\"font:bold 22px/1.25 Georgia,'Times New Roman',serif\">"
        + ("A long line of the issue " * 60)
        + '</p><a href="[[UNSUBSCRIBE_URL]]">Leave</a>'
    )
    campaign = frozen_campaign([ann], html=html)

    send_campaign.enqueue(campaign.pk)

    [(path, payload)] = postmark
    headers = {item["Name"]: item["Value"] for item in payload["Headers"]}
    assert unsubscribe_targets(headers["List-Unsubscribe"])[0] == tokens.unsubscribe_url(ann)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Feedback-ID"] == (
        f"{campaign.snapshot.issue_date}:daily:newsletter:lisastopten.example"
    )
    assert payload["HtmlBody"] == html.replace("[[UNSUBSCRIBE_URL]]", tokens.unsubscribe_url(ann))


def test_the_preheader_is_hidden_without_low_contrast_text(site):
    from newsletter.factories import issue_with_ten_stories

    news_index, issue_index = site
    issue = issue_with_ten_stories(issue_index, news_index, preheader="Floods and buses")
    page = BeautifulSoup(render_issue_html(issue), "html.parser")
    [hidden] = [
        div
        for div in page.find_all("div")
        if "Floods and buses" in div.get_text() and "display:none" in div.get("style", "")
    ]
    style = {
        d.name: tinycss2.serialize(d.value).strip()
        for d in tinycss2.parse_blocks_contents(hidden["style"], skip_whitespace=True)
        if d.type == "declaration"
    }
    assert style["display"] == "none" and style["mso-hide"] == "all"
    assert style["max-height"] in ("0", "0px") and style["overflow"] == "hidden"
    assert style["opacity"] == "0"
    assert "color" not in style  # white-on-white text is what spam filters score


def test_the_welcome_mail_promises_only_the_next_issue(settings):
    from django.core import mail

    reader = SubscriberFactory(email="ann@example.org")
    send_welcome(reader)
    when = timezone.now() + datetime.timedelta(hours=3)
    Campaign.objects.create(
        subject="Tomorrow", status=Campaign.Status.SCHEDULED, scheduled_for=when
    )
    send_welcome(reader)

    first, second = mail.outbox
    for message in first, second:
        assert "tomorrow" not in message.body.lower()
        assert "Your first issue is the next one we send" in message.body
    local = timezone.localtime(when)
    assert f"due on {local:%A} {local.day} {local:%B %Y} at {local:%H:%M}" in second.body
