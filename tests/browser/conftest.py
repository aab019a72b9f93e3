"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

The live server is the real app (uvicorn in a background thread) on a fresh, migrated SQLite
file filled with the demo. These tests never use the `database` fixture of tests/conftest.py,
so they run once, not once per backend.

Without /usr/bin/chromium every test here is skipped loudly; SAMSPILL_TEST_REQUIRE_BROWSER=1
(set by CI) turns that into a failure. Playwright's own downloaded browsers are never used."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .support import AXE_JS, CSP_WATCH, WIDTHS, log_in

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("SAMSPILL_TEST_REQUIRE_BROWSER") == "1"


def _browser_problem() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"the playwright package is not installed ({exc})"
    if not AXE_JS.exists():
        return f"{AXE_JS} is missing (run `npm ci`)"
    return None


BROWSER_PROBLEM = _browser_problem()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if BROWSER_PROBLEM is None or REQUIRE_BROWSER:
        return
    here = Path(__file__).parent
    reason = (
        "!" * 20 + f" BROWSER TESTS SKIPPED: {BROWSER_PROBLEM}. "
        "Set SAMSPILL_TEST_REQUIRE_BROWSER=1 to make this a failure. " + "!" * 20
    )
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Package scope: started once for this folder and stopped as soon as its last test is done, so
# the environment and settings cache it sets do not leak into the other test packages.
@pytest.fixture(scope="package")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the real app on a fresh SQLite database with the demo loaded."""
    import uvicorn
    from sqlalchemy.orm import Session

    import app.models  # noqa: F401
    from app import demo
    from app.config import get_settings
    from app.db import make_engine
    from app.main import create_app
    from app.migrate import migrate

    tmp = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{tmp / 'samspill-browser.db'}"
    migrate(url)
    env = pytest.MonkeyPatch()
    env.setenv("SAMSPILL_DATABASE_URL", url)
    env.setenv("SAMSPILL_ENVIRONMENT", "test")
    env.setenv("SAMSPILL_STORAGE_DIR", str(tmp / "storage"))
    env.setenv("SAMSPILL_MAIL_WORKER_IN_PROCESS", "false")
    # One server for every browser test, and the demo's few users: limits far above what the
    # tests send (tests/core/test_rate_limits.py tests the limits themselves).
    for name in ("WRITES_PER_USER", "WRITES_PER_ADDRESS", "API_PER_TOKEN", "API_PER_ADDRESS"):
        env.setenv(f"SAMSPILL_RATE_LIMIT_{name}", "100000/minute")
    get_settings.cache_clear()  # before the demo, so that its files go to the storage above
    owner = make_engine(url)
    with Session(owner) as session, session.begin():
        demo.load_demo(session)
    owner.dispose()

    engine = make_engine(url)
    application = create_app(get_settings(), engine=engine)

    port = _free_port()
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
        env.undo()
        get_settings.cache_clear()


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if BROWSER_PROBLEM is not None:
        pytest.fail(
            f"Browser tests are required (SAMSPILL_TEST_REQUIRE_BROWSER=1): {BROWSER_PROBLEM}"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser: Any, live_server: str) -> Iterator[Any]:
    """``new_context(width, **options)``: a fresh browser context (closed after the test),
    under the app's real Content-Security-Policy, recording what it refuses (CSP_WATCH)."""
    contexts: list[Any] = []

    def make(width: int = 1280, **options: Any) -> Any:
        context = browser.new_context(
            base_url=live_server,
            viewport={"width": width, "height": WIDTHS.get(width, 900)},
            locale="nb-NO",
            **options,
        )
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_WATCH)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="package")
def admin_state(browser: Any, live_server: str) -> dict[str, Any]:
    """Cookies of the demo admin, signed in once through the login form."""
    context = browser.new_context(base_url=live_server, locale="nb-NO")
    page = context.new_page()
    log_in(page, "admin@samspill.demo")
    # The picker, or the workspace the admin used last (a test before may have opened one).
    assert page.url.endswith("/velg") or page.url.count("/") == 3, page.url
    state: dict[str, Any] = context.storage_state()
    context.close()
    return state
