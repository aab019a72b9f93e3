"""A real uvicorn serving an ASGI app on loopback, in a thread of the test process: for tests
that need real connections (timeouts, stalls, concurrent clients) rather than TestClient."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


@contextmanager
def served(
    application: Any, *, name: str = "test-server", port: int = 0, **config: Any
) -> Iterator[str]:
    """``application`` served on 127.0.0.1 (``port`` 0: a free one); yields its base URL and
    stops the server after. ``config`` goes to ``uvicorn.Config`` (default: no log config)."""
    config.setdefault("log_config", None)
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, **config))
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
