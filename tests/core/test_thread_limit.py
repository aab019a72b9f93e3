"""SAMSPILL_THREADS sizes the worker threads of a process (app/config.py, app/main.py)."""

from __future__ import annotations

import anyio.to_thread
from fastapi.testclient import TestClient

from app.config import get_settings
from app.main import create_app


async def _tokens() -> float:
    return anyio.to_thread.current_default_thread_limiter().total_tokens


def _threads_of(threads: int) -> float:
    app = create_app(get_settings().model_copy(update={"threads": threads}))
    with TestClient(app) as client:  # the app's start (lifespan) runs on the client's loop
        assert client.get("/healthz").status_code == 200
        return client.portal.call(_tokens)  # type: ignore[union-attr]


def test_the_setting_sizes_the_shared_thread_limiter():
    assert _threads_of(3) == 3


def test_unset_it_keeps_anyios_forty():
    assert _threads_of(0) == 40
