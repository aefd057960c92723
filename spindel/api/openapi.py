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
    "required": ["n", "mean", "median", "sd", "q1", "q3", "min", "max", "cannot_judge"],
    "properties": {
        "n": {"type": "integer", "minimum": 0,
              "description": "Answers that gave a number (not 'cannot judge')."},
        "mean": NUMBER_OR_NULL, "median": NUMBER_OR_NULL,
        "sd": {**NUMBER_OR_NULL, "description": "Sample standard deviation; null if n < 2."},
        "q1": {**NUMBER_OR_NULL, "description": "First quartile, linear interpolation "
                                                "(Hyndman–Fan type 7)."},
        "q3": NUMBER_OR_NULL,
        "min": {"type": "integer", "nullable": True},
        "max": {"type": "integer", "nullable": True},
        "cannot_judge": {"type": "integer", "minimum": 0},
    },
}

GROUP = {
    "type": "object", "additionalProperties": False,
    "required": ["key", "label", "suppressed", "responses", "items", "dimensions"],
    "properties": {
        "key": {"oneOf": [{"type": "integer"}, {"type": "string"}],
                "description": "The round number, the role (profession) key, the area "
                               f"(district) key ('{NO_DISTRICT_KEY}' for answers without a "
                               "district) or 'all'."},
        "label": {"type": "string"},
        "suppressed": {"type": "boolean",
                       "description": "Too few responses to show (or hidden so that another "
                                      "small group cannot be worked out by subtraction)."},
        "responses": {"type": "integer", "minimum": 0, "nullable": True},
        "items": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/"
                                                                     "ItemStats"}},
        "dimensions": {"type": "object", "additionalProperties": NUMBER_OR_NULL,
                       "description": "Mean of the dimension's item means."},
    },
}

RESULTS = {
    "type": "object", "additionalProperties": False,
    "required": ["project", "instrument", "min_group_size", "groups"],
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
    "description": "Groups with fewer responses than the project's minimum group size are "
                   "suppressed: no numbers and no response count.",
    "security": [{"bearer": []}, {"session": []}],
    "parameters": [
        {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "by", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["round", "role", "area", "none"],
                    "default": "round"}},
        _filter("round", "Only these round numbers (repeatable).", {"type": "integer"}),
        _filter("role", "Only these roles (profession keys; repeatable).", {"type": "string"}),
        _filter("area", "Only these areas (district keys; repeatable).", {"type": "string"}),
        {"name": "lang", "in": "query", "required": False, "description": "Language of labels.",
         "schema": {"type": "string", "enum": ["sv", "en"], "default": "sv"}},
    ],
    "responses": {
        "200": {"description": "The results", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Results"}}}},
        "400": _error("A parameter is not valid; the message says which."),
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
            "schemas": {"Results": RESULTS, "Group": GROUP, "ItemStats": ITEM_STATS,
                        "Error": ERROR},
        },
    }
