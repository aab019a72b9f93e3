"""The two use cases: make an archive of the installation, and put one back."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.config import Settings
from app.ops.backup import postgres, sqlite
from app.ops.backup.archive import Checked, member, not_ours, read_archive
from app.ops.backup.common import (
    DATABASE_MEMBER,
    FILES,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    BackupError,
    database_kind,
    first_line,
    sha256_file,
)
from app.storage import Storage, get_storage


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("samspill")
    except PackageNotFoundError:
        return "unknown"


def _script() -> Any:
    from alembic.script import ScriptDirectory

    from app.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config())


@contextmanager
def _storage_errors(storage: Storage, doing: str, after: str = "") -> Iterator[None]:
    """A storage that fails (a bucket out of reach, a full disk) as an operator's error."""
    try:
        yield
    except BackupError:
        raise
    except Exception as exc:
        raise BackupError(
            f"Cannot {doing} the storage ({storage.location}): {first_line(exc)}. {after}".strip()
        ) from exc


@dataclass
class BackupSummary:
    path: Path
    size: int
    kind: str
    revision: str
    database_size: int
    files: int
    files_size: int


def default_output(now: datetime | None = None) -> Path:
    from app.clock import now as oslo_now

    stamp = (now or oslo_now()).strftime("%Y%m%d-%H%M%S")
    return Path(f"samspill-backup-{stamp}.tar.gz")


def make_backup(settings: Settings, output: Path) -> BackupSummary:
    """Write the archive to ``output`` (never over an existing file)."""
    if output.exists():
        raise BackupError(f"{output} exists already; choose another name with --output.")
    url = settings.owner_database_url
    kind = database_kind(url)
    storage = get_storage(settings)
    created = datetime.now(UTC)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".samspill-backup-") as tmp:
        db_file = Path(tmp) / DATABASE_MEMBER[kind]
        if kind == "postgresql":
            revision = postgres.dump(url, db_file)
        else:
            revision = sqlite.dump(url, db_file)
        db_size, db_sha = sha256_file(db_file)

        partial = Path(tmp) / "archive.tar.gz"
        files: list[dict[str, Any]] = []
        mtime = created.timestamp()
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # personal data
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                with open(db_file, "rb") as fh:
                    tar.addfile(member(db_file.name, db_size, mtime), fh)
                with _storage_errors(storage, "read", "No archive was written."):
                    keys = list(storage.list_keys())  # after the dump: the files it refers to
                for key in keys:
                    with _storage_errors(storage, "read", "No archive was written."):
                        data = storage.get(key)
                    if data is None:
                        continue  # removed since it was listed
                    tar.addfile(member(FILES + key, len(data), mtime), io.BytesIO(data))
                    digest = hashlib.sha256(data).hexdigest()
                    files.append({"key": key, "size": len(data), "sha256": digest})
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "app_version": _app_version(),
                    "created_at": created.isoformat(timespec="seconds"),
                    "alembic_revision": revision,
                    "database": {
                        "kind": kind,
                        "member": db_file.name,
                        "size": db_size,
                        "sha256": db_sha,
                    },
                    "storage_backend": storage.kind,
                    "file_count": len(files),
                    "files": files,
                }
                body = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
                tar.addfile(member(MANIFEST, len(body), mtime), io.BytesIO(body))
            raw.flush()
            os.fsync(raw.fileno())
        if output.exists():
            raise BackupError(f"{output} appeared while the backup was made; nothing was written.")
        os.replace(partial, output)
    return BackupSummary(
        path=output,
        size=output.stat().st_size,
        kind=kind,
        revision=revision,
        database_size=db_size,
        files=len(files),
        files_size=sum(int(f["size"]) for f in files),
    )


@dataclass
class RestoreSummary:
    kind: str
    revision: str
    head: str
    files_put: int
    files_same: int
    location: str
    warnings: list[str] = field(default_factory=list)


def _check_revision(revision: str) -> str:
    """The newest revision this version knows; BackupError when the archive's is unknown."""
    script = _script()
    try:
        known = script.get_revision(revision)
    except Exception:
        known = None
    if known is None:
        raise BackupError(
            f"The backup's schema (revision {revision}) is unknown to this version of Samspill: "
            "it was made by a newer one. Restore it with that version or a later one. "
            "Nothing was changed."
        )
    return str(script.get_current_head())


def _compare_files(storage: Storage, checked: Checked, yes: bool) -> set[str]:
    """The archive's files that the storage already holds with the same bytes (left as they
    are). Others with other bytes are only replaced with ``yes``."""
    present = set(storage.list_keys())
    same, different = set(), []
    for key in sorted(present & set(checked.files)):
        opened = storage.open(key)
        if opened is None:
            continue
        digest = hashlib.sha256()
        for chunk in opened:
            digest.update(chunk)
        if digest.hexdigest() == checked.files[key]["sha256"]:
            same.add(key)
        else:
            different.append(key)
    if different and not yes:
        raise BackupError(
            f"The storage ({storage.location}) holds {len(different)} file(s) with other bytes "
            f"under the backup's names (e.g. {different[0]}). Run again with --yes to replace "
            "them. Nothing was changed."
        )
    return same


def _put_files(archive: Path, storage: Storage, checked: Checked, skip: set[str]) -> int:
    put = 0
    with tarfile.open(archive, mode="r:gz") as tar:
        for entry in tar:
            if not entry.name.startswith(FILES):
                continue
            key = entry.name[len(FILES) :]
            if key in skip:
                continue
            stream = tar.extractfile(entry)
            assert stream is not None
            data = stream.read()
            if hashlib.sha256(data).hexdigest() != checked.files[key]["sha256"]:
                raise BackupError(f"{archive} changed while it was being restored ({key}).")
            storage.put(key, data)
            put += 1
    return put


def restore_backup(settings: Settings, archive: Path, *, yes: bool = False) -> RestoreSummary:
    url = settings.owner_database_url
    kind = database_kind(url)
    storage = get_storage(settings)
    with tempfile.TemporaryDirectory(prefix="samspill-restore-") as tmp:
        checked = read_archive(archive, Path(tmp))
        if checked.kind != kind:
            raise BackupError(
                f"The backup holds a {checked.kind} database, but this installation uses "
                f"{kind}. Nothing was changed."
            )
        head = _check_revision(checked.revision)
        if kind == "postgresql":
            postgres.check_target(url, checked.database, yes)
        else:
            if sqlite.revision(checked.database) != checked.revision:
                raise not_ours(archive, "its database's schema differs from its manifest")
            sqlite.check_target(sqlite.path_of(url), yes)
        with _storage_errors(storage, "read", "Nothing was changed."):
            same = _compare_files(storage, checked, yes)

        # Checked: now the changes. Files first, so that no restored row lacks its file.
        with _storage_errors(
            storage,
            "write to",
            "Some files may have been put back; the database was not touched. Run the restore "
            "again when the storage works.",
        ):
            put = _put_files(archive, storage, checked, same)
        warnings: list[str] = []
        if kind == "postgresql":
            warnings = postgres.restore(settings, checked.database)
        else:
            sqlite.restore(checked.database, sqlite.path_of(url))
    return RestoreSummary(
        kind=kind,
        revision=checked.revision,
        head=head,
        files_put=put,
        files_same=len(same),
        location=storage.location,
        warnings=warnings,
    )
