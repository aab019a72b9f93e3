"""The storage interface: the same contract for the local folder and for an S3-compatible bucket
(a real S3 server — moto in server mode — on loopback, reached through boto3 over HTTP), and an
attachment going through the app into a bucket and back."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from app.config import get_settings
from app.storage import LocalStorage, S3Storage, Storage, StorageError, get_storage, make_storage

S3_KEYS = {"access_key_id": "samspill-test", "secret_access_key": "samspill-test-secret"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class S3Server:
    """moto's S3 server on 127.0.0.1; ``bucket()`` makes a fresh bucket through boto3."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=S3_KEYS["access_key_id"],
            aws_secret_access_key=S3_KEYS["secret_access_key"],
        )

    def bucket(self) -> str:
        name = f"samspill-{uuid.uuid4().hex[:12]}"
        self.client.create_bucket(Bucket=name)
        return name

    def objects(self, bucket: str) -> dict[str, bytes]:
        listed = self.client.list_objects_v2(Bucket=bucket).get("Contents", [])
        return {
            o["Key"]: self.client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
            for o in listed
        }

    def env(self, monkeypatch: pytest.MonkeyPatch, bucket: str, prefix: str = "") -> None:
        """Point the app's settings at ``bucket``."""
        monkeypatch.setenv("SAMSPILL_STORAGE_BACKEND", "s3")
        monkeypatch.setenv("SAMSPILL_S3_BUCKET", bucket)
        monkeypatch.setenv("SAMSPILL_S3_ENDPOINT_URL", self.endpoint)
        monkeypatch.setenv("SAMSPILL_S3_PREFIX", prefix)
        monkeypatch.setenv("SAMSPILL_S3_ACCESS_KEY_ID", S3_KEYS["access_key_id"])
        monkeypatch.setenv("SAMSPILL_S3_SECRET_ACCESS_KEY", S3_KEYS["secret_access_key"])
        get_settings.cache_clear()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Server(f"http://127.0.0.1:{port}")
    finally:
        server.stop()


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "files")
    server: S3Server = request.getfixturevalue("s3_server")
    return S3Storage(server.bucket(), prefix="samspill/", endpoint_url=server.endpoint, **S3_KEYS)


# --- the contract, for both kinds -----------------------------------------------------------


def test_put_get_exists_delete(storage):
    storage.prepare()
    storage.check()
    assert storage.get("attachments/ab/abc") is None
    assert not storage.exists("attachments/ab/abc")
    storage.put("attachments/ab/abc", b"first")
    storage.put("attachments/ab/abc", b"second")  # replaced, all or nothing
    assert storage.get("attachments/ab/abc") == b"second"
    assert storage.exists("attachments/ab/abc")
    storage.put("empty", b"")
    assert storage.get("empty") == b""
    storage.delete("attachments/ab/abc")
    storage.delete("attachments/ab/abc")  # gone already: nothing happens
    assert storage.get("attachments/ab/abc") is None and not storage.exists("attachments/ab/abc")


def test_a_big_file_streams_in_chunks(storage):
    big = bytes(range(256)) * 1024 + b"tail"  # 256 KiB and a bit: several chunks
    storage.put("attachments/bi/big", big)
    opened = storage.open("attachments/bi/big")
    assert opened is not None and opened.size == len(big)
    chunks = list(opened)
    assert len(chunks) > 1 and max(len(c) for c in chunks) < len(big)
    assert b"".join(chunks) == big
    assert storage.open("attachments/no/none") is None


def test_keys_lists_every_file_sorted_under_a_prefix(storage):
    for key in ("attachments/cd/cd2", "attachments/ab/ab1", "keys/reminder.key", "top"):
        storage.put(key, key.encode())
    assert list(storage.list_keys()) == [
        "attachments/ab/ab1",
        "attachments/cd/cd2",
        "keys/reminder.key",
        "top",
    ]
    assert list(storage.list_keys("attachments/")) == ["attachments/ab/ab1", "attachments/cd/cd2"]
    assert list(storage.list_keys("nothing/")) == []


