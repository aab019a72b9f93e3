"""`samspill backup` and `samspill restore`, run as an operator runs them (the installed
command in a subprocess, configured by environment variables), on a database of their own:

back up → wipe (the database dropped or its file deleted, the storage emptied) → restore →
the same rows in every table, the same file bytes, and the restored installation serves the
attachment to its user. On PostgreSQL the owner is an ordinary role (BYPASSRLS to dump, none
at all to restore) and the app's role reads through row-level security afterwards.

A damaged, tampered or foreign archive, or one of the other kind of database, is refused
with a clear message and changes nothing; so is a restore over data without --yes."""

from __future__ import annotations

import gzip
import io
import os
import re
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.orm import Session

from app.config import get_settings
from app.db import make_engine
from app.helpdesk import attachments
from app.migrate import migrate
from app.schemes import reminder_token
from app.storage import get_storage
from conftest import APP_ROLE, PG_OWNER_URL, REQUIRE_PG, _pg_problem, ensure_app_role
from factories import PASSWORD, create_help_request, create_member, create_workspace, login
from tests.core.test_storage import S3Server, s3_server  # noqa: F401 (a fixture)

PDF = b"%PDF-1.4\n% Soknad om DigiFin-midler\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
TXT = "Notat fra møtet i Osen.\n".encode()


@dataclass
class Install:
    """One installation: its database, its storage, its working folder, its environment."""

    backend: str
    owner_url: str  # migrations, backup and restore
    app_url: str  # what the web app connects as
    check_url: str  # a superuser's or the file's, to look at every row
    workdir: Path
    env: dict[str, str]
    wipe_database: Callable[[], None]
    owner_role: str | None = None
    admin: Any = None
    facts: dict[str, Any] = field(default_factory=dict)

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """`samspill ARGS` in the working folder, as an operator types it."""
        script = Path(sys.executable).with_name("samspill")
        command = (
            [str(script)]
            if script.exists()
            else [sys.executable, "-c", "from app.cli import main; main()"]
        )
        return subprocess.run(
            [*command, *args],
            cwd=self.workdir,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def invoke(self, *args: str, **env: str) -> Any:
        """The same command in this process (typer's CliRunner, faster than a new process),
        for the many refusals; ``.returncode``, ``.stdout`` and ``.stderr`` as from ``run``."""
        from typer.testing import CliRunner

        from app.cli import cli

        get_settings.cache_clear()
        cwd = Path.cwd()
        os.chdir(self.workdir)
        try:
            result = CliRunner().invoke(cli, list(args), env=env or None)
        finally:
            os.chdir(cwd)
            get_settings.cache_clear()
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        result.returncode = result.exit_code
        return result

    def set_bypass(self, on: bool) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f"ALTER ROLE {self.owner_role} {'' if on else 'NO'}BYPASSRLS"))


