"""The API keeps the contract its OpenAPI document states: schemathesis generates requests from
/openapi.json for every operation and checks each answer — no server error, a documented status,
a documented content type, a body that matches the documented schema.

It runs against the real app and database (each backend), with the bearer token of a
coordinator in a workspace that has a little of everything, so that about half of the
generated requests name objects that exist. Deterministic (``derandomize``) and bounded
(``EXAMPLES`` per operation and kind of request)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.strategies.models import StrategySection
from app.tenancy import scoped
from factories import (
    add_body_member,
    adopt,
    bearer,
    create_body,
    create_call,
    create_comment,
    create_document,
    create_help_request,
    create_innovation,
    create_invitee,
    create_member,
    create_participation,
    create_person,
    create_round,
    create_scheme,
    in_workspace,
)

EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _seed(db: Any, ws: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """A coordinator's token and the ids of real objects, by path parameter name."""
    coordinator = create_member(db, ws, "coordinator", name="Koordinator Kontrakt")
    request = create_help_request(db, ws)
    scheme = create_scheme(db, ws)
    call = create_call(db, ws, scheme)
    participation = create_participation(db, ws, scheme)
    innovation = create_innovation(db, ws)
    adoption = adopt(db, ws, innovation, "5021")
    document = create_document(db, ws, coordinator, publish=True)
    consultation = create_round(db, ws, coordinator, document)
    invitee = create_invitee(db, ws, consultation)
    comment = create_comment(db, ws, consultation, invitee)
    body = create_body(db, ws)
    add_body_member(db, ws, body, "5020")
    person = create_person(db, ws)
    with in_workspace(db, ws):
        section = db.scalar(
            scoped(StrategySection, ws.id).where(StrategySection.document_id == document.id)
        )
        section_id = section.id
    known = {
        "workspace_slug": ws.slug,
        "number": request.number,
        "user_id": coordinator.id,
        "scheme_id": scheme.id,
        "call_id": call.id,
        "participation_id": participation.id,
        "innovation_id": innovation.id,
        "adoption_id": adoption.id,
        "doc_id": document.id,
        "section_id": section_id,
        "round_id": consultation.id,
        "invitee_id": invitee.id,
        "comment_id": comment.id,
        "body_id": body.id,
        "person_id": person.id,
        "fmt": "csv",
    }
    return bearer(db, ws, coordinator), known


def _real_parameters(operation: Any, known: dict[str, Any]) -> dict[str, Any]:
    path = operation.path
    values = {}
    for parameter in operation.path_parameters:
        name = parameter.name
        if name == "number" and "/versions/" in path:
            values[name] = 1
        elif name == "number" and "/municipalities/" in path:
            values[name] = "5020"
        elif name in known:
            values[name] = known[name]
    return values


def _first_problem(operation: Any, strategy: Any, statuses: dict[int, int]) -> str | None:
    """Run the generated cases of one operation; the first broken promise, if any."""
    found: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        if found:
            return  # one problem per operation is enough to report
        try:
            response = case.call()  # in-process: an unhandled error is raised here
        except Exception as exc:
            found.append(f"{operation.label}: {type(exc).__name__}: {exc}"[:1500])
            return
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as exc:  # a Failure, or a FailureGroup
            found.append(f"{operation.label}: {exc}"[:1500])

    run()
    return found[0] if found else None


def test_every_operation_keeps_the_contract(app, db, ws, backend):
    headers, known = _seed(db, ws)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    problems: list[str] = []
    statuses: dict[int, int] = {}
    operations = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        strategy = st.one_of(
            operation.as_strategy(path_parameters={"workspace_slug": ws.slug}, headers=headers),
            operation.as_strategy(
                path_parameters=_real_parameters(operation, known), headers=headers
            ),
        )
        problem = _first_problem(operation, strategy, statuses)
        if problem:
            problems.append(problem)
    elapsed = time.monotonic() - started
    seen = sorted(statuses.items())
    print(f"\n{backend}: {operations} operations in {elapsed:.0f} s; statuses {seen}")
    assert operations > 50
    assert statuses.get(200, 0) > operations / 2  # real objects were reached, not only 404s
    assert not problems, f"{len(problems)} operations break the contract:\n\n" + "\n\n".join(
        problems
    )


# --- What the contract test found, each pinned down -------------------------------------


def test_a_scheme_name_taken_in_capitals_is_refused_not_a_server_error(client, db, ws):
    """SQLite's lower() leaves "Æ" as it is: the name check missed the exact duplicate that
    the unique constraint then refused with a 500."""
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    url = f"/api/v1/{ws.slug}/schemes"
    first = client.post(url, json={"name": "Ærlig tilskudd"}, headers=headers)
    assert first.status_code == 201
    again = client.post(url, json={"name": "Ærlig tilskudd"}, headers=headers)
    assert again.status_code == 422
    assert set(again.json()["errors"]) == {"name"}
    other = client.post(url, json={"name": "Øvrig tilskudd"}, headers=headers).json()
    renamed = client.put(f"{url}/{other['id']}", json={"name": "Ærlig tilskudd"}, headers=headers)
    assert renamed.status_code == 422


@pytest.mark.parametrize("scale", [-5, 0, 10_000, 1e30])
def test_a_plan_scale_out_of_range_is_invalid_input(client, db, ws, scale):
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    base = f"/api/v1/{ws.slug}/benefit-plans"
    copy = {"innovation_id": 1, "municipality_number": "5020", "scale": scale}
    r = client.post(base, json=copy, headers=headers)
    assert r.status_code == 422, r.text
    assert set(r.json()["errors"]) == {"scale"}
    r = client.post(f"{base}/common", json={"innovation_id": 1, "scale": scale}, headers=headers)
    assert r.status_code == 422, r.text
    assert set(r.json()["errors"]) == {"scale"}