def test_create_keeps_the_first_writer(storage):
    assert storage.create("keys/k", b"one") is True
    assert storage.create("keys/k", b"two") is False
    assert storage.get("keys/k") == b"one"


def test_create_from_many_threads_at_once_stores_one(storage):
    results: dict[int, bool] = {}
    barrier = threading.Barrier(6)

    def race(n: int) -> None:
        barrier.wait()
        results[n] = storage.create("keys/raced", f"writer {n}".encode())

    threads = [threading.Thread(target=race, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [n for n, won in results.items() if won]
    assert len(results) == 6 and len(winners) == 1
    assert storage.get("keys/raced") == f"writer {winners[0]}".encode()


@pytest.mark.parametrize(
    "key", ["", "/abs", "a/../b", "../up", ".hidden", "a//b", "a/b.part", "sp ace", "a\\b", "æ"]
)
def test_a_bad_key_is_refused_and_nothing_is_written(storage, key):
    with pytest.raises(ValueError):
        storage.put(key, b"x")
    with pytest.raises(ValueError):
        storage.get(key)
    assert list(storage.list_keys()) == []


# --- each kind's own edges ------------------------------------------------------------------


def test_local_files_keep_the_old_layout_and_leave_no_temporary_files(tmp_path):
    storage = LocalStorage(tmp_path / "files")
    storage.put("attachments/ab/abcdef", b"bytes")
    assert (tmp_path / "files" / "attachments" / "ab" / "abcdef").read_bytes() == b"bytes"
    assert [p.name for p in (tmp_path / "files" / "attachments" / "ab").iterdir()] == ["abcdef"]
    # A file already there (written by an earlier version) is read by its key.
    old = tmp_path / "files" / "attachments" / "01" / "0123"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"from before")
    assert storage.get("attachments/01/0123") == b"from before"
    # Temporary and hidden files, and names the app never makes, are not listed as stored.
    (old.parent / "0123.part").write_bytes(b"half")
    (old.parent / ".0123.abc.part").write_bytes(b"half")
    (tmp_path / "files" / "notater fra drift.txt").write_bytes(b"someone else's")
    assert list(storage.list_keys()) == ["attachments/01/0123", "attachments/ab/abcdef"]


def test_a_created_local_key_is_private(tmp_path):
    storage = LocalStorage(tmp_path / "files")
    storage.create("keys/secret.key", b"k" * 32)
    assert (tmp_path / "files" / "keys" / "secret.key").stat().st_mode & 0o077 == 0


def test_local_check_fails_for_a_missing_folder_and_makes_nothing(tmp_path):
    storage = LocalStorage(tmp_path / "gone" / "files")
    with pytest.raises(StorageError):
        storage.check()
    assert not (tmp_path / "gone").exists()
    storage.prepare()
    storage.check()


def test_s3_check_fails_for_a_missing_bucket_or_wrong_keys(s3_server):
    missing = S3Storage("no-such-bucket", endpoint_url=s3_server.endpoint, **S3_KEYS)
    with pytest.raises(Exception, match=r"404|Not Found|NoSuchBucket"):
        missing.check()
    bucket = s3_server.bucket()
    S3Storage(bucket, endpoint_url=s3_server.endpoint, **S3_KEYS).check()


def test_s3_keys_sit_under_the_prefix_and_other_objects_are_not_ours(s3_server):
    bucket = s3_server.bucket()
    s3_server.client.put_object(Bucket=bucket, Key="someone-else/file", Body=b"not ours")
    s3_server.client.put_object(Bucket=bucket, Key="samspill/a copy", Body=b"not ours either")
    storage = S3Storage(bucket, prefix="samspill/", endpoint_url=s3_server.endpoint, **S3_KEYS)
    storage.put("attachments/ab/abc", b"ours")
    assert s3_server.objects(bucket) == {
        "samspill/a copy": b"not ours either",
        "samspill/attachments/ab/abc": b"ours",
        "someone-else/file": b"not ours",
    }
    assert list(storage.list_keys()) == ["attachments/ab/abc"]


def test_get_storage_follows_the_settings(monkeypatch, s3_server, storage_dir):
    local = get_storage()
    assert isinstance(local, LocalStorage) and local.root == storage_dir
    assert get_storage() is local  # made once per settings
    bucket = s3_server.bucket()
    s3_server.env(monkeypatch, bucket, prefix="sp")
    s3 = get_storage()
    assert isinstance(s3, S3Storage) and s3.bucket == bucket and s3.prefix == "sp/"
    monkeypatch.delenv("SAMSPILL_S3_BUCKET")
    get_settings.cache_clear()
    with pytest.raises(StorageError, match="SAMSPILL_S3_BUCKET"):
        make_storage(get_settings())


# --- through the app ------------------------------------------------------------------------


def test_an_attachment_goes_to_the_bucket_and_comes_back(
    client, db, ws, monkeypatch, s3_server, storage_dir
):
    from factories import bearer, create_help_request, create_member

    bucket = s3_server.bucket()
    s3_server.env(monkeypatch, bucket, prefix="samspill/")
    osen = create_member(db, ws, "municipal")
    number = create_help_request(db, ws, osen).number
    headers = bearer(db, ws, osen)
    assert client.get("/readyz").json()["checks"]["storage"] == "ok"

    pdf = b"%PDF-1.4\n% vedtak i Osen\n%%EOF\n"
    base = f"/api/v1/{ws.slug}/helpdesk/requests/{number}"
    r = client.post(
        f"{base}/attachments",
        files=[("files", ("Vedtak for Åfjord.pdf", pdf, "application/pdf"))],
        headers=headers,
    )
    assert r.status_code == 201, r.text
    got = client.get(r.json()[0]["url"], headers=headers)
    assert got.status_code == 200 and got.content == pdf
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-length"] == str(len(pdf))
    assert got.headers["content-disposition"] == (
        'attachment; filename="Vedtak for Afjord.pdf"; '
        "filename*=UTF-8''Vedtak%20for%20%C3%85fjord.pdf"
    )
    assert got.headers["cache-control"] == "private, no-store"
    assert got.headers["x-content-type-options"] == "nosniff"

    # The bytes are in the bucket, in the same layout as the folder, and not in the folder.
    stored = s3_server.objects(bucket)
    assert list(stored.values()) == [pdf]
    (key,) = stored
    assert key.startswith("samspill/attachments/") and key.split("/")[2] == key.split("/")[3][:2]
    assert not (storage_dir / "attachments").exists()

    # Bytes gone from the bucket: a plain 404, never a stack trace.
    s3_server.client.delete_object(Bucket=bucket, Key=key)
    assert client.get(r.json()[0]["url"], headers=headers).status_code == 404


def test_the_app_is_not_ready_while_the_bucket_is_missing(client, monkeypatch, s3_server):
    s3_server.env(monkeypatch, "samspill-never-made")
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["failed"] == ["storage"]


def test_the_reminder_key_lives_in_the_bucket(monkeypatch, s3_server, storage_dir):
    from app.schemes import reminder_token

    monkeypatch.delenv("SAMSPILL_SECRET_KEY", raising=False)
    bucket = s3_server.bucket()
    s3_server.env(monkeypatch, bucket)
    token = reminder_token.make(7, "post@osen.kommune.no")
    assert reminder_token.read(token) == (7, "post@osen.kommune.no")
    stored = s3_server.objects(bucket)
    assert list(stored) == ["keys/schemes-reminder-opt-out.key"]
    assert len(stored["keys/schemes-reminder-opt-out.key"]) == 32
    assert not storage_dir.exists()
    # Another process (an empty cache) with the same bucket reads the same key.
    reminder_token._keys.clear()
    assert reminder_token.read(token) == (7, "post@osen.kommune.no")
    # A different bucket is a different key: the link no longer checks out.
    s3_server.env(monkeypatch, s3_server.bucket())
    assert reminder_token.read(token) is None
