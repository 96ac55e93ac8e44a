"""The issue as it arrives: the raw bytes an SMTP server received, parsed strictly, decode to
the snapshot's HTML and text exactly (with each reader's links); the CSS in them parses; the
mail is 7-bit for a server without 8BITMIME; and the test send is that same message."""

import re

import pytest
import tinycss2
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup, Comment

from news.factories import ArticlePageFactory
from newsletter.campaign_backend import LocalCampaignBackend
from newsletter.engagement.tokens import link_token
from newsletter.factories import daily_list
from newsletter.issues.links import LINK_PATTERN
from newsletter.issues.rendering import PREFERENCES_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER
from newsletter.models import Campaign, Delivery, IssueSnapshot
from newsletter.sending import quoted
from newsletter.sending.orchestration import send_issue_now
from newsletter.subscriptions import tokens

from .mail_capture import Catcher, free_port, smtp_catcher, smtp_mailer, strictly
from .sending_helpers import no_failed_tasks, readers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_failed_tasks")]
__all__ = ["no_failed_tasks", "smtp_catcher"]
SITE = "https://www.lisas-top-ten-the-daily-newsletter.example"
GEORGIA = 'bold 22px/1.25 Georgia,"Times New Roman",serif'  # as tinycss2 writes it


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = settings.WAGTAILADMIN_BASE_URL = SITE


@pytest.fixture
def articles(news_index):
    """Ten stories with photos and long headlines, so the issue's lines are long (long image
    addresses) and its HTML has everything a re-wrap breaks."""
    return [
        ArticlePageFactory(
            parent=news_index,
            title=f"Story {n}: what the council decided about the bridge, the buses and "
            f"the {'very ' * n}long night of the floods",
            summary=f"What happened in story {n}, and why it matters to readers today.",
        )
        for n in range(1, 11)
    ]


@pytest.fixture
def issue_fields():
    return {"preheader": "", "intro": "Good morning!\n\nTen stories today."}


def decoded(message, subtype):
    return message.get_body((subtype,)).get_content().replace("\r\n", "\n")


def css_errors(nodes):
    """tinycss2's parse errors anywhere in ``nodes`` (bad strings, unclosed blocks, ...)."""
    errors = []
    for node in nodes:
        if node.type == "error":
            errors.append(node)
        for child in ("prelude", "content", "value", "arguments"):
            children = getattr(node, child, None)
            if isinstance(children, list):
                errors.extend(css_errors(children))
    return errors


def check_css(html):
    """Every ``<style>`` block and ``style`` attribute parses as CSS; returns the h2 fonts."""
    page = BeautifulSoup(html, "html.parser")
    for style in page.find_all("style"):
        rules = tinycss2.parse_stylesheet(style.string or "", skip_comments=True)
        assert not css_errors(rules), (css_errors(rules), style.string)
        for rule in rules:
            if rule.type == "qualified-rule":
                body = tinycss2.parse_blocks_contents(rule.content)
                assert not css_errors(body), tinycss2.serialize(rule.content)
    for tag in page.find_all(style=True):
        declarations = tinycss2.parse_blocks_contents(tag["style"])
        assert not css_errors(declarations), tag["style"]
    fonts = []
    for h2 in page.find_all("h2"):
        for declaration in tinycss2.parse_blocks_contents(h2["style"], skip_whitespace=True):
            if declaration.type == "declaration" and declaration.name == "font":
                fonts.append(tinycss2.serialize(declaration.value).strip())
    return fonts


def personal(text, reader, snapshot, delivery=None):
    """``text`` with ``reader``'s own links in place of the placeholders, as expected: each
    tracked link ``SITE/r/<token>/`` with ``delivery``'s token, or (no delivery: the test
    send) the link's own target."""
    links = {link.position: link for link in snapshot.links.all()}

    def link(found):
        row = links[int(found.group(1))]
        if delivery is None:
            return row.url
        return f"{SITE}/r/{link_token(row.pk, delivery.pk)}/"

    text = text.replace(UNSUBSCRIBE_PLACEHOLDER, tokens.unsubscribe_url(reader)).replace(
        PREFERENCES_PLACEHOLDER, tokens.preferences_url(reader)
    )
    return LINK_PATTERN.sub(link, text)


def comments(html):
    return [
        str(c)
        for c in BeautifulSoup(html, "html.parser").find_all(
            string=lambda s: isinstance(s, Comment)
        )
    ]


