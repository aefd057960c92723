"""Single-use codes: personal links for one answer per person without a login.

Only each code's SHA-256 is stored, with whether it was used. Using a code and storing the
answer happen in one transaction, and the answer keeps no link to the code: nobody can tell
which answer came through which personal link.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets

from sqlalchemy import func, select, update

from ..extensions import db
from ..models import AccessCode, Round
from .links import personal_url
from .spreadsheet_cells import inert_row

MAX_CODE_LENGTH = 64


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def generate_codes(round_: Round, count: int) -> list[str]:
    """Make `count` new codes for a round and return them in plain text (never stored)."""
    codes = [secrets.token_urlsafe(16) for _ in range(count)]
    db.session.add_all(AccessCode(round_id=round_.id, code_hash=_digest(c)) for c in codes)
    db.session.flush()
    return codes


def codes_csv(round_: Round, codes: list[str]) -> str:
    """A CSV for a mail merge: one personal link per line (semicolon, Excel in Sweden)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["number", "round", "link"])
    for n, code in enumerate(codes, start=1):
        writer.writerow(inert_row([n, round_.label, personal_url(code)]))
    return "\ufeff" + out.getvalue()  # BOM: Excel then reads å, ä, ö right


def code_counts(round_: Round) -> tuple[int, int]:
    """(codes made, codes used) for a round."""
    made, used = db.session.execute(
        select(func.count(), func.coalesce(func.sum(AccessCode.used.cast(db.Integer)), 0))
        .where(AccessCode.round_id == round_.id)).one()
    return int(made), int(used)


def round_uses_codes(round_: Round) -> bool:
    return db.session.scalar(select(AccessCode.id).where(AccessCode.round_id == round_.id)
                             .limit(1)) is not None


def code_by_text(code: str) -> AccessCode | None:
    if not code or len(code) > MAX_CODE_LENGTH:
        return None
    return db.session.scalar(select(AccessCode).where(AccessCode.code_hash == _digest(code)))


def use_code(code: AccessCode) -> bool:
    """Mark a code used, atomically: of two answers sent at once with one code, only one
    gets True. The caller stores the answer in the same transaction and commits."""
    result = db.session.execute(update(AccessCode)
                                .where(AccessCode.id == code.id, AccessCode.used.is_(False))
                                .values(used=True).execution_options(synchronize_session=False))
    return result.rowcount == 1
