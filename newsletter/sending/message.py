"""One campaign's message, built and serialised once, then made personal per recipient.

The snapshot's HTML and text keep placeholders where each reader's own links go. The MIME
message is built once with both parts in 8bit transfer encoding (so the placeholders survive
serialisation as they are), and every line kept well under SMTP's 998-byte limit. For each
recipient only a few headers are added and the placeholders replaced in the bytes: nothing is
rendered again per person.

``raw_for`` gives bytes ready for SMTP's DATA (CRLF line ends, dot-stuffed, terminated);
``email_for`` gives an ``EmailMultiAlternatives`` with the same headers and parts, for mail
backends that are not SMTP (the in-memory backend in tests, the file outbox, API providers).
"""

import email.policy
import re
import time
import uuid
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr

from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from newsletter import tokens

UNSUBSCRIBE = "[[UNSUBSCRIBE_URL]]"
PREFERENCES = "[[PREFERENCES_URL]]"
# Lines are wrapped well below 998 bytes, counting each placeholder as the longest link
# that may replace it.
LINE_LIMIT = 990
LINK_ALLOWANCE = 200
_BREAK_AFTER = re.compile(rb"[>\s]")


def _weight(line):
    return len(line) + LINK_ALLOWANCE * (
        line.count(UNSUBSCRIBE.encode()) + line.count(PREFERENCES.encode())
    )


def _split_line(line):
    """Split one long line (bytes) after a tag's ``>`` or at white space."""
    pieces = []
    while _weight(line) > LINE_LIMIT:
        budget = LINE_LIMIT - LINK_ALLOWANCE * 2
        cut = max((m.end() for m in _BREAK_AFTER.finditer(line, 0, budget)), default=0)
        if cut <= 0:
            # Nothing to break at (a very long word): cut between UTF-8 characters.
            cut = budget
            while cut > 0 and 0x80 <= line[cut] < 0xC0:
                cut -= 1
        pieces.append(line[:cut].rstrip(b" \t"))
        line = line[cut:]
    pieces.append(line)
    return pieces


def wrap_lines(text):
    """``text`` with every line short enough for SMTP. Breaks go after a tag's ``>`` or at
    white space, which HTML renders as a space at most (and plain text as a line break)."""
    if all(_weight(line) <= LINE_LIMIT for line in text.encode().splitlines()):
        return text
    lines = []
    for line in text.encode().splitlines():
        lines.extend(_split_line(line) if _weight(line) > LINE_LIMIT else [line])
    return b"\n".join(lines).decode()


class Links:
    """Each reader's unsubscribe and preferences links, made as ``newsletter.tokens`` makes
    them but with the signers and URL prefixes prepared once for a whole batch."""

    def __init__(self, newsletter_settings):
        self.unsubscribe_signer = signing.Signer(salt=tokens.UNSUBSCRIBE_SALT)
        self.preferences_signer = signing.Signer(salt=tokens.PREFERENCES_SALT)
        self.unsubscribe_prefix, self.unsubscribe_suffix = self._url_parts("unsubscribe")
        self.preferences_prefix, self.preferences_suffix = self._url_parts("preferences")
        self.mailbox = newsletter_settings.unsubscribe_mailbox

    @staticmethod
    def _url_parts(name):
        marker = "TOKEN0MARKER"
        url = tokens.absolute_url(reverse(f"newsletter:{name}", args=[marker]))
        prefix, _, suffix = url.partition(marker)
        return prefix, suffix

    def for_subscriber(self, subscriber_id):
        """``(unsubscribe URL, preferences URL)``; None gives harmless example links."""
        if subscriber_id is None:
            return (f"{self.unsubscribe_prefix}example{self.unsubscribe_suffix}",
                    f"{self.preferences_prefix}example{self.preferences_suffix}")
        pk = str(subscriber_id)
        return (
            f"{self.unsubscribe_prefix}{self.unsubscribe_signer.sign(pk)}"
            f"{self.unsubscribe_suffix}",
            f"{self.preferences_prefix}{self.preferences_signer.sign(pk)}"
            f"{self.preferences_suffix}",
        )

    def list_unsubscribe(self, unsubscribe_url):
        """RFC 2369 and RFC 8058 headers, as ``tokens.list_unsubscribe_headers`` makes them."""
        targets = [f"<{unsubscribe_url}>"]
        if self.mailbox:
            targets.append(f"<mailto:{self.mailbox}?subject=unsubscribe>")
        return {
            "List-Unsubscribe": ", ".join(targets),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }


