"""Patient search: a folded search key per patient and LIKE patterns for a query.

SQLite's ``LIKE`` folds ASCII letters only, so "müller" would not find
"MÜLLER" and "muller" would not find "Müller". Each patient row therefore
keeps a ``search_key``: identifier, name and date of birth, case-folded and
with accents removed, and a query is folded the same way.
"""

from __future__ import annotations

import unicodedata

LIKE_ESCAPE = "\\"
# SQLite refuses LIKE patterns over 50,000 bytes; a longer word finds nothing more anyway.
MAX_WORD = 200


def fold(text: str) -> str:
    """Case-folded text without accents ("Ñúñez" -> "nunez"); control characters become spaces.

    SQLite's LIKE stops at a NUL character, so controls must not reach it.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(
        " " if unicodedata.category(c) == "Cc" else c
        for c in decomposed
        if not unicodedata.combining(c)
    )
    return stripped.casefold()


def search_key(identifier: str, name: str, birth_date: str | None) -> str:
    """The text a patient is found by; fields separated by newlines so words never join."""
    return fold("\n".join((identifier, name, birth_date or "")))


def like_patterns(query: str) -> list[str]:
    """One ``LIKE ... ESCAPE '\\'`` substring pattern per word of the query.

    A patient matches when every word occurs somewhere in its search key, so
    "anna 1970" finds Anna born in 1970. The user's ``%`` and ``_`` are
    escaped: they match themselves, not any text. Words are cut to
    :data:`MAX_WORD` characters.
    """
    patterns = []
    for word in fold(query).split():
        word = word[:MAX_WORD]
        escaped = (
            word.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
            .replace("%", LIKE_ESCAPE + "%")
            .replace("_", LIKE_ESCAPE + "_")
        )
        patterns.append(f"%{escaped}%")
    return patterns
