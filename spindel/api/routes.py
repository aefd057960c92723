"""The JSON API for researchers: results, raw data, the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from .. import access
from ..errors import render_error
from ..extensions import db
from ..i18n import current_lang
from ..services.results import results_payload
from ..services.selection import Selection, SelectionError
from . import openapi

bp = Blueprint("api", __name__)

# The API speaks of roles and areas; the code of professions and districts.
BREAKDOWN = {"round": "round", "role": "profession", "area": "district", "none": "none"}


@bp.get("/api/v1/openapi.json")
def openapi_document():
    return jsonify(openapi.document())


@bp.get("/api/v1/projects/<slug>/results")
@access.api_login_required
def project_results(slug: str):
    project = access.readable_project_or_404(slug, user=g.api_user, scoped=True)
    by = request.args.get("by", "round")
    if by not in BREAKDOWN:
        return render_error(400, f"by must be one of {', '.join(BREAKDOWN)}")
    try:
        rounds = [int(n) for n in request.args.getlist("round")]
    except ValueError:
        return render_error(400, "round must be a round number")
    try:
        selection = Selection.of(BREAKDOWN[by], rounds, request.args.getlist("role"),
                                 request.args.getlist("area"))
        payload = results_payload(project, selection, lang=current_lang(),
                                  scope=access.reader_scope(project, g.api_user))
    except SelectionError as exc:  # pooled or crossed groups, unknown keys, out of scope
        return render_error(400, _api_words(str(exc)))
    db.session.commit()  # the token's last-used day
    return jsonify(payload)


def _api_words(message: str) -> str:
    """The API's parameters are called role and area (English messages name them)."""
    for code, api in (("profession", "role"), ("district", "area")):
        message = message.replace(code, api)
    return message
