"""The start page, the privacy document and the health check."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from flask import Blueprint, render_template
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..i18n import current_lang

bp = Blueprint("main", __name__)
log = logging.getLogger(__name__)


@bp.route("/")
def index():
    return render_template("main/index.html")


DOCS = Path(__file__).resolve().parent.parent / "docs"


@functools.lru_cache(maxsize=4)
def _document(name: str, lang: str) -> Markup:
    # Our own file, so its HTML is trusted; markdown-it's "js-default" still escapes raw HTML.
    text = (DOCS / f"{name}.{lang}.md").read_text(encoding="utf-8")
    return Markup(MarkdownIt("js-default", {"typographer": False}).enable("table").render(text))


@bp.route("/privacy")
def privacy():
    """How Spindel protects anonymity: for respondents, supporters and data protection
    officers (the same text as spindel/docs/privacy.*.md)."""
    return render_template("main/document.html", body=_document("privacy", current_lang()))


@bp.route("/healthz")
def healthz():
    """200 when this process can reach the database; 503 (JSON) when it cannot, so a proxy or
    orchestrator takes the process out of rotation instead of sending it respondents."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("health check: database unreachable (%s)", type(exc).__name__)
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
