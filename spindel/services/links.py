"""Links to hand out and their QR codes: one place that knows what a respondent's URL is."""

from __future__ import annotations

import io

import segno
from flask import current_app, has_request_context, request
from sqlalchemy import select

from ..extensions import db
from ..models import Round


def base_url() -> str:
    """Where respondents reach the app: SPINDEL_BASE_URL, else the current request's host,
    else the local development server."""
    configured = current_app.config.get("SPINDEL_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return f"http://127.0.0.1:{current_app.config['SPINDEL_PORT']}"


def respondent_url(round_: Round, district_key: str | None = None) -> str:
    """The full link a staff member opens to answer a round (optionally for one district)."""
    url = f"{base_url()}/r/{round_.token}"
    return f"{url}/d/{district_key}" if district_key else url


def short_url(round_: Round) -> str:
    """The round's short link (/s/<code>), for typing from a seminar screen: it leads on to
    respondent_url (respond.short_link)."""
    return f"{base_url()}/s/{round_.short_code}"


def token_for_short_code(code: str) -> str | None:
    """The token of the round whose short code this is (typed: any case, spaces around), or
    None."""
    return db.session.scalar(select(Round.token).where(Round.short_code == code.strip().upper()))


def vote_url(round_: Round) -> str:
    """The round's priority vote for phones in the seminar room (/v/<code>, vote.ballot): its
    short code, so it can be typed from the screen too."""
    return f"{base_url()}/v/{round_.short_code}"


def round_for_short_code(code: str) -> Round | None:
    """The round whose short code this is (typed: any case, spaces around), or None."""
    code = code.strip().upper()
    if not code or len(code) > 8:
        return None
    return db.session.scalar(select(Round).where(Round.short_code == code))


def personal_url(code: str) -> str:
    """The full single-use link for one personal code (respond.answer_with_code)."""
    return f"{base_url()}/r/c/{code}"


def qr_svg(url: str, *, scale: int = 8, title: str | None = None, fluid: bool = False) -> str:
    """An SVG QR code for a link, with a title so screen readers can name it; `fluid`: no
    fixed size (a viewBox only), to be as large as the page makes it."""
    out = io.BytesIO()
    # Error correction M survives a projector's glare and a little dirt on a printout.
    segno.make(url, error="m").save(out, kind="svg", scale=scale, border=2, xmldecl=False,
                                    svgns=True, title=title or url, nl=False, omitsize=fluid)
    return out.getvalue().decode()


def qr_png(url: str, *, scale: int = 12) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()
