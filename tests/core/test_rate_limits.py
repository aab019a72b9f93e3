"""Rate limits (issue 14, finding 6): writes per person and per address, API calls per token
and per address; past a limit 429 with Retry-After, and nothing of the refused request is done.

The app of these tests gets small limits of its own (conftest's app has limits far above what
a test sends)."""

from __future__ import annotations

import os
import socket
import time
import uuid
from typing import Any

import pytest

from app.config import Settings
from app.helpdesk.models import RequestMessage
from app.ratelimit import Limiter
from app.tenancy import scoped
from factories import bearer, create_help_request, create_member, in_workspace, login, post

REQUIRE_REDIS = os.environ.get("SAMSPILL_TEST_REQUIRE_REDIS") == "1"
REDIS_URL = os.environ.get("SAMSPILL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _limits(app: Any, settings: Settings, **rates: Any) -> Limiter:
    """Put a limiter with ``rates`` (the rest generous) on the test's app."""
    values: dict[str, Any] = {
        "rate_limits_enabled": True,
        "rate_limit_storage": "memory://",
        "rate_limit_writes_per_user": "1000/minute",
        "rate_limit_writes_per_address": "1000/minute",
        "rate_limit_api_per_token": "1000/minute",
        "rate_limit_api_per_address": "1000/minute",
    }
    values.update({f"rate_limit_{k}": v for k, v in rates.items()})
    limiter = Limiter(settings.model_copy(update=values))
    app.state.rate_limiter = limiter
    return limiter


def _messages(db: Any, ws: Any, request_id: int) -> int:
    with in_workspace(db, ws):
        query = scoped(RequestMessage, ws.id).where(RequestMessage.request_id == request_id)
        return len(list(db.scalars(query)))


def _retry_after(response: Any) -> int:
    value = response.headers["Retry-After"]
    assert value.isdigit(), value
    return int(value)


def test_a_persons_writes_past_the_limit_are_refused_and_not_stored(app, client, db, ws, settings):
    _limits(app, settings, writes_per_user="3/minute")
    coordinator = create_member(db, ws, "coordinator")
    req = create_help_request(db, ws)
    rid, number = req.id, req.number
    before = _messages(db, ws, rid)
    login(client, coordinator)
    url = f"/{ws.slug}/hjelp/{number}/svar"
    for i in range(3):
        r = post(client, url, {"body": f"Svar {i}"})
        assert r.status_code == 303, r.text[:300]
        assert r.headers["RateLimit-Limit"] == "3"
        assert r.headers["RateLimit-Remaining"] == str(2 - i)
    refused = post(client, url, {"body": "Ett for mye"})
    assert refused.status_code == 429
    assert 1 <= _retry_after(refused) <= 60
    assert "text/html" in refused.headers["content-type"]
    assert "for mange forespørsler" in refused.text
    assert _messages(db, ws, rid) == before + 3  # the fourth reply was not stored

    # htmx gets the same answer (the page shows the error like any other)
    r = post(client, url, {"body": "htmx"}, headers={"HX-Request": "true"})
    assert r.status_code == 429 and r.headers["Retry-After"]

    # reading is not limited by the write limit
    for _ in range(5):
        assert client.get(f"/{ws.slug}/hjelp/{number}").status_code == 200

    # another person behind the same address writes on
    client.cookies.clear()
    other = create_member(db, ws, "coordinator")
    login(client, other)
    assert post(client, url, {"body": "Fra en kollega"}).status_code == 303
    assert _messages(db, ws, rid) == before + 4


def test_the_address_limit_stops_many_people_behind_one_address(app, client, db, ws, settings):
    _limits(app, settings, writes_per_user="100/minute", writes_per_address="5/minute")
    req = create_help_request(db, ws)
    rid, number = req.id, req.number
    people = [create_member(db, ws, "coordinator") for _ in range(3)]
    url = f"/{ws.slug}/hjelp/{number}/svar"
    before = _messages(db, ws, rid)
    written = 0
    # The address counts every write, the logins too: 2 logins + 2 replies, then a third login.
    for person in people[:2]:
        client.cookies.clear()
        login(client, person)
        assert post(client, url, {"body": "Svar"}).status_code == 303
        written += 1
    client.cookies.clear()
    login(client, people[2])
    refused = post(client, url, {"body": "Svar"})
    assert refused.status_code == 429
    assert _retry_after(refused) >= 1
    assert _messages(db, ws, rid) == before + written


def test_an_api_token_is_limited_on_every_call(app, client, db, ws, settings):
    _limits(app, settings, api_per_token="4/minute")
    coordinator = create_member(db, ws, "coordinator")
    req = create_help_request(db, ws)
    rid, number = req.id, req.number
    headers = bearer(db, ws, coordinator)
    base = f"/api/v1/{ws.slug}/helpdesk/requests"
    assert client.get(base, headers=headers).status_code == 200
    assert client.get(base, headers=headers).headers["RateLimit-Remaining"] == "2"
    for i in range(2):
        r = client.post(f"{base}/{number}/messages", json={"body": f"API {i}"}, headers=headers)
        assert r.status_code == 201, r.text
    before = _messages(db, ws, rid)
    refused = client.post(f"{base}/{number}/messages", json={"body": "Nei"}, headers=headers)
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "too_many_requests"
    assert "for mange forespørsler" in body["message"]
    assert _retry_after(refused) >= 1
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert client.get(base, headers=headers).status_code == 429  # reads too, on the API
    assert _messages(db, ws, rid) == before

    # another token (another person's) has its own count
    other = bearer(db, ws, create_member(db, ws, "coordinator"))
    assert client.get(base, headers=other).status_code == 200


def test_health_checks_are_never_counted(app, client, db, ws, settings):
    _limits(app, settings, api_per_address="1/minute", writes_per_address="1/minute")
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert "RateLimit-Limit" not in client.get("/healthz").headers


def test_the_count_starts_over_after_the_window(app, client, db, ws, settings):
    _limits(app, settings, writes_per_user="2/second")
    coordinator = create_member(db, ws, "coordinator")
    req = create_help_request(db, ws)
    number = req.number
    login(client, coordinator)
    url = f"/{ws.slug}/hjelp/{number}/svar"
    assert post(client, url, {"body": "1"}).status_code == 303
    assert post(client, url, {"body": "2"}).status_code == 303
    refused = post(client, url, {"body": "3"})
    assert refused.status_code == 429
    assert _retry_after(refused) == 1
    time.sleep(1.1)
    assert post(client, url, {"body": "4"}).status_code == 303


def test_limits_can_be_switched_off(app, client, db, ws, settings):
    limiter = _limits(app, settings, writes_per_user="1/minute")
    limiter.enabled = False
    coordinator = create_member(db, ws, "coordinator")
    req = create_help_request(db, ws)
    number = req.number
    login(client, coordinator)
    for i in range(3):
        assert post(client, f"/{ws.slug}/hjelp/{number}/svar", {"body": str(i)}).status_code == 303


def test_a_storage_that_fails_lets_requests_through(app, client, db, ws, settings, caplog):
    # Nothing listens on port 9 (discard): the storage cannot count, the site stays up.
    _limits(app, settings, storage="redis://127.0.0.1:9/0", writes_per_user="1/minute")
    coordinator = create_member(db, ws, "coordinator")
    req = create_help_request(db, ws)
    number = req.number
    login(client, coordinator)
    for i in range(2):
        r = post(client, f"/{ws.slug}/hjelp/{number}/svar", {"body": str(i)})
        assert r.status_code == 303
    assert "rate limits not applied" in caplog.text


def test_rates_are_checked_when_the_settings_are_read():
    with pytest.raises(ValueError):
        Settings(rate_limit_writes_per_user="sixty a minute", _env_file=None)  # type: ignore[call-arg]


def test_production_refuses_counts_in_memory_with_several_workers():
    from app.config import production_problems

    good = {
        "environment": "production",
        "database_url": "postgresql+psycopg://app@db/samspill",
        "base_url": "https://samspill.example.no",
        "smtp_host": "smtp.example.no",
        "secret_key": "x" * 40,
    }
    one = Settings(**good, workers=1, _env_file=None)  # type: ignore[call-arg]
    assert production_problems(one) == []
    several = Settings(**good, workers=2, _env_file=None)  # type: ignore[call-arg]
    assert any("RATE_LIMIT_STORAGE" in p for p in production_problems(several))
    shared = Settings(**good, workers=2, rate_limit_storage="redis://redis:6379/0", _env_file=None)  # type: ignore[call-arg]
    assert production_problems(shared) == []


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_counts_in_redis_are_shared_by_every_process(app, client, db, ws, settings):
    if not _redis_answers():
        if REQUIRE_REDIS:
            pytest.fail(f"Redis is required here but did not answer at {REDIS_URL}")
        pytest.skip(f"Redis not available at {REDIS_URL}")
    limiter = _limits(app, settings, storage=REDIS_URL, writes_per_user="3/minute")
    # another process (worker or machine) on the same Redis
    elsewhere = Limiter(
        settings.model_copy(
            update={
                "rate_limits_enabled": True,
                "rate_limit_storage": REDIS_URL,
                "rate_limit_writes_per_user": "3/minute",
                "rate_limit_writes_per_address": "1000/minute",
            }
        )
    )
    coordinator = create_member(db, ws, "coordinator", email=f"redis-{uuid.uuid4().hex}@example.no")
    req = create_help_request(db, ws)
    number = req.number
    login(client, coordinator)
    url = f"/{ws.slug}/hjelp/{number}/svar"
    # ids come again in another test run: start from a clean count
    limiter.strategy.clear(limiter.writes_per_user, "writes", f"user:{coordinator.id}")
    try:
        assert post(client, url, {"body": "1"}).status_code == 303
        # the other process counts two writes of the same person
        checks = elsewhere.checks("POST", url, f"user:{coordinator.id}", "203.0.113.9")
        assert elsewhere.hit(checks) is not None
        assert elsewhere.hit(checks) is not None
        refused = post(client, url, {"body": "4"})
        assert refused.status_code == 429 and _retry_after(refused) >= 1
    finally:
        limiter.strategy.clear(limiter.writes_per_user, "writes", f"user:{coordinator.id}")
