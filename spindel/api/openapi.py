"""The OpenAPI 3.0 document of the JSON API: every /api/ route, with response schemas exact
enough for a client (or schemathesis) to validate what it gets."""

from __future__ import annotations

from ..services.results import NO_DISTRICT_KEY

NUMBER_OR_NULL = {"type": "number", "nullable": True}

ERROR = {
    "type": "object", "required": ["error"], "additionalProperties": False,
    "properties": {"error": {
        "type": "object", "required": ["code", "message"], "additionalProperties": False,
        "properties": {"code": {"type": "integer"}, "message": {"type": "string"}}}},
}

ITEM_STATS = {
    "type": "object", "additionalProperties": False,
    "description": "Minimum and maximum are never published (each is one person's answer).",
    "required": ["n", "mean", "median", "sd", "q1", "q3", "cannot_judge", "suppressed"],
    "properties": {
        "n": {"type": "integer", "minimum": 0, "nullable": True,
              "description": "Answers that gave a number (not 'cannot judge'); null when "
                             "the item is suppressed in this group."},
        "mean": NUMBER_OR_NULL,
        "median": {**NUMBER_OR_NULL, "description": "Only where n is at least twice the "
                                                    "minimum group size; else null."},
        "sd": {**NUMBER_OR_NULL, "description": "Sample standard deviation; null if n < 2."},
        "q1": {**NUMBER_OR_NULL, "description": "First quartile, linear interpolation "
                                                "(Hyndman–Fan type 7)."},
        "q3": NUMBER_OR_NULL,
        "cannot_judge": {"type": "integer", "minimum": 0, "nullable": True},
        "suppressed": {"type": "boolean", "description": "The item is hidden in this group "
                                                         "(too few answers gave it a number, "
                                                         "or hidden so that no small group "
                                                         "can be worked out)."},
    },
}

GROUP = {
    "type": "object", "additionalProperties": False,
    "required": ["key", "label", "suppressed", "reason", "responses", "items", "dimensions"],
    "properties": {
        "key": {"oneOf": [{"type": "integer"}, {"type": "string"}],
                "description": "The round number, the role (profession) key, the area "
                               f"(district) key ('{NO_DISTRICT_KEY}' for answers without a "
                               "district) or 'all'."},
        "label": {"type": "string"},
        "suppressed": {"type": "boolean",
                       "description": "Too few responses to show (or hidden so that another "
                                      "small group cannot be worked out by subtraction)."},
        "reason": {"type": "string", "nullable": True,
                   "enum": ["too_small", "open", "empty", "small", "complement", "derivation",
                            "search", None],
                   "description": "Why the group is hidden: the round has fewer answers than "
                                  "the minimum (too_small), breakdowns wait until the round "
                                  "closes (open), no answers (empty), too few answers "
                                  "(small), hidden so that another hidden group cannot be "
                                  "worked out (complement, derivation, search)."},
        "responses": {"type": "integer", "minimum": 0, "nullable": True},
        "items": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/"
                                                                     "ItemStats"}},
        "dimensions": {"type": "object", "additionalProperties": NUMBER_OR_NULL,
                       "description": "Mean of the dimension's item means; null unless "
                                      "every item of the dimension is shown."},
    },
}

ROUND = {
    "type": "object", "additionalProperties": False,
    "required": ["number", "label", "status", "release", "released_on", "responses",
                 "breakdowns", "pending", "next_update_in"],
    "properties": {
        "number": {"type": "integer"}, "label": {"type": "string"},
        "status": {"type": "string", "enum": ["not_yet_open", "open", "closed"]},
        "release": {"type": "integer", "nullable": True,
                    "description": "The release the figures come from (null: fewer answers "
                                   "than the minimum so far)."},
        "released_on": {"type": "string", "format": "date", "nullable": True},
        "responses": {"type": "integer", "nullable": True,
                      "description": "Answers in the release."},
        "breakdowns": {"type": "boolean",
                       "description": "Professions and districts are published (the round "
                                      "has closed); while open only the whole round is."},
        "pending": {"type": "integer", "nullable": True,
                    "description": "Answers added or removed since the release, not yet in "
                                   "any figure."},
        "next_update_in": {"type": "integer", "minimum": 0,
                           "description": "Answers still needed before the next release."},
    },
}

