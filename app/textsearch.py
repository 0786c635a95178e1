"""Words for searching, folded so that a search finds what was meant whatever case or accents
were typed or stored: "Cafe" finds "café", "STRASSE" finds "straße", "ﬁre" finds "fire".

Both the text a record is found by and the words a person searches for go through `words`, so
the database's own text search (SQLite FTS5, PostgreSQL full-text search) only ever sees plain
lower-case letters and digits separated by spaces, which both tokenise alike.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")
MAX_SEARCH_WORDS = 12  # a search uses at most this many words


def words(text: str) -> list[str]:
    """The words of `text`, case-folded, without accents, split at anything not a letter or
    digit."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(character for character in folded if not unicodedata.combining(character))
    return _WORD.findall(plain)


def reference_words(reference: str) -> list[str]:
    """The parts of a reference, each number also without its leading zeros, so that
    "PRC-2026-0042" is found by "prc", "2026", "0042" and "42"."""
    found = words(reference)
    return found + [part.lstrip("0") for part in found if part.isdigit() and part.lstrip("0")
                    and part.lstrip("0") != part]  # fmt: skip


def indexed_text(reference: str, *texts: str) -> str:
    """What a record is found by: its reference's parts, then the words of its texts."""
    return " ".join([*reference_words(reference), *(w for text in texts for w in words(text))])


def search_words(query: str) -> list[str]:
    """The words a search looks for (each matched as a whole word or the start of one)."""
    return words(query)[:MAX_SEARCH_WORDS]
