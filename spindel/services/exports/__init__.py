"""What a supporter takes home: chart images (images.py), the PowerPoint deck (deck.py) and
the tables as Excel and CSV (tables.py). Every figure in them is a published cell."""

from __future__ import annotations

import re


def file_suffix(selection: dict, lang: str) -> str:
    """The filter in a file name: -1_2 for rounds 1 and 2, -bvc for one group, -sv."""
    rounds = "_".join(str(n) for n in selection["rounds"] or ())
    group = selection["profession"] or selection["district"] or ""
    parts = [re.sub(r"[^A-Za-z0-9_]+", "_", part) for part in (rounds, group) if part]
    return "".join(f"-{part}" for part in parts) + f"-{lang}"