class FrozenMessage:
    """The campaign's message, serialised once; personal copies are cheap to make."""

    def __init__(self, *, subject, html, text, from_email, reply_to="", list_name="daily",
                 newsletter_settings=None):
        from newsletter.models import NewsletterSettings

        newsletter_settings = newsletter_settings or NewsletterSettings.load()
        self.subject = subject
        self.html = wrap_lines(html)
        self.text = wrap_lines(text)
        self.from_email = from_email
        self.envelope_from = parseaddr(from_email)[1]
        self.domain = self.envelope_from.rpartition("@")[2] or "localhost"
        self.reply_to = reply_to
        name = parseaddr(from_email)[0] or newsletter_settings.from_name
        self.list_id = formataddr((name, f"{list_name}.{self.domain}"))
        self.links = Links(newsletter_settings)
        self._date = (0, "")
        self.head, self.body = self._serialise()

    @classmethod
    def for_campaign(cls, campaign, newsletter_settings=None):
        from newsletter.models import NewsletterSettings

        newsletter_settings = newsletter_settings or NewsletterSettings.load()
        snapshot = campaign.snapshot
        sender = newsletter_settings.sender
        if campaign.from_name:
            sender = formataddr((campaign.from_name, parseaddr(sender)[1]))
        return cls(
            subject=snapshot.subject, html=snapshot.html, text=snapshot.text,
            from_email=sender, reply_to=campaign.reply_to or newsletter_settings.reply_to,
            list_name=campaign_list_slug(campaign), newsletter_settings=newsletter_settings,
        )

    def _serialise(self):
        """The shared headers and the dot-stuffed MIME body with placeholders, as bytes."""
        message = EmailMessage(policy=email.policy.SMTP)
        message["Subject"] = self.subject
        message["From"] = self.from_email
        if self.reply_to:
            message["Reply-To"] = self.reply_to
        message["List-Id"] = self.list_id
        message.set_content(self.text, subtype="plain", charset="utf-8", cte="8bit")
        message.add_alternative(self.html, subtype="html", charset="utf-8", cte="8bit")
        for part in message.iter_parts():
            del part["MIME-Version"]
        raw = message.as_bytes()
        head, _, body = raw.partition(b"\r\n\r\n")
        # SMTP's transparency rule, applied once: a line starting with "." gets another.
        body = re.sub(rb"(?m)^\.", b"..", body)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        return head + b"\r\n", b"\r\n" + body + b".\r\n"

    # Per recipient

    def date(self):
        now = int(time.time())
        if self._date[0] != now:
            self._date = (now, formatdate(now, usegmt=True))
        return self._date[1]

    def message_id(self):
        return f"<{uuid.uuid4().hex}@{self.domain}>"

    def personal_headers(self, address, subscriber_id):
        unsubscribe_url, preferences_url = self.links.for_subscriber(subscriber_id)
        headers = {"To": address, "Date": self.date(), "Message-ID": self.message_id(),
                   **self.links.list_unsubscribe(unsubscribe_url)}
        return headers, unsubscribe_url, preferences_url

    def raw_for(self, address, subscriber_id):
        """The message to ``address`` as SMTP DATA bytes (CRLF, dot-stuffed, ending ``.``)."""
        headers, unsubscribe_url, preferences_url = self.personal_headers(
            address, subscriber_id)
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items()).encode()
        body = self.body.replace(b"[[UNSUBSCRIBE_URL]]", unsubscribe_url.encode()).replace(
            b"[[PREFERENCES_URL]]", preferences_url.encode())
        return head + self.head + body

    def email_for(self, address, subscriber_id):
        """The same message as an ``EmailMultiAlternatives``, for non-SMTP mail backends."""
        headers, unsubscribe_url, preferences_url = self.personal_headers(
            address, subscriber_id)
        del headers["To"]
        headers["List-Id"] = self.list_id

        def personal(text):
            return text.replace(UNSUBSCRIBE, unsubscribe_url).replace(
                PREFERENCES, preferences_url)

        message = EmailMultiAlternatives(
            subject=self.subject, body=personal(self.text), from_email=self.from_email,
            to=[address], reply_to=[self.reply_to] if self.reply_to else [], headers=headers,
        )
        message.attach_alternative(personal(self.html), "text/html")
        return message


def campaign_list_slug(campaign):
    """The slug of the list a campaign goes to, for its ``List-Id`` (e.g. ``daily``)."""
    from newsletter.models import MailingList

    list_pk = (campaign.audience or "").split("/")[0]
    if list_pk.isdigit():
        slug = MailingList.objects.filter(pk=int(list_pk)).values_list("slug", flat=True).first()
        if slug:
            return slug
    return "daily"
