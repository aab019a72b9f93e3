"""The OpenAPI document of the JSON API, made honest in one place rather than route by route:

- operation ids read ``<module>_<function>`` (``helpdesk_list_requests``), stable as long as
  the function keeps its name;
- the bearer token is declared as a security scheme, and every operation asks for it;
- every error status an operation can answer (400, 401, 403, 404, 409, 413, 422, 429) is
  documented with the error model the app really sends (``app/errors.py``), in place of
  FastAPI's own ``HTTPValidationError``, which the app never sends.

Limits of single fields come from ``app/fields.py`` (``maxLength``, ``minimum``, ``enum``, …)."""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

ERROR_SCHEMA = "Error"
SECURITY_SCHEME = "bearer"

# Statuses every API operation may answer, and those only a request with a body may.
ALWAYS = (400, 401, 403, 404, 422, 429)
WITH_BODY = (409, 413)
WRITE_METHODS = {"post", "put", "patch", "delete"}

DESCRIPTIONS = {
    400: "The request could not be understood.",
    401: "No valid API token (see the `WWW-Authenticate` header).",
    403: "The token's role may not do this.",
    404: "No such object in this workspace (or no such workspace for this token).",
    409: "The change conflicts with the current state.",
    413: "The request body or a file is too large.",
    422: "Some fields are not valid: `errors` says which, in the caller's language.",
    429: "Too many requests: wait `Retry-After` seconds.",
}

ERROR_MODEL: dict[str, Any] = {
    "title": ERROR_SCHEMA,
    "description": "Every error answer of the API. `message` and `errors` follow "
    "`Accept-Language` (nb, nn, en; bokmål by default).",
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {
            "type": "string",
            "description": "Stable machine-readable code, e.g. `not_found`, `invalid_input`.",
            "examples": ["not_found"],
        },
        "message": {"type": "string", "description": "For people, in the caller's language."},
        "errors": {
            "type": "object",
            "description": "Messages by field (`field` or `field.sub`), for `invalid_input`.",
            "additionalProperties": {"type": "string"},
        },
    },
}

SECURITY: dict[str, Any] = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "sps_…",
    "description": "A personal API token, made under «API-nøkler» in the app and bound to "
    "one workspace: `Authorization: Bearer sps_…`.",
}

_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")


def operation_id(route: APIRoute) -> str:
    """``<module>_<function>``: ``app.helpdesk.api.list_requests`` → ``helpdesk_list_requests``
    (a leading ``api_`` of the function is dropped: ``schemes_export``)."""
    parts = route.endpoint.__module__.split(".")
    module = parts[1] if len(parts) > 2 and parts[0] == "app" else parts[-1]
    name = route.name.removeprefix("api_")
    if name.startswith(module + "_"):
        return name
    return f"{module}_{name}"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error_content() -> dict[str, Any]:
    return {"application/json": {"schema": _ref(ERROR_SCHEMA)}}


def _is_fastapi_validation(schema: dict[str, Any]) -> bool:
    return schema.get("$ref", "").rsplit("/", 1)[-1] in _FASTAPI_VALIDATION


def _document_errors(method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    statuses = ALWAYS + (WITH_BODY if method in WRITE_METHODS else ())
    for status in statuses:
        key = str(status)
        response = responses.get(key)
        if response is None:
            responses[key] = {"description": DESCRIPTIONS[status], "content": _error_content()}
            continue
        content = response.setdefault("content", {})
        schema = content.get("application/json", {}).get("schema")
        if not schema or _is_fastapi_validation(schema):
            response["description"] = DESCRIPTIONS[status]
            response["content"] = _error_content()
        elif schema != _ref(ERROR_SCHEMA):
            # The route's own answer for this status (a conflict's current text, say), or
            # the general error any route gives (an unknown workspace, a missing field).
            content["application/json"]["schema"] = {"anyOf": [schema, _ref(ERROR_SCHEMA)]}
    if "429" in responses:
        responses["429"].setdefault(
            "headers",
            {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
        )
    if "401" in responses:
        responses["401"].setdefault(
            "headers",
            {
                "WWW-Authenticate": {
                    "description": "How to authenticate.",
                    "schema": {"type": "string"},
                }
            },
        )


def build(app: FastAPI) -> dict[str, Any]:
    spec = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
        servers=app.servers,
    )
    spec = copy.deepcopy(spec)
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    schemas[ERROR_SCHEMA] = ERROR_MODEL
    components["securitySchemes"] = {SECURITY_SCHEME: SECURITY}
    for path, item in spec.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            if method not in {"get", "put", "post", "delete", "patch", "head", "options"}:
                continue
            operation["security"] = [{SECURITY_SCHEME: []}]
            _document_errors(method, operation)
    return spec


def install(app: FastAPI) -> None:
    """Serve :func:`build`'s document at ``app.openapi_url`` (made once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
