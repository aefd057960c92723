"""Fill the Swedish catalogue from the JSON files in translations/sources/.

Each area of the app keeps its Swedish strings in sources/<area>.json ({"English msgid":
"svensk text"}); `make translations` extracts the msgids, updates the catalogues, fills empty
Swedish entries from these files and compiles. Keeping them per area lets several people
add strings without fighting over one .po file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent


def main() -> int:
    wanted: dict[str, str] = {}
    for source in sorted((HERE / "sources").glob("*.json")):
        wanted.update(json.loads(source.read_text(encoding="utf-8")))
    po_path = HERE / "sv" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as f:
        catalog = read_po(f, locale="sv")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        if msgid in wanted:
            if isinstance(message.id, str):
                message.string = wanted[msgid]
            else:
                value = wanted[msgid]
                message.string = tuple(value) if isinstance(value, list) else (value, value)
            message.flags.discard("fuzzy")
        elif not message.string or (not isinstance(message.string, str)
                                    and not all(message.string)):
            missing.append(msgid)
    with po_path.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False)
    for msgid in missing:
        print(f"no Swedish for: {msgid}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
