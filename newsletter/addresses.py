"""Email addresses as the newsletter accepts them: checked strictly, stored normalised.

One address per subscriber, compared case-insensitively. We store it stripped and in lower
case (what mailbox providers do in practice), so the unique constraint on ``Lower(email)``,
look-ups and imports all agree. Checks are stricter than Django's ``EmailValidator``: no
quoted local parts, no IP-literal or dotless domains, nothing that could smuggle a second
recipient or a header (commas, semicolons, CR/LF, control characters).
"""

import hashlib
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_LENGTH = 254  # RFC 5321 path limit
MAX_LOCAL_LENGTH = 64
FORBIDDEN = set('",;<>()[]\\')
SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")

EXAMPLE = "Please enter an email address like name@example.com."


def normalise_email(value):
    """The stored form of an address: surrounding space removed, lower case."""
    return (value or "").strip().lower()


GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def canonical_mailbox(value):
    """The mailbox an address delivers to, as the rate limits count it: lower case, any
    ``+tag`` dropped (``jane+news@example.org`` is ``jane@example.org``), and at Gmail, which
    ignores dots, no dots (``j.a.n.e@googlemail.com`` is ``jane@gmail.com``). Only a key:
    the subscriber's address is stored as typed."""
    local, at, domain = normalise_email(value).rpartition("@")
    if not at:
        return domain
    local = local.split("+", 1)[0] or local
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", "") or local, "gmail.com"
    return f"{local}@{domain}"


def email_hash(value):
    """A stable SHA-256 of the normalised address, for suppression records."""
    return hashlib.sha256(normalise_email(value).encode()).hexdigest()


def clean_email(value):
    """Return the normalised address, or raise ``ValidationError`` with a plain message."""
    value = value or ""
    if "\r" in value or "\n" in value:
        raise ValidationError("Please enter one email address on a single line.", code="newline")
    value = value.strip()
    if not value:
        raise ValidationError("Please enter your email address.", code="required")
    if len(value) > MAX_LENGTH:
        raise ValidationError(
            f"That address is too long: email addresses have at most {MAX_LENGTH} characters.",
            code="max_length",
        )
    if SPACE_OR_CONTROL.search(value):
        raise ValidationError(
            "Email addresses can't contain spaces or control characters.", code="space"
        )
    if value.count("@") != 1 or FORBIDDEN.intersection(value):
        raise ValidationError(EXAMPLE, code="invalid")
    local, domain = value.split("@")
    if len(local) > MAX_LOCAL_LENGTH:
        raise ValidationError(
            f"The part before the @ is too long (at most {MAX_LOCAL_LENGTH} characters).",
            code="max_length",
        )
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(EXAMPLE, code="invalid") from None
    if "." not in domain.strip("."):
        raise ValidationError(
            "Please use an address with a full domain name, like name@example.com.",
            code="domain",
        )
    return normalise_email(value)
