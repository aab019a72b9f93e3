"""Where files live (attachments, innovation files, the reminder key): one small interface with
two kinds behind it, chosen by the settings.

- ``LocalStorage`` — files under ``storage_dir`` (the embedded default). Each file is written to
  a temporary name, synced and renamed, so a reader never sees half a file.
- ``S3Storage`` — an S3-compatible bucket (``storage_backend="s3"``), which several app
  machines can share.

Keys are relative, ``/``-separated paths of plain characters (``attachments/ab/ab12…``); in a
bucket they sit under ``s3_prefix``. ``get_storage()`` gives the storage of the current settings.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.config import Settings, get_settings

CHUNK = 64 * 1024
_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


class StorageError(RuntimeError):
    """The storage cannot be used (misconfigured, unreachable, or a key it refuses)."""


def is_key(key: str) -> bool:
    try:
        check_key(key)
    except ValueError:
        return False
    return True


def check_key(key: str) -> str:
    """``key`` when it is a valid storage key, else ValueError. A segment may not start with a
    dot (no ``..``, no hidden or temporary names) and may not end in ``.part``."""
    parts = key.split("/")
    if not key or len(key) > 512 or not all(_SEGMENT.fullmatch(p) for p in parts):
        raise ValueError(f"invalid storage key {key!r}")
    if parts[-1].endswith(".part"):
        raise ValueError(f"invalid storage key {key!r}")
    return key


class Opened:
    """A stored file opened for reading: its size, and its bytes in chunks (closed when the
    chunks are used up, or by ``close()``)."""

    def __init__(self, size: int, chunks: Iterator[bytes], close: Any) -> None:
        self.size = size
        self._chunks = chunks
        self._close = close

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._chunks
        finally:
            self.close()

    def close(self) -> None:
        if self._close is not None:
            close, self._close = self._close, None
            close()


class Storage:
    """What every kind of storage offers."""

    kind: str = ""

    @property
    def location(self) -> str:
        """Where the files are, for messages and logs (no secrets)."""
        raise NotImplementedError

    def prepare(self) -> None:
        """Set up what the storage needs at start (the local folder); never fails the start."""

    def check(self) -> None:
        """Raise when files cannot be stored now (for /readyz). Changes nothing."""
        raise NotImplementedError

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key``, replacing what was there, all or nothing."""
        raise NotImplementedError

    def create(self, key: str, data: bytes) -> bool:
        """Store ``data`` under ``key`` only if nothing is there yet; False when something was
        (two processes doing this at once: one wins, both then read the winner's bytes)."""
        raise NotImplementedError

    def get(self, key: str) -> bytes | None:
        """The bytes under ``key``, or None when there are none."""
        opened = self.open(key)
        if opened is None:
            return None
        return b"".join(opened)

    def open(self, key: str) -> Opened | None:
        """The file under ``key`` for reading in chunks, or None when there is none."""
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens when it is not there."""
        raise NotImplementedError

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """Every key that starts with ``prefix``, in sorted order. Names that are no valid key
        (temporary files, what someone else put there) are not listed."""
        raise NotImplementedError


class LocalStorage(Storage):
    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def location(self) -> str:
        return str(self.root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def check(self) -> None:
        if not self.root.is_dir():
            raise StorageError(f"storage folder {self.root} does not exist")
        with tempfile.TemporaryFile(dir=self.root, prefix=".readyz-"):
            pass  # created and removed: the folder is writable

    def _write_temporary(self, path: Path, data: bytes, mode: int) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        tmp = self._write_temporary(path, data, 0o666)  # the umask decides, as for open()
        os.replace(tmp, path)

    def create(self, key: str, data: bytes) -> bool:
        # Private to the service (keys are secrets); linked into place, which fails when a file
        # is there already, so a second process never replaces the first one's.
        path = self._path(key)
        tmp = self._write_temporary(path, data, 0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        finally:
            tmp.unlink()
        return True

    def open(self, key: str) -> Opened | None:
        path = self._path(key)
        try:
            fh = open(path, "rb")  # noqa: SIM115 (closed by Opened)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        size = os.fstat(fh.fileno()).st_size
        return Opened(size, iter(lambda: fh.read(CHUNK), b""), fh.close)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        if not self.root.is_dir():
            return
        found = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            base = Path(dirpath).relative_to(self.root).as_posix()
            for name in filenames:
                key = name if base == "." else f"{base}/{name}"
                if key.startswith(prefix) and is_key(key):  # not temporary files
                    found.append(key)
        yield from sorted(found)


class S3Storage(Storage):
    kind = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        config = Config(
            signature_version="s3v4",
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
            # S3-compatible servers (MinIO, Ceph, most providers) answer on path-style addresses.
            s3={"addressing_style": "path" if endpoint_url else "auto"},
        )
        # A session of its own: boto3's default session is not safe to share between threads;
        # the clients made from it are.
        session = boto3.session.Session()
        options: dict[str, Any] = {
            "endpoint_url": endpoint_url,
            "region_name": region,
            "aws_access_key_id": access_key_id,
            "aws_secret_access_key": secret_access_key,
        }
        self.client: Any = session.client("s3", config=config, **options)
        # /readyz answers within a load balancer's patience: one try, short waits.
        quick = config.merge(Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 1}))
        self._probe: Any = session.client("s3", config=quick, **options)

    @property
    def location(self) -> str:
        where = f"s3://{self.bucket}/{self.prefix}"
        return f"{where} at {self.endpoint_url}" if self.endpoint_url else where

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    @staticmethod
    def _missing(exc: Exception) -> bool:
        from botocore.exceptions import ClientError

        if not isinstance(exc, ClientError):
            return False
        code = str(exc.response.get("Error", {}).get("Code", ""))
        return code in {"NoSuchKey", "404", "NotFound"}

    def check(self) -> None:
        # HEAD of the bucket: reachable, there, and these credentials may use it. Nothing is
        # written: /readyz is asked every few seconds.
        self._probe.head_bucket(Bucket=self.bucket)

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def create(self, key: str, data: bytes) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self._key(key), Body=data, IfNoneMatch="*"
            )
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in {"PreconditionFailed", "412", "ConditionalRequestConflict"}:
                return False
            raise
        return True

    def open(self, key: str) -> Opened | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except Exception as exc:
            if self._missing(exc):
                return None
            raise
        body = response["Body"]
        return Opened(int(response["ContentLength"]), body.iter_chunks(CHUNK), body.close)

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except Exception as exc:
            if self._missing(exc):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        )
        for page in pages:  # S3 lists keys in UTF-8 binary order, which is sorted for ours
            for item in page.get("Contents", []):
                key = item["Key"][len(self.prefix) :]
                if is_key(key):
                    yield key


def make_storage(settings: Settings) -> Storage:
    """The storage the settings describe."""
    if settings.storage_backend == "s3":
        if not settings.s3_bucket:
            raise StorageError("SAMSPILL_STORAGE_BACKEND=s3 needs SAMSPILL_S3_BUCKET")
        prefix = settings.s3_prefix
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        return S3Storage(
            settings.s3_bucket,
            prefix=prefix,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
        )
    return LocalStorage(Path(settings.storage_dir))


_lock = threading.Lock()
_cached: tuple[Settings, Storage] | None = None


def get_storage(settings: Settings | None = None) -> Storage:
    """The storage of ``settings`` (default: the current settings), made once per settings
    object (a new one after ``get_settings.cache_clear()``)."""
    global _cached
    settings = settings or get_settings()
    with _lock:
        if _cached is None or _cached[0] is not settings:
            _cached = (settings, make_storage(settings))
        return _cached[1]