RESULTS = {
    "type": "object", "additionalProperties": False,
    "required": ["project", "instrument", "min_group_size", "selection", "rounds", "groups"],
    "properties": {
        "project": {"type": "object", "additionalProperties": False,
                    "required": ["slug", "name"],
                    "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}},
        "instrument": {
            "type": "object", "additionalProperties": False,
            "required": ["key", "version", "scale", "items", "dimensions"],
            "properties": {
                "key": {"type": "string"}, "version": {"type": "string"},
                "scale": {"type": "object", "additionalProperties": False,
                          "required": ["min", "max"],
                          "properties": {"min": {"type": "integer"},
                                         "max": {"type": "integer"}}},
                "items": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False,
                    "required": ["key", "dimension", "label"],
                    "properties": {"key": {"type": "string"}, "dimension": {"type": "string"},
                                   "label": {"type": "string"}}}},
                "dimensions": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False,
                    "required": ["key", "label"],
                    "properties": {"key": {"type": "string"}, "label": {"type": "string"}}}},
            },
        },
        "min_group_size": {"type": "integer", "minimum": 3},
        "selection": {"type": "object", "additionalProperties": False,
                      "required": ["by", "rounds", "profession", "district"],
                      "properties": {
                          "by": {"type": "string",
                                 "enum": ["round", "profession", "district", "none"]},
                          "rounds": {"type": "array", "items": {"type": "integer"}},
                          "profession": {"type": "string", "nullable": True},
                          "district": {"type": "string", "nullable": True}}},
        "rounds": {"type": "array", "items": {"$ref": "#/components/schemas/Round"}},
        "groups": {"type": "array", "items": {"$ref": "#/components/schemas/Group"}},
    },
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}


def _filter(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "array", "items": schema}, "style": "form", "explode": True}


RESULTS_OPERATION = {
    "operationId": "projectResults",
    "summary": "Results of a project per round, role, area or all together",
    "description": "Only published cells (see docs/privacy.md): per round the whole round, "
                   "one role or one area, from the round's latest release. Several rounds are "
                   "shown side by side, never added together; by=role, by=area and by=none "
                   "need exactly one round; a role filter and an area filter cannot be "
                   "combined, and each takes one key. While a round is open only its whole "
                   "round is published. Suppressed groups and items have no numbers. A "
                   "token of a viewer limited to one area reads the whole rounds and that "
                   "area only: by=area gives its one row, and a role or another area is a "
                   "400.",
    "security": [{"bearer": []}, {"session": []}],
    "parameters": [
        {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "by", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["round", "role", "area", "none"],
                    "default": "round"}},
        _filter("round", "Round numbers (repeatable with by=round, side by side; exactly one "
                         "for by=role, area or none).", {"type": "integer"}),
        _filter("role", "One role (profession key): that group in each round. Not with "
                        "area, nor with by=role or by=area.", {"type": "string"}),
        _filter("area", "One area (district key): that group in each round. Not with role, "
                        "nor with by=role or by=area.", {"type": "string"}),
        {"name": "lang", "in": "query", "required": False, "description": "Language of labels.",
         "schema": {"type": "string", "enum": ["sv", "en"], "default": "sv"}},
    ],
    "responses": {
        "200": {"description": "The results", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Results"}}}},
        "400": _error("A parameter is not valid, or asks for figures that are never "
                      "published (pooled rounds, united or crossed groups) or are outside "
                      "a limited viewer's area; the message says why."),
        "401": _error("No valid API token or session."),
        "404": _error("No such project, or not one of yours."),
    },
}


def document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Spindel API", "version": "1",
                 "description": "Results of Spindeln measurements for researchers. "
                                "Authenticate with `Authorization: Bearer <token>`."},
        "paths": {
            "/api/v1/projects/{slug}/results": {"get": RESULTS_OPERATION},
            "/api/v1/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This document", "security": [],
                "responses": {"200": {"description": "OpenAPI 3.0 document",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}}}}},
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {"Results": RESULTS, "Group": GROUP, "Round": ROUND, "ItemStats": ITEM_STATS,
                        "Error": ERROR},
        },
    }