def test_the_sent_html_and_text_are_the_snapshots_exactly(smtp_catcher, issue):
    ann = readers("ann@example.org")[0]

    send_issue_now(issue)

    snapshot = IssueSnapshot.objects.get(issue=issue)
    delivery = Delivery.objects.get(subscriber=ann)
    [raw] = smtp_catcher.raw_to("ann@example.org")
    message = strictly(raw)
    html = decoded(message, "html")
    expected = personal(snapshot.html, ann, snapshot, delivery).replace("\r\n", "\n")
    # The issue's lines really are long: a line-wrapping sender had to break them.
    assert max(len(line) for line in snapshot.html.encode().splitlines()) > 998
    assert html == expected
    text = personal(snapshot.text, ann, snapshot, delivery).replace("\r\n", "\n")
    assert decoded(message, "plain") == text
    assert f'href="{tokens.unsubscribe_url(ann)}"' in html
    # What the old re-wrap broke: a CSS string, the preheader's spacer, Outlook's comments.
    assert check_css(html) == [GEORGIA] * 10
    assert html.count("&zwnj;") == snapshot.html.count("&zwnj;") == 40
    outlook = [c for c in comments(html) if c.startswith("[if mso | IE]>")]
    assert outlook and comments(html) == comments(snapshot.html)
    # On the wire: 7-bit, short lines, both parts quoted-printable.
    assert raw.isascii()
    head, body = raw.split(b"\r\n\r\n", 1)
    assert max(len(line) for line in body.split(b"\r\n")) <= 76  # RFC 2045's limit
    assert max(len(line) for line in head.split(b"\r\n")) < 998
    for part in message.get_body(("plain",)), message.get_body(("html",)):
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
        assert part["MIME-Version"] is None  # once, at the top
    assert message["MIME-Version"] == "1.0"


def test_a_server_without_8bitmime_gets_seven_bit_mail(settings, issue):
    catcher = Catcher(eight_bit=False)
    port = free_port()
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {**settings.MAILERS, "newsletter": smtp_mailer(port)}
    try:
        readers("ann@example.org")
        issue.preheader = "Floods · the bridge — and “the buses”"
        issue.save_revision().publish()
        send_issue_now(issue)
    finally:
        controller.stop()

    [(recipients, options, raw)] = catcher.messages
    assert options == []  # no BODY=8BITMIME to a server that didn't offer it
    assert all(byte < 0x80 for byte in raw)
    message = strictly(raw)
    assert "Floods · the bridge — and “the buses”" in decoded(message, "html")


def test_the_test_send_is_the_message_readers_get(smtp_catcher, issue):
    ann = readers("ann@example.org")[0]
    campaign = Campaign.objects.create(
        issue=issue, audience=str(daily_list().pk), subject=issue.get_newsletter_subject()
    )
    backend = LocalCampaignBackend()

    backend.send_test_email(campaign_id=str(campaign.pk), email=ann.email)
    send_issue_now(issue, campaign=campaign)

    test_raw, real_raw = smtp_catcher.raw_to(ann.email)
    test, real = strictly(test_raw), strictly(real_raw)
    assert test["Subject"] == "[Test] " + real["Subject"]
    for name in (
        "From",
        "Reply-To",
        "To",
        "List-Id",
        "Feedback-ID",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "MIME-Version",
    ):
        assert test[name] == real[name], name
    for subtype in ("plain", "html"):
        test_part, real_part = test.get_body((subtype,)), real.get_body((subtype,))
        assert test_part.items() == real_part.items()
    # The same text, but the test send's links go straight to their targets.
    snapshot = IssueSnapshot.objects.get(issue=issue)
    delivery = Delivery.objects.get(subscriber=ann)
    assert decoded(test, "html") == personal(snapshot.html, ann, snapshot).replace("\r\n", "\n")
    assert decoded(real, "html") == personal(snapshot.html, ann, snapshot, delivery).replace(
        "\r\n", "\n"
    )
    assert decoded(test, "plain") == personal(snapshot.text, ann, snapshot).replace("\r\n", "\n")
    images = [
        img["src"] for img in BeautifulSoup(decoded(real, "html"), "html.parser").find_all("img")
    ]
    assert len(images) == 10
    assert all(re.search(rf"/issues/{issue.issue_date}/\d\d-", src) for src in images)

    # Apart from the boundary, the per-message headers and the links, the bytes are the same.
    def body(raw):
        boundary = re.search(rb'boundary="([^"]+)"', raw).group(1)
        return raw.split(b"\r\n\r\n", 1)[1].replace(boundary, b"BOUNDARY")

    def without(raw, urls):
        # A link fills whole encoded lines: it starts a line, a (soft) line break ends it.
        out = body(raw)
        for url in sorted(urls, key=len, reverse=True):
            encoded = re.escape(quoted.link(url).encode())
            out = re.sub(rb"(?<=\r\n)" + encoded + rb"(?==?\r\n)", b"LINK", out)
        return out

    rows = list(snapshot.links.all())
    tracked = [f"{SITE}/r/{link_token(row.pk, delivery.pk)}/" for row in rows]
    assert without(test_raw, [row.url for row in rows]) == without(real_raw, tracked)


def test_a_published_issue_is_tested_as_it_will_be_sent(smtp_catcher, issue):
    """What goes out is what is published, so a newer draft is not what the test shows."""
    ann = readers("ann@example.org")[0]
    campaign = Campaign.objects.create(
        issue=issue, audience=str(daily_list().pk), subject=issue.get_newsletter_subject()
    )
    issue.intro = "A newer draft nobody has published."
    issue.save_revision()

    LocalCampaignBackend().send_test_email(campaign_id=str(campaign.pk), email=ann.email)

    [test_raw] = smtp_catcher.raw_to(ann.email)
    html = decoded(strictly(test_raw), "html")
    assert "Ten stories today." in html
    assert "A newer draft nobody has published." not in html
