"""One campaign's message, built and serialised once, then made personal per recipient.

The snapshot's HTML and text keep placeholders where each reader's own links go. The MIME
message is built once, both parts quoted-printable (``quoted``): 7-bit, every line at most
76 characters, and decoding gives back the snapshot's HTML and text exactly. For each
recipient only a few headers are added and the placeholders replaced in the bytes: nothing is
rendered or encoded again per person. The body is cut at its placeholders once (``slots``);
a copy is the pieces joined with that reader's links.

Tracked links (``[[LINK:7]]``, see ``newsletter.issues.links``) become ``SITE_URL/r/<token>/``
with the token of link 7 and the reader's delivery (``newsletter.engagement.tokens``). A test
send (``direct_links``) and a send with ``NEWSLETTER_CLICK_TRACKING`` off put each link's own
target there instead, the same in every copy, so those are filled in once.

``raw_for`` gives bytes ready for SMTP's DATA (CRLF line ends, terminated; no line starts with
a dot, so there is nothing to stuff); ``email_for`` gives an ``EmailMultiAlternatives`` whose
``message()`` is those same bytes, for mail backends that are not SMTP (the in-memory backend
in tests, the file outbox, the console), with the parts and headers also as attributes for API
providers (django-anymail).
"""

import email.policy
import logging
import re
import time
import uuid
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.encoding import punycode

from newsletter import mailformat
from newsletter.conf import setting
from newsletter.engagement.open_tokens import open_token
from newsletter.issues.links import LINK_PATTERN, placeholders_in
from newsletter.issues.rendering import OPEN_PLACEHOLDER as OPEN
from newsletter.issues.rendering import PREFERENCES_PLACEHOLDER as PREFERENCES
from newsletter.issues.rendering import UNSUBSCRIBE_PLACEHOLDER as UNSUBSCRIBE
from newsletter.models import MailingList, NewsletterSettings
from newsletter.sending import quoted
from newsletter.sending.personal import Links

logger = logging.getLogger(__name__)

PLACEHOLDERS = (UNSUBSCRIBE, PREFERENCES, OPEN)
SMTP = email.policy.SMTP
# A personal link's placeholder in the encoded body: it starts a line (``quoted``).
SLOT = re.compile(rb"\[\[(UNSUBSCRIBE_URL|PREFERENCES_URL|OPEN|LINK:\d+)\]\]")
UNSUBSCRIBE_SLOT, PREFERENCES_SLOT, OPEN_SLOT = -1, -2, -3
# Where a test send's pixel points: a transparent GIF in the message itself (no request).
BLANK_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


class FrozenEmail(EmailMultiAlternatives):
    """One reader's copy for a non-SMTP backend. Backends that write MIME (file outbox,
    console, in-memory, Django's SMTP for international addresses) call ``message()`` and get
    the frozen bytes; API providers read the parts and headers as usual."""

    raw = b""

    def message(self, *, policy=email.policy.default):
        # The headers are folded already: parse them as they are, so nothing is re-encoded.
        return email.message_from_bytes(self.raw, policy=policy.clone(max_line_length=None))


