"""The archive: a gzipped tar file of ``database.*``, ``files/<key>`` and ``manifest.json``;
read whole and checked against its manifest before anything is restored from it."""

from __future__ import annotations

import hashlib
import json
import re
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from app.ops.backup.common import (
    BUFFER,
    DATABASE_MEMBER,
    FILES,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    BackupError,
)
from app.storage import check_key

_SHA256 = re.compile(r"[0-9a-f]{64}")


def member(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(mtime)
    return info


@dataclass
class Checked:
    """An archive that was read whole and matched its manifest."""

    manifest: dict[str, Any]
    database: Path  # the database part, extracted
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> size, sha256

    @property
    def kind(self) -> str:
        return str(self.manifest["database"]["kind"])

    @property
    def revision(self) -> str:
        return str(self.manifest["alembic_revision"])


def not_ours(archive: Path, why: str) -> BackupError:
    return BackupError(f"{archive} is not a usable Samspill backup: {why}. Nothing was changed.")


def _valid_manifest(archive: Path, raw: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise not_ours(archive, "its manifest.json is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise not_ours(archive, "its manifest.json is not a Samspill backup's")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise not_ours(
            archive,
            f"it is of format version {manifest.get('format_version')!r}; this version of "
            f"Samspill reads {FORMAT_VERSION}",
        )
    database = manifest.get("database")
    files = manifest.get("files")
    ok = (
        isinstance(database, dict)
        and isinstance(database.get("kind"), str)
        and database["kind"] in DATABASE_MEMBER
        and database.get("member") == DATABASE_MEMBER[database["kind"]]
        and isinstance(database.get("size"), int)
        and _SHA256.fullmatch(str(database.get("sha256")))
        and isinstance(manifest.get("alembic_revision"), str)
        and isinstance(files, list)
        and manifest.get("file_count") == len(files)
        and all(
            isinstance(f, dict)
            and isinstance(f.get("key"), str)
            and isinstance(f.get("size"), int)
            and _SHA256.fullmatch(str(f.get("sha256")))
            for f in files
        )
    )
    if not ok:
        raise not_ours(archive, "its manifest.json is incomplete")
    return manifest


def read_archive(archive: Path, workdir: Path) -> Checked:
    """Read the whole archive: every member's checksum against the manifest, the database part
    extracted into ``workdir``. Raises BackupError for anything else."""
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist (or is not a file). Nothing was changed.")
    seen: dict[str, tuple[int, str]] = {}
    manifest_raw: bytes | None = None
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                name = member.name
                if not member.isreg():
                    raise not_ours(archive, f"it holds {name!r}, which is not a plain file")
                if name in seen or (name == MANIFEST and manifest_raw is not None):
                    raise not_ours(archive, f"it holds {name!r} twice")
                stream = tar.extractfile(member)
                assert stream is not None  # a regular member always has one
                if name == MANIFEST:
                    manifest_raw = stream.read(64 * 1024 * 1024)
                elif name in DATABASE_MEMBER.values():
                    seen[name] = _copy(stream, workdir / name)
                elif name.startswith(FILES):
                    try:
                        check_key(name[len(FILES) :])
                    except ValueError:
                        raise not_ours(archive, f"it holds a file named {name!r}") from None
                    seen[name] = _copy(stream, None)
                else:
                    raise not_ours(archive, f"it holds {name!r}, which a backup never does")
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise not_ours(archive, f"it cannot be read as a .tar.gz file ({exc})") from None
    if manifest_raw is None:
        raise not_ours(archive, "it has no manifest.json")
    manifest = _valid_manifest(archive, manifest_raw)

    database = manifest["database"]
    expected = {database["member"]: (database["size"], database["sha256"])}
    expected.update({FILES + f["key"]: (f["size"], f["sha256"]) for f in manifest["files"]})
    for name, (size, digest) in expected.items():
        if name not in seen:
            raise not_ours(archive, f"{name} is missing from it")
        if seen[name] != (size, digest):
            raise not_ours(archive, f"{name} does not match its checksum (damaged)")
    extra = sorted(set(seen) - set(expected))
    if extra:
        raise not_ours(archive, f"{extra[0]} is not in its manifest")
    return Checked(
        manifest=manifest,
        database=workdir / database["member"],
        files={f["key"]: f for f in manifest["files"]},
    )


def _copy(stream: IO[bytes], target: Path | None) -> tuple[int, str]:
    """Size and SHA-256 of ``stream``, written to ``target`` when given."""
    digest = hashlib.sha256()
    size = 0
    out = open(target, "wb") if target is not None else None  # noqa: SIM115
    try:
        while block := stream.read(BUFFER):
            digest.update(block)
            size += len(block)
            if out is not None:
                out.write(block)
    finally:
        if out is not None:
            out.close()
    return size, digest.hexdigest()
