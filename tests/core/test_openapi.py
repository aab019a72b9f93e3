"""/openapi.json says what the API really does: the bearer token as a security scheme on every
operation, the app's own error model (code, message, errors) on every error status instead of
FastAPI's HTTPValidationError, field limits as schema constraints, readable operation ids —
and the API answers errors in the caller's language (Accept-Language)."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

import pytest
from pydantic import BaseModel

from app.fields import at_least, at_most, length, one_of
from factories import bearer, create_member

API_METHODS = {"get", "put", "post", "delete", "patch"}
ERROR_REF = {"$ref": "#/components/schemas/Error"}


@pytest.fixture
def spec(client) -> dict[str, Any]:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    return r.json()  # type: ignore[no-any-return]


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in API_METHODS
    ]


def _json_schema(response: dict[str, Any]) -> dict[str, Any]:
    return response["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


def test_the_bearer_token_is_a_declared_security_scheme_on_every_operation(spec):
    scheme = spec["components"]["securitySchemes"]["bearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    operations = _operations(spec)
    assert len(operations) > 50
    missing = [
        f"{m.upper()} {p}" for p, m, op in operations if op.get("security") != [{"bearer": []}]
    ]
    assert missing == []


def test_every_error_status_is_documented_with_the_error_model(spec):
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message"]
    assert error["properties"]["errors"]["additionalProperties"] == {"type": "string"}
    wrong = []
    for path, method, op in _operations(spec):
        expected = {"400", "401", "403", "404", "422", "429"}
        if method != "get":
            expected |= {"409", "413"}
        missing = expected - set(op["responses"])
        if missing:
            wrong.append(f"{method.upper()} {path}: no {sorted(missing)}")
        for status in expected & set(op["responses"]):
            schema = _json_schema(op["responses"][status])
            if schema != ERROR_REF and ERROR_REF not in schema.get("anyOf", []):
                wrong.append(f"{method.upper()} {path} {status}: {schema}")
    assert wrong == []
    # A route's own conflict answer stays, next to the general error.
    save = spec["paths"][
        "/api/v1/{workspace_slug}/strategies/documents/{doc_id}/sections/{section_id}"
    ]
    conflict = _json_schema(save["put"]["responses"]["409"])
    assert conflict["anyOf"] == [{"$ref": "#/components/schemas/EditConflictRead"}, ERROR_REF]


def test_fastapis_validation_error_shape_is_gone(spec):
    text = json.dumps(spec)
    assert "HTTPValidationError" not in text
    assert '"#/components/schemas/ValidationError"' not in text
    assert "ValidationError" not in spec["components"]["schemas"]


def test_the_error_model_is_what_the_api_sends(client, db, ws, spec):
    """Not a claim only: a real 422 and 404 carry exactly the documented fields."""
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    allowed = set(spec["components"]["schemas"]["Error"]["properties"])
    r = client.post(f"/api/v1/{ws.slug}/helpdesk/requests", json={}, headers=headers)
    assert r.status_code == 422
    assert set(r.json()) <= allowed and r.json()["code"] == "invalid_input"
    assert set(r.json()["errors"]) == {"category", "title", "description"}
    r = client.get(f"/api/v1/{ws.slug}/helpdesk/requests/999999", headers=headers)
    assert r.status_code == 404
    assert set(r.json()) <= allowed and r.json()["code"] == "not_found"


def test_operation_ids_are_unique_and_read_module_then_function(spec):
    ids = [op["operationId"] for _p, _m, op in _operations(spec)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    modules = (
        "accounts",
        "counties",
        "helpdesk",
        "schemes",
        "innovations",
        "strategies",
        "meetings",
        "networks",
    )
    bad = [i for i in ids if not re.fullmatch(rf"({'|'.join(modules)})_[a-z][a-z0-9_]*", i)]
    assert bad == []
    assert all(len(i) <= 40 for i in ids), [i for i in ids if len(i) > 40]
    paths = spec["paths"]
    assert paths["/api/v1/{workspace_slug}/helpdesk/requests"]["get"]["operationId"] == (
        "helpdesk_list_requests"
    )
    assert paths["/api/v1/me"]["get"]["operationId"] == "accounts_me"
    export = paths["/api/v1/{workspace_slug}/participations/export.{fmt}"]["get"]
    assert export["operationId"] == "schemes_export"
    # Request bodies named after the operation, not after the URL.
    assert not [n for n in spec["components"]["schemas"] if "api_v1" in n]


def test_field_limits_are_schema_constraints(spec):
    schemas = spec["components"]["schemas"]
    form = schemas["RequestForm"]["properties"]
    assert form["title"]["maxLength"] == 200 and form["title"]["minLength"] == 3
    assert "pattern" in form["title"]  # one line: no control characters
    assert form["description"]["maxLength"] == 5000
    assert "funding" in form["category"]["enum"]
    text = json.dumps(spec)
    assert '"minimum": 0' in text


def test_the_field_rules_show_their_limits_in_json_schema():
    class Form(BaseModel):
        name: Annotated[str, length(2, 10, "x")]
        note: Annotated[str | None, at_most(30, "x")] = None
        count: Annotated[int | None, at_least(1, "x")] = None
        kind: Annotated[str, one_of(("a", "b"), "x")] = "a"

    props = Form.model_json_schema()["properties"]
    assert props["name"]["minLength"] == 2 and props["name"]["maxLength"] == 10
    assert {"type": "string", "maxLength": 30} in props["note"]["anyOf"]
    assert {"type": "integer", "minimum": 1} in props["count"]["anyOf"]
    assert props["kind"]["enum"] == ["a", "b"]
    # And they still check: the limit is not only shown.
    assert Form(name=" ab ").name == "ab"
    with pytest.raises(ValueError):
        Form(name="a")


def test_attachments_document_their_content_types(spec):
    item = spec["paths"][
        "/api/v1/{workspace_slug}/helpdesk/requests/{number}/attachments/{attachment_id}"
    ]
    types = set(item["get"]["responses"]["200"]["content"])
    assert {"application/pdf", "image/png", "text/plain"} <= types
    upload = spec["paths"]["/api/v1/{workspace_slug}/helpdesk/requests/{number}/attachments"]
    assert "multipart/form-data" in upload["post"]["requestBody"]["content"]


MESSAGES = {
    "nb": ("Siden eller objektet finnes ikke.", "Feltet må fylles ut."),
    "nn": ("Sida eller objektet finst ikkje.", "Feltet må fyllast ut."),
    "en": ("The page or object does not exist.", "This field is required."),
}


@pytest.mark.parametrize(
    ("accept", "locale"),
    [("nb", "nb"), ("nn-NO, nb;q=0.8", "nn"), ("en-GB,en;q=0.9", "en"), ("de", "nb"), (None, "nb")],
)
def test_api_errors_follow_accept_language(client, db, ws, accept, locale):
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    if accept:
        headers["Accept-Language"] = accept
    not_found, required = MESSAGES[locale]

    r = client.get(f"/api/v1/{ws.slug}/helpdesk/requests/999999", headers=headers)
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": not_found}
    assert r.headers["content-language"] == locale

    r = client.post(
        f"/api/v1/{ws.slug}/helpdesk/requests",
        json={"category": "funding", "description": "Hjelp."},
        headers=headers,
    )
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    assert r.json()["errors"] == {"title": required}


def test_accept_language_also_reaches_our_own_validators(client, db, ws):
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    body = {"category": "nonsense", "title": "Hjelp med søknad", "description": "Tekst."}
    url = f"/api/v1/{ws.slug}/helpdesk/requests"
    r = client.post(url, json=body, headers={**headers, "Accept-Language": "en"})
    assert r.json()["errors"] == {"category": "Choose what you need help with."}
    r = client.post(url, json=body, headers={**headers, "Accept-Language": "nn"})
    assert r.json()["errors"] == {"category": "Vel kva de treng hjelp til."}


def test_accept_language_leaves_the_pages_to_the_language_switcher(client):
    """A browser always sends Accept-Language; the pages keep bokmål unless the person chose."""
    r = client.get("/logg-inn", headers={"Accept-Language": "en"})
    assert r.headers["content-language"] == "nb"
