"""How every message we send is written, whatever carries it (SMTP, file outbox, console,
an API provider): the rules for the headers and parts that Python's email package and Django
would otherwise write their own way.

- ``List-Unsubscribe`` is a plain RFC 2369 list, ``<https://…>, <mailto:…>``, folded only at
  the comma. Python folds a long unstructured header by turning it into RFC 2047
  encoded-words (``=?utf-8?q?=3Chttps…?=``), which no unsubscribe parser reads, so the value
  is a header object that folds itself. RFC 8058's ``List-Unsubscribe-Post`` goes with it.
- ``Message-ID`` names the sender's domain, ``Date`` has a numeric zone (``+0000``).
- Text parts are 7-bit (quoted-printable), so a server without 8BITMIME gets the message
  intact (RFC 6152), and only the top of the message says ``MIME-Version``.
"""

import datetime
import email.policy
import uuid
from email.utils import format_datetime, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

ONE_CLICK = "List-Unsubscribe=One-Click"


def absolute_url(path):
    """An absolute URL on the public site (``settings.SITE_URL``): every link in a message is
    one."""
    return settings.SITE_URL.rstrip("/") + path


class ListUnsubscribe(str):
    """A ``List-Unsubscribe`` value that Python's email package writes as it is, folded at
    the commas between its targets when the line would pass 78 characters."""

    name = "List-Unsubscribe"

    def fold(self, *, policy):
        if "\r" in self or "\n" in self:
            raise ValueError("A List-Unsubscribe value can't contain a line break.")
        targets = self.split(", ")
        lines, line = [], f"{self.name}:"
        for n, target in enumerate(targets):
            piece = target + ("," if n + 1 < len(targets) else "")
            if line != f"{self.name}:" and len(line) + 1 + len(piece) > 78:
                lines.append(line)
                line = ""
            line += " " + piece
        lines.append(line)
        return policy.linesep.join(lines) + policy.linesep


def list_unsubscribe_headers(unsubscribe_url, mailbox=""):
    """RFC 2369 ``List-Unsubscribe`` (the https link and, when a mailbox is set, a mailto)
    and RFC 8058 ``List-Unsubscribe-Post``."""
    targets = [f"<{unsubscribe_url}>"]
    if mailbox:
        targets.append(f"<mailto:{mailbox}?subject=unsubscribe>")
    return {
        "List-Unsubscribe": ListUnsubscribe(", ".join(targets)),
        "List-Unsubscribe-Post": ONE_CLICK,
    }


def sender_domain(from_email):
    """The domain of a ``From`` address (``"Lisa <news@example.com>"`` gives
    ``example.com``), for Message-IDs."""
    return parseaddr(str(from_email))[1].rpartition("@")[2] or "localhost"


def message_id(domain):
    return f"<{uuid.uuid4().hex}@{domain}>"


def rfc5322_date(timestamp):
    """``Tue, 01 Dec 2026 22:45:06 +0000``: RFC 5322's numeric zone, not the obsolete GMT."""
    return format_datetime(datetime.datetime.fromtimestamp(timestamp, datetime.UTC))


def drop_part_mime_versions(message):
    """Python's ``add_alternative`` gives each new part its own ``MIME-Version``; RFC 2045
    wants it once, at the top."""
    for part in message.walk():
        if part is not message:
            del part["MIME-Version"]
    return message


class Email(EmailMultiAlternatives):
    """Django's ``EmailMultiAlternatives``, written by the rules above: 7-bit text parts,
    one ``MIME-Version`` and a ``Message-ID`` at the sender's domain."""

    def message(self, *, policy=email.policy.default):
        if not any(name.lower() == "message-id" for name in self.extra_headers):
            self.extra_headers = {
                **self.extra_headers,
                "Message-ID": message_id(sender_domain(self.from_email)),
            }
        return drop_part_mime_versions(super().message(policy=policy.clone(cte_type="7bit")))
