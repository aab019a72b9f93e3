"""Where the app finds its files: the package's own (a wheel carries templates, migrations and
alembic.ini inside it; a checkout has them next to app/), and data in the working folder."""

import re
from pathlib import Path

import pytest

import app
from app.config import Settings
from app.migrate import alembic_config


def test_the_checkout_has_what_the_app_reads_at_run_time():
    assert (app.TEMPLATES_DIR / "base.html").is_file()
    assert (app.MIGRATIONS_DIR / "env.py").is_file()
    assert app.ALEMBIC_INI.is_file()
    assert alembic_config().get_main_option("script_location") == str(app.MIGRATIONS_DIR)


def test_a_copy_inside_the_package_comes_first(tmp_path, monkeypatch):
    (tmp_path / "templates").mkdir()
    monkeypatch.setattr(app, "PACKAGE_DIR", tmp_path / "app")
    (tmp_path / "app" / "templates").mkdir(parents=True)
    assert app._shipped("templates") == tmp_path / "app" / "templates"
    assert app._shipped("migrations") == tmp_path / "migrations"


def test_data_defaults_are_in_the_working_folder(monkeypatch: pytest.MonkeyPatch):
    for name in ("SAMSPILL_DATABASE_URL", "SAMSPILL_STORAGE_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "sqlite:///var/samspill.db"
    assert settings.storage_dir == Path("var/storage")
    assert not settings.storage_dir.is_absolute()


# --- the lock files ---------------------------------------------------------------------------


def _requirement_names(specs: list[str]) -> set[str]:
    import re

    return {
        re.split(r"[\[<>=!~; ]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in specs
    }


def _pins(lock: Path) -> dict[str, str]:
    """name -> the pinned block of ``lock`` (the ``name==version`` line and its hash lines)."""
    pins: dict[str, str] = {}
    name = ""
    for line in lock.read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            name = line.split("==", 1)[0].lower()
            pins[name] = line
        elif name and line.strip().startswith("--hash=sha256:"):
            pins[name] += "\n" + line
    return pins


def test_the_lock_files_pin_every_dependency_with_hashes():
    import tomllib

    top = Path(app.__file__).resolve().parent.parent
    project = tomllib.loads((top / "pyproject.toml").read_text())["project"]
    runtime = _pins(top / "requirements.lock")
    with_tests = _pins(top / "requirements-test.lock")
    assert runtime and with_tests
    for pins in (runtime, with_tests):
        for name, block in pins.items():
            assert "==" in block.splitlines()[0], f"{name} is not pinned to one version"
            assert "--hash=sha256:" in block, f"{name} has no hash"
    wanted = _requirement_names(project["dependencies"])
    missing = wanted - set(runtime)
    assert not missing, f"not in requirements.lock (run sh scripts/lock.sh): {sorted(missing)}"
    tests_wanted = wanted | _requirement_names(project["optional-dependencies"]["test"])
    missing = tests_wanted - set(with_tests)
    assert not missing, f"not in requirements-test.lock (run sh scripts/lock.sh): {sorted(missing)}"
    # The app never imports httpx: it is for the tests (FastAPI's TestClient) only.
    assert "httpx" not in wanted
    assert "httpx" not in runtime
    # The same version of a package in both files.
    for name, block in runtime.items():
        if name in with_tests:
            assert block.splitlines()[0] == with_tests[name].splitlines()[0], name


def test_every_fresh_environment_gets_pip_from_its_lock_first():
    """pip 23.2 refused `--require-hashes -r requirements.lock` once fonttools had a release
    newer than its pin (weasyprint asks for fonttools[woff]): the Makefile, the Dockerfile and
    the wheel's smoke test install pip from requirements-pip.lock (23.3 or newer, with hashes)
    before anything else."""
    top = Path(app.__file__).resolve().parent.parent
    pins = _pins(top / "requirements-pip.lock")
    assert list(pins) == ["pip"]
    first = pins["pip"].splitlines()[0]
    version = tuple(int(part) for part in first.split("==")[1].split()[0].split(".")[:2])
    assert version >= (23, 3), first
    assert "--hash=sha256:" in pins["pip"]
    for name in ("Makefile", "Dockerfile", "scripts/smoke-wheel.sh"):
        text = (top / name).read_text().replace("\\\n", " ")
        # the lock files each `pip install … -r <file>` takes, in the order they come
        taken = re.findall(r"pip\S* install [^\n]*?-r \S*?(requirements[-\w]*\.lock)", text)
        assert taken and taken[0] == "requirements-pip.lock", (name, taken)
        assert "requirements.lock" in taken[1:], (name, taken)
        assert "--upgrade pip" not in text and '"pip>=' not in text, name
