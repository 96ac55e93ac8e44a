"""Checks on what editors type, shared by the models and their forms."""

import unicodedata

from django.core.exceptions import ValidationError

# Control characters (CR, LF, tab, NUL ...) and the Unicode line and paragraph separators.
_BREAKING = {"Cc", "Zl", "Zp"}


def has_control_characters(value):
    return any(unicodedata.category(character) in _BREAKING for character in value or "")


def validate_single_line(value):
    """Refuse line breaks, tabs and other control characters in text that goes into an
    email's headers (a subject, a sender name): the mail could not be built."""
    if has_control_characters(value):
        raise ValidationError(
            "Write this on one line, without line breaks or tabs: an email's subject and "
            "sender name can't hold them. For example \"Lisa's Top Ten: Monday 23 "
            'November".',
            code="single_line",
        )