def _environment(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMSPILL_")}
    env.update({f"SAMSPILL_{k.upper()}": v for k, v in settings.items()})
    return env


@pytest.fixture(params=["sqlite", "postgresql"])
def install(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Install]:
    workdir = tmp_path / "srv"
    workdir.mkdir()
    storage = tmp_path / "storage"
    if request.param == "sqlite":
        db_file = tmp_path / "data" / "samspill.db"
        url = f"sqlite:///{db_file}"
        migrate(url)

        def wipe_file() -> None:
            for path in db_file.parent.glob(db_file.name + "*"):
                path.unlink()

        env = _environment(
            database_url=url, storage_dir=str(storage), environment="test", secret_key=""
        )
        yield Install("sqlite", url, url, url, workdir, env, wipe_file)
        return

    if not PG_OWNER_URL:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required here but did not answer: {_pg_problem}")
        pytest.skip(f"PostgreSQL not available: {_pg_problem}")
    suffix = uuid.uuid4().hex[:10]
    name, owner = f"samspill_test_backup_{suffix}", f"samspill_test_owner_{suffix}"
    admin = create_engine(PG_OWNER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        # The owner as in production: no superuser; BYPASSRLS so that a dump sees every row.
        conn.execute(text(f"CREATE ROLE {owner} LOGIN NOSUPERUSER BYPASSRLS"))
        ensure_app_role(conn)
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER {owner}'))
    base = make_url(PG_OWNER_URL).set(database=name)
    owner_url = base.set(username=owner, password=None).render_as_string(hide_password=False)
    app_url = base.set(username=APP_ROLE, password=None).render_as_string(hide_password=False)
    migrate(owner_url, APP_ROLE)

    def drop_and_create() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" OWNER {owner}'))

    env = _environment(
        database_url=app_url,
        migration_database_url=owner_url,
        app_db_role=APP_ROLE,
        storage_dir=str(storage),
        environment="test",
        secret_key="",
    )
    check_url = base.render_as_string(hide_password=False)
    yield Install(
        "postgresql", owner_url, app_url, check_url, workdir, env, drop_and_create, owner, admin
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f"DROP ROLE IF EXISTS {owner}"))
    admin.dispose()


def _use(install: Install, monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's settings = the installation's (to seed it and to look at it)."""
    for key, value in install.env.items():
        if key.startswith("SAMSPILL_"):
            monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    reminder_token._keys.clear()


def _seed(install: Install) -> None:
    """A workspace, a coordinator, a help request with two attachments, and the reminder key
    (made by signing an opt-out link)."""
    engine = make_engine(install.owner_url)
    with Session(engine, expire_on_commit=False) as s:
        ws = create_workspace(s, slug="trondelag", county="50", name="Trøndelag fylkeskommune")
        kari = create_member(s, ws, "coordinator", email="kari@trondelag.no", name="Kari Nordmann")
        req = create_help_request(s, ws, title="Søknad om DigiFin-midler")
        from factories import in_workspace

        with in_workspace(s, ws):
            rows = attachments.store(
                s,
                ws,
                req,
                attachments.write(
                    [
                        attachments.Upload("Søknad.pdf", "pdf", PDF),
                        attachments.Upload("notat.txt", "txt", TXT),
                    ]
                ),
                user_id=kari.id,
            )
        s.commit()
        install.facts.update(
            workspace_id=ws.id,
            slug=ws.slug,
            email=kari.email,
            number=req.number,
            pdf_id=rows[0].id,
            link=reminder_token.make(ws.id, "post@osen.kommune.no"),
        )
    engine.dispose()


def _rows(install: Install) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, seen by a role that row-level security does not hide from."""
    engine = make_engine(install.check_url)
    try:
        with engine.connect() as conn:
            return {
                table: sorted(
                    (tuple(r) for r in conn.execute(text(f'SELECT * FROM "{table}"'))), key=repr
                )
                for table in sorted(inspect(conn).get_table_names())
            }
    finally:
        engine.dispose()


def _files() -> dict[str, bytes]:
    storage = get_storage()
    return {key: storage.get(key) or b"" for key in storage.list_keys()}


def _wipe_storage() -> None:
    storage = get_storage()
    for key in list(storage.list_keys()):
        storage.delete(key)


def _serves_the_attachment(install: Install) -> bytes:
    """The restored installation, as its user meets it: sign in, download the PDF."""
    from app.main import create_app

    engine = make_engine(install.app_url)
    try:
        app = create_app(get_settings(), engine=engine)
        with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
            login(client, install.facts["email"], PASSWORD)
            f = install.facts
            got = client.get(f"/{f['slug']}/hjelp/{f['number']}/vedlegg/{f['pdf_id']}")
            assert got.status_code == 200, got.text[:300]
            assert got.headers["content-disposition"].startswith("attachment;")
            return got.content
    finally:
        engine.dispose()


def test_backup_wipe_restore_gives_back_the_same_rows_and_files(install, monkeypatch):
    _use(install, monkeypatch)
    _seed(install)
    rows, files = _rows(install), _files()
    assert len(rows["request_attachment"]) == 2 and len(rows["workspace"]) == 1
    assert sorted(files.values()) == sorted([PDF, TXT, files["keys/schemes-reminder-opt-out.key"]])

    done = install.run("backup", "--output", "nightly.tar.gz")
    assert done.returncode == 0, done.stderr
    archive = install.workdir / "nightly.tar.gz"
    assert f"Wrote nightly.tar.gz ({archive.stat().st_size / 1024:.1f} KiB)" in done.stdout
    assert "files: 3 " in done.stdout and f"{install.backend}, schema revision" in done.stdout
    assert archive.stat().st_mode & 0o077 == 0  # personal data: the owner's only
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert sorted(names) == sorted(
        [
            "database.dump" if install.backend == "postgresql" else "database.sqlite3",
            "manifest.json",
            *(f"files/{key}" for key in files),
        ]
    )
    # Never over an existing archive.
    again = install.invoke("backup", "--output", "nightly.tar.gz")
    assert again.returncode == 1 and "exists already" in again.stderr

    # Over data: refused without --yes, and nothing changes.
    refused = install.invoke("restore", "nightly.tar.gz")
    assert refused.returncode == 1
    assert "has data" in refused.stderr and "--yes" in refused.stderr
    assert _rows(install) == rows and _files() == files

    # The disaster: the database and the files are gone.
    install.wipe_database()
    _wipe_storage()
    assert _files() == {}
    if install.backend == "postgresql":
        install.set_bypass(False)  # restoring needs no more than owning the database
    restored = install.run("restore", "nightly.tar.gz")
    assert restored.returncode == 0, restored.stderr + restored.stdout
    assert "files: 3 put back, 0 already there" in restored.stdout
    assert _rows(install) == rows
    assert _files() == files
    assert _serves_the_attachment(install) == PDF
    # Opt-out links mailed before the backup still work (the key came back with the files).
    reminder_token._keys.clear()
    assert reminder_token.read(install.facts["link"]) == (
        install.facts["workspace_id"],
        "post@osen.kommune.no",
    )

    # Restoring the same archive again with --yes: the files already there are left alone.
    again = install.run("restore", "--yes", "nightly.tar.gz")
    assert again.returncode == 0, again.stderr
    assert "files: 0 put back, 3 already there" in again.stdout
    assert _rows(install) == rows


@pytest.mark.parametrize("install", ["postgresql"], indirect=True)
def test_after_a_restore_the_app_role_reads_through_row_level_security(install, monkeypatch):
    _use(install, monkeypatch)
    _seed(install)
    assert install.run("backup", "-o", "b.tar.gz").returncode == 0
    install.wipe_database()
    restored = install.run("restore", "b.tar.gz")
    assert restored.returncode == 0, restored.stderr

    app = create_engine(install.app_url)
    try:
        with app.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM help_request")).scalar() == 0
            conn.execute(
                text("SELECT set_config('app.workspace_id', :ws, true)"),
                {"ws": str(install.facts["workspace_id"])},
            )
            assert conn.execute(text("SELECT title FROM help_request")).scalars().all() == [
                "Søknad om DigiFin-midler"
            ]
            assert conn.execute(text("SELECT count(*) FROM request_attachment")).scalar() == 2
            # ... and may write, but not into another workspace's rows.
            with pytest.raises(Exception, match="row-level security"):
                conn.execute(text("UPDATE help_request SET workspace_id = workspace_id + 1000"))
    finally:
        app.dispose()
    # The sequences came back too: the next help request gets a new id, not one in use.
    check = create_engine(install.check_url)
    try:
        with check.connect() as conn:
            taken = conn.execute(text("SELECT max(id) FROM help_request")).scalar()
            upcoming = conn.execute(
                text("SELECT nextval(pg_get_serial_sequence('help_request', 'id'))")
            ).scalar()
    finally:
        check.dispose()
    assert taken is not None and upcoming > taken


@pytest.mark.parametrize("install", ["postgresql"], indirect=True)
def test_a_backup_as_an_owner_under_row_level_security_is_refused(install, monkeypatch):
    _use(install, monkeypatch)
    _seed(install)
    install.set_bypass(False)
    done = install.run("backup", "-o", "b.tar.gz")
    assert done.returncode == 1
    assert "subject to row-level security" in done.stderr and "BYPASSRLS" in done.stderr
    assert list(install.workdir.iterdir()) == []  # no archive, not even half of one


def _rewrite(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    """A copy of the archive with members changed (None leaves one out)."""
    with tarfile.open(source) as src, tarfile.open(target, "w:gz") as dst:
        for member in src:
            stream = src.extractfile(member)
            assert stream is not None
            data = change(member.name, stream.read())
            if data is None:
                continue
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


def test_a_damaged_tampered_or_foreign_archive_is_refused_and_changes_nothing(
    install, monkeypatch, tmp_path
):
    _use(install, monkeypatch)
    _seed(install)
    assert install.run("backup", "-o", "good.tar.gz").returncode == 0
    good = install.workdir / "good.tar.gz"
    files = _files()
    # From here on the database is empty of data and the storage empty: a restore would go
    # ahead without --yes, so only the archive stops it.
    install.wipe_database()
    _wipe_storage()
    before_rows, before_files = _rows(install), _files()

    bad: dict[str, Path] = {}
    raw = good.read_bytes()
    bad["truncated"] = tmp_path / "truncated.tar.gz"
    bad["truncated"].write_bytes(raw[: len(raw) // 2])
    bad["not gzip"] = tmp_path / "notes.tar.gz"
    bad["not gzip"].write_text("Dette er ikke en sikkerhetskopi.\n")
    bad["foreign"] = tmp_path / "foreign.tar.gz"
    with tarfile.open(bad["foreign"], "w:gz") as tar:
        info = tarfile.TarInfo("etc/passwd")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"root"))
    bad["tampered file"] = tmp_path / "tampered.tar.gz"
    _rewrite(
        good,
        bad["tampered file"],
        lambda name, data: (
            data.replace(b"DigiFin", b"DIGIFIN") if name.startswith("files/") else data
        ),
    )
    bad["file left out"] = tmp_path / "left-out.tar.gz"
    _rewrite(good, bad["file left out"], lambda name, data: None if name.endswith("key") else data)
    bad["no manifest"] = tmp_path / "no-manifest.tar.gz"
    _rewrite(good, bad["no manifest"], lambda name, data: None if name == "manifest.json" else data)
    bad["gzip of garbage"] = tmp_path / "garbage.tar.gz"
    bad["gzip of garbage"].write_bytes(gzip.compress(os.urandom(5000)))
    bad["missing"] = tmp_path / "does-not-exist.tar.gz"

    expected = {
        "truncated": "cannot be read",
        "not gzip": "cannot be read",
        "foreign": "'etc/passwd', which a backup never does",
        "tampered file": "does not match its checksum",
        "file left out": "is missing from it",
        "no manifest": "has no manifest.json",
        "gzip of garbage": "cannot be read",
        "missing": "does not exist",
    }
    for what, path in bad.items():
        done = install.invoke("restore", "--yes", str(path))
        assert done.returncode == 1, what
        assert expected[what] in done.stderr, (what, done.stderr)
        assert "Nothing was changed." in done.stderr, what
        assert "Traceback" not in done.stderr
    assert _rows(install) == before_rows and _files() == before_files

    # The other kind of database than the installation's.
    other = (
        {"SAMSPILL_MIGRATION_DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}"}
        if install.backend == "postgresql"
        else {"SAMSPILL_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    )
    done = install.invoke("restore", str(good), **other)
    assert done.returncode == 1
    assert f"holds a {install.backend} database, but this installation uses" in done.stderr
    assert not (tmp_path / "other.db").exists()
    assert _rows(install) == before_rows and _files() == before_files

    if install.backend == "postgresql":
        # Tables the backup does not have (a newer schema, or something else): refused even
        # with --yes, as --clean would leave them behind.
        owner = create_engine(install.owner_url)
        with owner.begin() as conn:
            conn.execute(text("CREATE TABLE stray (id integer)"))
        done = install.invoke("restore", "--yes", str(good))
        assert done.returncode == 1
        assert "The database has tables the backup does not (stray)" in done.stderr
        with owner.begin() as conn:
            conn.execute(text("DROP TABLE stray"))
        owner.dispose()
        assert _rows(install) == before_rows

    # A stored file with other bytes under one of the archive's names: only with --yes.
    key = "keys/schemes-reminder-opt-out.key"
    get_storage().put(key, b"another key" * 4)
    done = install.invoke("restore", str(good))
    assert done.returncode == 1
    assert "holds 1 file(s) with other bytes under the backup's names" in done.stderr
    assert "--yes" in done.stderr and get_storage().get(key) == b"another key" * 4
    assert _rows(install) == before_rows

    # The good archive still restores.
    done = install.run("restore", "--yes", str(good))
    assert done.returncode == 0, done.stderr
    assert "files: 3 put back, 0 already there" in done.stdout
    assert len(_rows(install)["request_attachment"]) == 2
    assert _files() == files


def test_backup_and_restore_of_a_bucket(s3_server: S3Server, tmp_path, monkeypatch):  # noqa: F811
    bucket = s3_server.bucket()
    db_file = tmp_path / "samspill.db"
    url = f"sqlite:///{db_file}"
    migrate(url)
    workdir = tmp_path / "srv"
    workdir.mkdir()
    env = _environment(
        database_url=url,
        environment="test",
        secret_key="",
        storage_backend="s3",
        s3_bucket=bucket,
        s3_endpoint_url=s3_server.endpoint,
        s3_prefix="samspill/",
        s3_access_key_id="samspill-test",
        s3_secret_access_key="samspill-test-secret",
    )
    install = Install("sqlite", url, url, url, workdir, env, lambda: None)
    _use(install, monkeypatch)
    _seed(install)
    rows, objects = _rows(install), s3_server.objects(bucket)
    assert PDF in objects.values() and len(objects) == 3

    done = install.run("backup", "-o", "bucket.tar.gz")
    assert done.returncode == 0, done.stderr
    assert "files: 3 " in done.stdout
    # Without --output: a dated name in the working folder.
    dated = install.invoke("backup")
    assert dated.returncode == 0, dated.stderr
    (named,) = [p.name for p in workdir.iterdir() if p.name != "bucket.tar.gz"]
    assert re.fullmatch(r"samspill-backup-\d{8}-\d{6}\.tar\.gz", named)
    assert dated.stdout.startswith(f"Wrote {named} (")

    db_file.unlink()
    for key in objects:
        s3_server.client.delete_object(Bucket=bucket, Key=key)
    assert s3_server.objects(bucket) == {}
    done = install.run("restore", "bucket.tar.gz")
    assert done.returncode == 0, done.stderr
    assert f"3 put back, 0 already there, in s3://{bucket}/samspill/" in done.stdout
    assert s3_server.objects(bucket) == objects
    assert _rows(install) == rows
    assert _serves_the_attachment(install) == PDF
    assert not (workdir / "var").exists()  # nothing went to a local storage folder


def test_a_backup_with_the_bucket_out_of_reach_writes_nothing(
    s3_server: S3Server,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    url = f"sqlite:///{tmp_path / 'samspill.db'}"
    migrate(url)
    workdir = tmp_path / "srv"
    workdir.mkdir()
    env = _environment(
        database_url=url,
        environment="test",
        storage_backend="s3",
        s3_bucket="samspill-never-made",
        s3_endpoint_url=s3_server.endpoint,
        s3_access_key_id="samspill-test",
        s3_secret_access_key="samspill-test-secret",
    )
    install = Install("sqlite", url, url, url, workdir, env, lambda: None)
    _use(install, monkeypatch)
    done = install.invoke("backup")
    assert done.returncode == 1
    assert "Cannot read the storage (s3://samspill-never-made/" in done.stderr
    assert "No archive was written." in done.stderr and "Traceback" not in done.stderr
    assert list(workdir.iterdir()) == []  # no archive, no temporary folder
