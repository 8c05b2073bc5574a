"""The OpenAPI 3.0 document of the public JSON API, kept beside the code it describes.

tests/test_api_schemathesis.py sends generated requests to every operation and checks the answers
against this document, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from app.models import InstitutionKind
from app.models import NeedKind
from app.services.date_range import FIRST_YEAR
from app.services.date_range import LAST_YEAR
from app.services.search import MAX_ID
from app.services.search import MAX_PAGE
from app.services.search import MAX_PER_PAGE
from app.services.search import MAX_QUERY_LENGTH
from app.services.search import PAGE_SIZE


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _every_field_required(properties: dict) -> dict:
    """A closed object whose every property is always present: the list is the properties'."""
    return {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


_CACHE_HEADERS = {
    "ETag": {
        "description": "Hash of the body; send it back in If-None-Match to get 304.",
        "schema": {"type": "string"},
    },
    "Last-Modified": {
        "description": "When the newest need in the answer was last changed.",
        "schema": {"type": "string"},
    },
    "Access-Control-Allow-Origin": {"schema": {"type": "string", "enum": ["*"]}},
}

_NOT_MODIFIED = {"description": "Not modified since the ETag sent in If-None-Match."}


def _query(name: str, description: str, schema: dict) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


_NO_NUL = "^[^\\u0000]*$"
# Years the exchange takes (app/services/date_range.py): 2000 to 2100.
_DATE = {"type": "string", "format": "date", "pattern": "^(20[0-9]{2}|2100)-"}

NEED_FILTERS = [
    _query(
        "q",
        "Words to find in the title, description, place, institution or skills; case and Polish "
        "diacritics are ignored and every word must match.",
        {"type": "string", "maxLength": MAX_QUERY_LENGTH, "pattern": _NO_NUL},
    ),
    _query(
        "institution",
        "Slug of an institution; needs it hosts or co-hosts.",
        {"type": "string", "maxLength": 80, "pattern": _NO_NUL},
    ),
    _query(
        "skill",
        "Id of a skill the need asks for.",
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    ),
    _query(
        "from",
        f"First Warsaw date ({FIRST_YEAR}-{LAST_YEAR}): needs with a future shift starting on "
        "or after it.",
        _DATE,
    ),
    _query(
        "to",
        f"Last Warsaw date ({FIRST_YEAR}-{LAST_YEAR}): needs with a future shift starting on "
        "or before it.",
        _DATE,
    ),
    _query("kind", "Kind of need.", {"type": "string", "enum": [k.value for k in NeedKind]}),
    _query("korpus", "Only Korpus Solidarności (long-term) needs.", {"type": "boolean"}),
    _query("minors", "Only needs open to people under 18.", {"type": "boolean"}),
    _query("accessible", "Only needs in an accessible place.", {"type": "boolean"}),
    _query(
        "page",
        "Page of results, from 1.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    ),
    _query(
        "per_page",
        "Results per page.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": PAGE_SIZE},
    ),
]

_INSTITUTION_REF = {
    "type": "object",
    "required": ["id", "name", "short_name", "slug"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "short_name": {"type": "string"},
        "slug": {"type": "string"},
    },
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "message", "status"],
        "properties": {
            "error": {"type": "string"},
            "message": {"type": "string"},
            "status": {"type": "integer"},
            "errors": {
                "type": "object",
                "description": "Message per invalid parameter.",
                "additionalProperties": {"type": "string"},
            },
        },
    },
    "InstitutionRef": _INSTITUTION_REF,
    "Institution": {
        "type": "object",
        "required": [
            "id",
            "slug",
            "name",
            "short_name",
            "kind",
            "is_founder",
            "website",
            "description",
        ],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer"},
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "short_name": {"type": "string"},
            "kind": {"type": "string", "enum": [k.value for k in InstitutionKind]},
            "is_founder": {"type": "boolean"},
            "website": {"type": "string"},
            "description": {"type": "string"},
        },
    },
    "Skill": {
        "type": "object",
        "required": ["id", "name_pl", "name_en", "min_level", "required"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer"},
            "name_pl": {"type": "string"},
            "name_en": {"type": "string"},
            "min_level": {"type": "integer", "minimum": 1, "maximum": 3},
            "required": {"type": "boolean"},
        },
    },
    "Shift": {
        "type": "object",
        "required": ["id", "starts_at", "ends_at", "places", "places_left"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer"},
            "starts_at": {
                "type": "string",
                "format": "date-time",
                "description": "ISO 8601 in Warsaw time with its UTC offset.",
            },
            "ends_at": {"type": "string", "format": "date-time"},
            "places": {"type": "integer", "minimum": 1},
            "places_left": {"type": "integer", "minimum": 0},
        },
    },
    "Need": _every_field_required(
        {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "kind": {"type": "string", "enum": [k.value for k in NeedKind]},
            "institution": _ref("InstitutionRef"),
            "cohosts": {"type": "array", "items": _ref("InstitutionRef")},
            "place": {"type": "string"},
            "min_age": {"type": "integer", "minimum": 0},
            "works_with_children": {"type": "boolean"},
            "is_accessible": {"type": "boolean"},
            "accessibility_note": {"type": "string"},
            "offers_training": {"type": "boolean"},
            "offers_certificate": {"type": "boolean"},
            "offers_reimbursement": {"type": "boolean"},
            "skills": {"type": "array", "items": _ref("Skill")},
            "shifts": {
                "type": "array",
                "description": "Shifts not cancelled and not begun, soonest first.",
                "items": _ref("Shift"),
            },
            "url": {"type": "string", "format": "uri"},
        }
    ),
    "NeedPage": {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "additionalProperties": False,
        "properties": {
            "items": {"type": "array", "items": _ref("Need")},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
        },
    },
}


def openapi_document(server_url: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Giełda Wolontariatu OKIK: public API",
            "version": "1.0.0",
            "description": (
                "Read-only feed of the published volunteer needs of the Opole Coalition of "
                "Cultural Institutions, for embedding on institutions' websites. No sign-in; "
                "no personal data. Times are ISO 8601 in Europe/Warsaw with their offset. "
                "Texts and error messages are in Polish, or in English for a client sending "
                "Accept-Language: en."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/needs": {
                "get": {
                    "operationId": "listNeeds",
                    "summary": "Published needs with a future shift, soonest first.",
                    "parameters": NEED_FILTERS,
                    "responses": {
                        "200": {
                            "description": "A page of needs.",
                            "headers": _CACHE_HEADERS,
                            "content": {"application/json": {"schema": _ref("NeedPage")}},
                        },
                        "304": _NOT_MODIFIED,
                        "400": _error("A parameter could not be read."),
                    },
                }
            },
            "/needs/{need_id}": {
                "get": {
                    "operationId": "getNeed",
                    "summary": "One published need.",
                    "parameters": [
                        {
                            "name": "need_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The need.",
                            "headers": _CACHE_HEADERS,
                            "content": {"application/json": {"schema": _ref("Need")}},
                        },
                        "304": _NOT_MODIFIED,
                        "404": _error("No published need with this id."),
                    },
                }
            },
            "/institutions": {
                "get": {
                    "operationId": "listInstitutions",
                    "summary": "Active institutions of the coalition.",
                    "responses": {
                        "200": {
                            "description": "All active institutions, by name.",
                            "headers": {"ETag": _CACHE_HEADERS["ETag"]},
                            "content": {
                                "application/json": {
                                    "schema": {"type": "array", "items": _ref("Institution")}
                                }
                            },
                        },
                        "304": _NOT_MODIFIED,
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document.",
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
