"""Links to hand out and their QR codes: one place that knows what a respondent's URL is."""

from __future__ import annotations

import io
import os

import segno
from flask import current_app, has_request_context, request

from ..models import Round


def base_url() -> str:
    """Where respondents reach the app: SPINDEL_BASE_URL, else the current request's host,
    else the local development server."""
    configured = current_app.config.get("SPINDEL_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"


def respondent_url(round_: Round, district_key: str | None = None) -> str:
    """The full link a staff member opens to answer a round (optionally for one district)."""
    url = f"{base_url()}/r/{round_.token}"
    return f"{url}/d/{district_key}" if district_key else url


def personal_url(code: str) -> str:
    """The full single-use link for one personal code (respond.answer_with_code)."""
    return f"{base_url()}/r/c/{code}"


def qr_svg(url: str, *, scale: int = 8, title: str | None = None) -> str:
    """An SVG QR code for a link, with a title so screen readers can name it."""
    out = io.BytesIO()
    # Error correction M survives a projector's glare and a little dirt on a printout.
    segno.make(url, error="m").save(out, kind="svg", scale=scale, border=2, xmldecl=False,
                                    svgns=True, title=title or url, nl=False)
    return out.getvalue().decode()


def qr_png(url: str, *, scale: int = 12) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()
