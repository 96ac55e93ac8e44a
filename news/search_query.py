"""A reader's search box text as a search that the database can always run.

The reader types words, maybe "a phrase in quotes". The database's full-text syntax (SQLite's
FTS5, PostgreSQL's tsquery) has its own meaning for quotes, ``*``, ``-``, ``^``, ``:``,
parentheses, ``AND``/``OR``/``NOT``/``NEAR``, and the search backend passes what it is given
through: a lone double quote was a server error (``unterminated string``). Here only letters
and digits reach the database, each word as a plain term and each quoted run of words as a
phrase. An unbalanced quote is read as part of the words, curly quotes (“…”, „…“, «…») as
quotes.
"""

import operator
import re
import unicodedata
from functools import reduce

from wagtail.search.query import Phrase, PlainText

MAX_QUERY_LENGTH = 200
_QUOTES = str.maketrans(dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033", '"'))
_WORD = re.compile(r"\w+")


def clean_query(text):
    """What the reader typed, as shown back to them: no NUL (PostgreSQL refuses it in text),
    composed accents, trimmed to ``MAX_QUERY_LENGTH`` characters."""
    text = unicodedata.normalize("NFKC", text.replace("\x00", ""))
    return text.strip()[:MAX_QUERY_LENGTH]


def search_query(text):
    """``text`` as Wagtail search query objects, or None when it has no word to look for.

    ``rain "Pentagon chief"`` is the word *rain* and the phrase *Pentagon chief*: both must
    match.
    """
    parts = text.translate(_QUOTES).split('"')
    if len(parts) % 2 == 0:  # an odd number of quotes: the last one opens no phrase
        parts[-2:] = [" ".join(parts[-2:])]
    queries = []
    for index, part in enumerate(parts):
        words = " ".join(_WORD.findall(part))
        if words:
            queries.append(Phrase(words) if index % 2 else PlainText(words))
    return reduce(operator.and_, queries) if queries else None