class FrozenMessage:
    """The campaign's message, serialised once; personal copies are cheap to make."""

    def __init__(
        self,
        *,
        subject,
        html,
        text,
        from_email,
        reply_to="",
        list_name="daily",
        newsletter_settings=None,
        feedback_id="",
        links=None,
        direct_links=False,
        snapshot_id=None,
    ):
        """``links`` maps each link placeholder's position to ``(TrackedLink id, target)``
        (the id None for a link not saved); ``direct_links`` puts every target in as it is."""
        newsletter_settings = newsletter_settings or NewsletterSettings.load()
        self.subject = subject
        self.html = html
        self.text = text
        self.from_email = from_email
        self.envelope_from = parseaddr(from_email)[1]
        self.domain = mailformat.sender_domain(from_email)
        self.reply_to = reply_to
        name = parseaddr(from_email)[0] or newsletter_settings.from_name
        self.list_id = formataddr((name, f"{list_name}.{self.domain}"))
        self.feedback_id = feedback_id
        self.links = Links(newsletter_settings)
        # The pixel's issue: only a real send's copies load it.
        self.open_snapshot_id = None if direct_links else snapshot_id
        self._date = (0, "")
        tracked = not direct_links and setting("NEWSLETTER_CLICK_TRACKING")
        self.link_urls, self.link_ids = {}, {}
        for position, (link_id, url) in (links or {}).items():
            self.link_urls[position] = url
            if tracked and link_id is not None:
                self.link_ids[position] = link_id
        self.head, self.body = self._serialise()
        self.first, self.slots = self._slots()
        self.slot_links = [slot for slot, _following in self.slots if slot >= 0]

    @classmethod
    def for_campaign(
        cls,
        campaign,
        newsletter_settings=None,
        *,
        snapshot=None,
        subject_prefix="",
        direct_links=False,
    ):
        """The message of ``campaign``'s snapshot (or of ``snapshot``, an issue frozen for a
        test send, whose subject then starts with ``subject_prefix``). ``direct_links``: every
        link goes straight to its target (the test send), none through ``/r/``."""
        newsletter_settings = newsletter_settings or NewsletterSettings.load()
        snapshot = snapshot or campaign.snapshot
        if snapshot.pk:
            rows = snapshot.links.values_list("position", "pk", "url")
        else:  # frozen for a test send: its links, unsaved
            rows = [
                (link.position, link.pk, link.url)
                for link in getattr(snapshot, "tracked_links", ())
            ]
        links = {position: (pk, url) for position, pk, url in rows}
        # From and Reply-To are Settings > Newsletter's, as the review step shows them; not
        # what wagtail-newsletter saved on the campaign (its environment defaults).
        sender = newsletter_settings.sender
        list_name = campaign_list_slug(campaign)
        return cls(
            subject=subject_prefix + snapshot.subject,
            html=snapshot.html,
            text=snapshot.text,
            from_email=sender,
            reply_to=newsletter_settings.reply_to,
            list_name=list_name,
            newsletter_settings=newsletter_settings,
            feedback_id=feedback_id(snapshot.issue_date, list_name, sender),
            links=links,
            direct_links=direct_links,
            snapshot_id=snapshot.pk,
        )

    def _serialise(self):
        """The shared headers and the MIME body with placeholders, as bytes."""
        headers = EmailMessage(policy=SMTP)
        headers["Subject"] = self.subject
        headers["From"] = self.from_email
        if self.reply_to:
            headers["Reply-To"] = self.reply_to
        headers["List-Id"] = self.list_id
        if self.feedback_id:
            headers["Feedback-ID"] = self.feedback_id
        # "=_" never occurs in quoted-printable, so the parts can't contain the boundary.
        boundary = f"=_{uuid.uuid4().hex}"
        headers["MIME-Version"] = "1.0"
        headers["Content-Type"] = f'multipart/alternative; boundary="{boundary}"'
        head = b"".join(SMTP.fold_binary(name, value) for name, value in headers.items())
        links = placeholders_in(self.html, self.text)
        parts = []
        for subtype, content in (("plain", self.text), ("html", self.html)):
            parts.append(
                f"--{boundary}\r\n"
                f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                f"{quoted.encode(content, (*PLACEHOLDERS, *links))}\r\n"
            )
        body = "\r\n" + "".join(parts) + f"--{boundary}--\r\n"
        return head, body.encode("ascii")

    def _slots(self):
        """The body cut at its personal links: the first piece of bytes, then ``(slot, bytes)``
        pairs, a slot being a ``TrackedLink`` id or ``UNSUBSCRIBE_SLOT``/``PREFERENCES_SLOT``.
        Links that are the same in every copy (direct ones) are filled in here, once."""
        pieces = SLOT.split(self.body)
        first, slots = pieces[0], []
        for name, following in zip(pieces[1::2], pieces[2::2], strict=True):
            name = name.decode()
            if name == "UNSUBSCRIBE_URL":
                slots.append((UNSUBSCRIBE_SLOT, following))
                continue
            if name == "PREFERENCES_URL":
                slots.append((PREFERENCES_SLOT, following))
                continue
            if name == "OPEN" and self.open_snapshot_id is not None:
                slots.append((OPEN_SLOT, following))
                continue
            if name == "OPEN":
                fixed = quoted.link(BLANK_GIF).encode() + following
                if slots:
                    slots[-1] = (slots[-1][0], slots[-1][1] + fixed)
                else:
                    first += fixed
                continue
            position = int(name.partition(":")[2])
            if position in self.link_ids:
                slots.append((self.link_ids[position], following))
                continue
            fixed = quoted.link(self.direct(position)).encode() + following
            if slots:
                slots[-1] = (slots[-1][0], slots[-1][1] + fixed)
            else:
                first += fixed
        return first, slots

    def open_url(self, delivery_id):
        """The tracking pixel of delivery ``delivery_id``'s copy (``/o/<token>.gif``)."""
        token = open_token(self.open_snapshot_id, delivery_id)
        return mailformat.absolute_url(reverse("open-pixel", args=[token]))

    def direct(self, position):
        """Where link ``position`` goes without tracking (the home page if it has no row)."""
        return self.link_urls.get(position) or mailformat.absolute_url("/")

    # Per recipient

    def date(self):
        now = int(time.time())
        if self._date[0] != now:
            self._date = (now, mailformat.rfc5322_date(now))
        return self._date[1]

    def message_id(self):
        return mailformat.message_id(self.domain)

    def personal_headers(self, address, subscriber_id):
        unsubscribe_url, preferences_url = self.links.for_subscriber(subscriber_id)
        headers = {
            "To": address,
            "Date": self.date(),
            "Message-ID": self.message_id(),
            **self.links.list_unsubscribe(unsubscribe_url),
        }
        return headers, unsubscribe_url, preferences_url

    def _personal_bytes(self, headers, unsubscribe_url, preferences_url, delivery_id):
        head = b"".join(
            value.fold(policy=SMTP).encode()
            if hasattr(value, "fold")
            else f"{name}: {value}\r\n".encode()
            for name, value in headers.items()
        )
        filled = {
            UNSUBSCRIBE_SLOT: quoted.link(unsubscribe_url).encode(),
            PREFERENCES_SLOT: quoted.link(preferences_url).encode(),
        }
        if self.open_snapshot_id is not None:
            filled[OPEN_SLOT] = quoted.link(self.open_url(delivery_id)).encode()
        clicks = iter(self.links.encoded_clicks(self.slot_links, delivery_id))
        pieces = [head, self.head, self.first]
        for slot, following in self.slots:
            pieces.append(filled[slot] if slot < 0 else next(clicks))
            pieces.append(following)
        return b"".join(pieces)

    def raw_for(self, address, subscriber_id, delivery_id=None):
        """The message to ``address`` as SMTP DATA bytes (CRLF, ending with ``.``); its
        tracked links carry ``delivery_id``."""
        headers = self.personal_headers(address, subscriber_id)
        return self._personal_bytes(*headers, delivery_id) + b".\r\n"

    def email_for(self, address, subscriber_id, delivery_id=None):
        """The same message as an ``EmailMultiAlternatives``, for non-SMTP mail backends."""
        headers, unsubscribe_url, preferences_url = self.personal_headers(address, subscriber_id)
        local, _, domain = address.rpartition("@")
        headers["To"] = f"{local}@{punycode(domain)}" if local else address
        raw = self._personal_bytes(headers, unsubscribe_url, preferences_url, delivery_id)
        del headers["To"]
        headers["List-Id"] = self.list_id
        if self.feedback_id:
            headers["Feedback-ID"] = self.feedback_id

        def link(found):
            position = int(found.group(1))
            if position in self.link_ids:
                return self.links.click(self.link_ids[position], delivery_id)
            return self.direct(position)

        pixel = BLANK_GIF if self.open_snapshot_id is None else self.open_url(delivery_id)

        def personal(text):
            text = text.replace(UNSUBSCRIBE, unsubscribe_url).replace(PREFERENCES, preferences_url)
            return LINK_PATTERN.sub(link, text.replace(OPEN, pixel))

        message = FrozenEmail(
            subject=self.subject,
            body=personal(self.text),
            from_email=self.from_email,
            to=[address],
            reply_to=[self.reply_to] if self.reply_to else [],
            headers=headers,
        )
        message.attach_alternative(personal(self.html), "text/html")
        message.raw = raw
        return message


