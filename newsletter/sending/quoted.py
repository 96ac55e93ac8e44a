"""Quoted-printable (RFC 2045) that keeps each reader's links replaceable in the bytes.

The frozen message's parts are encoded once. Decoding gives back exactly the snapshot's
text: nothing is re-wrapped or re-spaced, so CSS strings, entities such as ``&zwnj;`` and
Outlook's ``<!--[if mso | IE]>`` comments arrive as written. Every encoded line is at most 76
characters and 7-bit, so any SMTP server takes it, with or without 8BITMIME.

A placeholder (``[[UNSUBSCRIBE_URL]]``) always starts an encoded line and is followed by a
soft line break or the end of the line; ``link`` encodes a reader's URL the same way (``=`` as
``=3D``, soft breaks every 75 characters), so replacing the placeholder's bytes with it keeps
every line within 76 characters. No encoded line starts with ``.`` (it is written ``=2E``), so
SMTP's dot-stuffing never has anything to do.
"""

import re

SOFT_BREAK = "=\r\n"
WIDTH = 75  # characters before a soft break's "="
_LITERAL = {b: chr(b) for b in range(33, 127) if b != ord("=")}
_LITERAL.update({ord(" "): " ", ord("\t"): "\t"})


def _atoms(text):
    """``text``'s bytes, each as the 1 or 3 characters quoted-printable writes for it."""
    return [_LITERAL.get(byte) or f"={byte:02X}" for byte in text.encode()]


def encode(text, placeholders):
    """``text`` (lines ending ``\\n`` or ``\\r\\n``) as quoted-printable ASCII with CRLF line
    ends, each of ``placeholders`` starting a line of its own."""
    pattern = re.compile("(" + "|".join(re.escape(p) for p in placeholders) + ")")
    lines = text.replace("\r\n", "\n").split("\n")
    out = []
    for hard_line in lines:
        line = ""
        pieces = [piece for piece in pattern.split(hard_line) if piece]
        for n, piece in enumerate(pieces):
            if piece in placeholders:
                if line:
                    out.append(line + "=")
                out.append(piece + ("=" if n + 1 < len(pieces) else ""))
                line = ""
                continue
            atoms = _atoms(piece)
            if n + 1 == len(pieces) and atoms[-1] in (" ", "\t"):
                atoms[-1] = f"={ord(atoms[-1]):02X}"  # no white space before a line end
            for atom in atoms:
                if len(line) + len(atom) > WIDTH:
                    out.append(line + "=")
                    line = ""
                line += "=2E" if not line and atom == "." else atom
        if line or not pieces:
            out.append(line)
    return "\r\n".join(out)


def link(url):
    """A reader's URL as it replaces a placeholder in the encoded bytes."""
    if url.isascii() and "=" not in url:  # the usual case: cut it into lines as it is
        lines = [url[start : start + WIDTH] for start in range(0, len(url), WIDTH)]
        if not any(line.startswith(".") for line in lines):
            return SOFT_BREAK.join(lines)
    atoms = _atoms(url)
    lines, line = [], ""
    for atom in atoms:
        if len(line) + len(atom) > WIDTH:
            lines.append(line)
            line = ""
        line += "=2E" if not line and atom == "." else atom
    lines.append(line)
    return SOFT_BREAK.join(lines)
