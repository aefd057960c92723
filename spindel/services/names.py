"""What a name may hold: the one rule for every name a person types or imports (projects,
districts, professions, rounds, tokens).

A name is shown in pages, charts, slides, spreadsheets and decks, so it must be plain text:
no control characters (NUL breaks PostgreSQL, others hide text or reverse it on screen), no
invisible direction overrides, and a length a chart label can carry. Escaping for each output
(spreadsheets, plotly) is done where the output is written; this rule keeps what is stored
sane in the first place.
"""

from __future__ import annotations

import unicodedata

MAX_NAME_LENGTH = 200

# Bidirectional overrides and isolates can make "gpj.exe" read as "exe.jpg".
_BIDI_CONTROLS = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                  "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"}


def name_problem(text: str, max_length: int = MAX_NAME_LENGTH) -> str | None:
    """None for an acceptable name, else a short English reason (translated by callers)."""
    if len(text) > max_length:
        return "too_long"
    for char in text:
        if char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co"):
            return "control"
    return None


def clean_name(text: str) -> str:
    """Surrounding whitespace removed and Unicode in its composed form (NFC), so "Skärholmen"
    typed on a Mac and on Windows is the same name."""
    return unicodedata.normalize("NFC", (text or "").strip())
