"""The JSON API for researchers: results, raw data, the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from .. import access
from ..errors import render_error
from ..extensions import db
from ..i18n import current_lang
from ..services.results import results_payload
from . import openapi

# cli_group=None: commands added to bp.cli become top-level `spindel` commands.
bp = Blueprint("api", __name__, cli_group=None)

# The API speaks of roles and areas; the code of professions and districts.
BREAKDOWN = {"round": "round", "role": "profession", "area": "district", "none": "none"}


@bp.get("/api/v1/openapi.json")
def openapi_document():
    return jsonify(openapi.document())


@bp.get("/api/v1/projects/<slug>/results")
@access.api_login_required
def project_results(slug: str):
    project = access.project_or_404(slug, user=g.api_user)
    by = request.args.get("by", "round")
    if by not in BREAKDOWN:
        return render_error(400, f"by must be one of {', '.join(BREAKDOWN)}")
    try:
        rounds = [int(n) for n in request.args.getlist("round")] or None
    except ValueError:
        return render_error(400, "round must be a round number")
    try:
        payload = results_payload(project, BREAKDOWN[by], rounds=rounds,
                                  professions=request.args.getlist("role") or None,
                                  districts=request.args.getlist("area") or None,
                                  lang=current_lang())
    except ValueError as exc:  # an unknown round, role or area
        message = str(exc).replace("profession", "role").replace("district", "area")
        return render_error(400, message)
    db.session.commit()  # the token's last-used day
    return jsonify(payload)