def feedback_id(issue_date, list_name, sender):
    """Gmail's ``Feedback-ID`` (campaign:list:kind:sender), e.g.
    ``2026-11-23:daily:newsletter:lisastopten.example``: Postmaster Tools reports spam rates
    per issue and per list under it."""
    day = issue_date.isoformat() if hasattr(issue_date, "isoformat") else str(issue_date or "")
    return f"{day}:{list_name}:newsletter:{mailformat.sender_domain(sender)}"


def campaign_list_slug(campaign):
    """The slug of the list a campaign goes to, for its ``List-Id`` (e.g. ``daily``)."""
    list_pk = (campaign.audience or "").split("/")[0]
    if list_pk.isdigit():
        slug = MailingList.objects.filter(pk=int(list_pk)).values_list("slug", flat=True).first()
        if slug:
            return slug
    return "daily"


def message_problem(campaign):
    """Why the campaign's message can't be built, in plain words, or "" if it can."""
    try:
        FrozenMessage.for_campaign(campaign)
    except Exception as error:  # whatever the mail library refuses
        logger.warning("Campaign %s: the message can't be built: %s", campaign.pk, error)
        return unbuildable_message(error)
    return ""


def unbuildable_message(error):
    return (
        "The email could not be put together, so nothing was sent: the subject or the "
        "sender name has a line break or another character an email's header can't hold "
        "(check the Newsletter tab's subject and Settings → Newsletter's sender name), "
        f"then send it again. ({error})"
    )[:500]
