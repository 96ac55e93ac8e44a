"""One campaign's message, built and serialised once, then made personal per recipient.

The snapshot's HTML and text keep placeholders where each reader's own links go. The MIME
message is built once, both parts quoted-printable (``quoted``): 7-bit, every line at most
76 characters, and decoding gives back the snapshot's HTML and text exactly. For each
recipient only a few headers are added and the placeholders replaced in the bytes: nothing is
rendered or encoded again per person.

``raw_for`` gives bytes ready for SMTP's DATA (CRLF line ends, terminated; no line starts with
a dot, so there is nothing to stuff); ``email_for`` gives an ``EmailMultiAlternatives`` whose
``message()`` is those same bytes, for mail backends that are not SMTP (the in-memory backend
in tests, the file outbox, the console), with the parts and headers also as attributes for API
providers (django-anymail).
"""

import email.policy
import logging
import time
import uuid
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.encoding import punycode

from newsletter import mailformat
from newsletter.issues.rendering import PREFERENCES_PLACEHOLDER as PREFERENCES
from newsletter.issues.rendering import UNSUBSCRIBE_PLACEHOLDER as UNSUBSCRIBE
from newsletter.models import MailingList, NewsletterSettings
from newsletter.sending import quoted
from newsletter.subscriptions import tokens

logger = logging.getLogger(__name__)

PLACEHOLDERS = (UNSUBSCRIBE, PREFERENCES)
SMTP = email.policy.SMTP


class Links:
    """Each reader's unsubscribe and preferences links, made as
    ``newsletter.subscriptions.tokens`` makes them but with the signers and URL prefixes
    prepared once for a whole batch."""

    def __init__(self, newsletter_settings):
        self.unsubscribe_signer = signing.Signer(salt=tokens.UNSUBSCRIBE_SALT)
        self.preferences_signer = signing.Signer(salt=tokens.PREFERENCES_SALT)
        self.unsubscribe_prefix, self.unsubscribe_suffix = self._url_parts("unsubscribe")
        self.preferences_prefix, self.preferences_suffix = self._url_parts("preferences")
        self.mailbox = newsletter_settings.unsubscribe_mailbox

    @staticmethod
    def _url_parts(name):
        marker = "TOKEN0MARKER"
        url = mailformat.absolute_url(reverse(f"newsletter:{name}", args=[marker]))
        prefix, _, suffix = url.partition(marker)
        return prefix, suffix

    def for_subscriber(self, subscriber_id):
        """``(unsubscribe URL, preferences URL)``; None gives harmless example links."""
        if subscriber_id is None:
            return (
                f"{self.unsubscribe_prefix}example{self.unsubscribe_suffix}",
                f"{self.preferences_prefix}example{self.preferences_suffix}",
            )
        pk = str(subscriber_id)
        return (
            f"{self.unsubscribe_prefix}{self.unsubscribe_signer.sign(pk)}{self.unsubscribe_suffix}",
            f"{self.preferences_prefix}{self.preferences_signer.sign(pk)}{self.preferences_suffix}",
        )

    def list_unsubscribe(self, unsubscribe_url):
        """RFC 2369 and RFC 8058 headers (``mailformat.list_unsubscribe_headers``)."""
        return mailformat.list_unsubscribe_headers(unsubscribe_url, self.mailbox)


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
    ):
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
        self._date = (0, "")
        self.head, self.body = self._serialise()

    @classmethod
    def for_campaign(cls, campaign, newsletter_settings=None, *, snapshot=None, subject_prefix=""):
        """The message of ``campaign``'s snapshot (or of ``snapshot``, an issue frozen for a
        test send, whose subject then starts with ``subject_prefix``)."""
        newsletter_settings = newsletter_settings or NewsletterSettings.load()
        snapshot = snapshot or campaign.snapshot
        sender = newsletter_settings.sender
        if campaign.from_name:
            sender = formataddr((campaign.from_name, parseaddr(sender)[1]))
        list_name = campaign_list_slug(campaign)
        return cls(
            subject=subject_prefix + snapshot.subject,
            html=snapshot.html,
            text=snapshot.text,
            from_email=sender,
            reply_to=campaign.reply_to or newsletter_settings.reply_to,
            list_name=list_name,
            newsletter_settings=newsletter_settings,
            feedback_id=feedback_id(snapshot.issue_date, list_name, sender),
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
        parts = []
        for subtype, content in (("plain", self.text), ("html", self.html)):
            parts.append(
                f"--{boundary}\r\n"
                f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                f"{quoted.encode(content, PLACEHOLDERS)}\r\n"
            )
        body = "\r\n" + "".join(parts) + f"--{boundary}--\r\n"
        return head, body.encode("ascii")

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

    def _personal_bytes(self, headers, unsubscribe_url, preferences_url):
        head = b"".join(
            value.fold(policy=SMTP).encode()
            if hasattr(value, "fold")
            else f"{name}: {value}\r\n".encode()
            for name, value in headers.items()
        )
        body = self.body.replace(UNSUBSCRIBE.encode(), quoted.link(unsubscribe_url).encode())
        body = body.replace(PREFERENCES.encode(), quoted.link(preferences_url).encode())
        return head + self.head + body

    def raw_for(self, address, subscriber_id):
        """The message to ``address`` as SMTP DATA bytes (CRLF, ending with ``.``)."""
        return self._personal_bytes(*self.personal_headers(address, subscriber_id)) + b".\r\n"

    def email_for(self, address, subscriber_id):
        """The same message as an ``EmailMultiAlternatives``, for non-SMTP mail backends."""
        headers, unsubscribe_url, preferences_url = self.personal_headers(address, subscriber_id)
        local, _, domain = address.rpartition("@")
        headers["To"] = f"{local}@{punycode(domain)}" if local else address
        raw = self._personal_bytes(headers, unsubscribe_url, preferences_url)
        del headers["To"]
        headers["List-Id"] = self.list_id
        if self.feedback_id:
            headers["Feedback-ID"] = self.feedback_id

        def personal(text):
            return text.replace(UNSUBSCRIBE, unsubscribe_url).replace(PREFERENCES, preferences_url)

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
