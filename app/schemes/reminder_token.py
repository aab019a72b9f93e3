"""The opt-out link in a reminder mail: the workspace and the address, signed with HMAC-SHA256,
so that the link works without a login and without a stored token, and cannot be made for
someone else's address.

The key comes from the ``secret_key`` setting; unset, it is 32 random bytes kept in
``storage_dir/keys/`` (made on first use, readable by the
service only). The web process and the worker share the storage folder, as they do for
attachments. A new key makes earlier links fail with a clear "invalid link" page, nothing worse.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from app.config import get_settings

KEY_FILE = "schemes-reminder-opt-out.key"
PURPOSE = b"samspill/schemes/reminder-opt-out/v1:"
MAX_TOKEN = 600  # base64 of a workspace id and a 254-character address, and the signature


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache
def _key_at(path: str) -> bytes:
    target = Path(path)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written to a private temporary file, then linked into place: two processes starting
        # at once end up with the same key (the second link fails and it reads the first).
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(8)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_bytes(32))
        finally:
            os.close(fd)
        try:
            os.link(tmp, target)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = target.read_bytes()
    if len(key) < 32:
        raise RuntimeError(f"the key in {target} is too short")
    return key


def _key() -> bytes:
    configured = get_settings().secret_key
    if configured:
        return hashlib.sha256(b"samspill-key:" + configured.encode()).digest()
    return _key_at(str(Path(get_settings().storage_dir) / "keys" / KEY_FILE))


def _signature(payload: bytes) -> bytes:
    return hmac.new(_key(), PURPOSE + payload, hashlib.sha256).digest()[:18]


def make(workspace_id: int, email: str) -> str:
    """The token for ``email`` in the workspace (the address as stored, in lower case)."""
    payload = f"{workspace_id}:{email.strip().lower()}".encode()
    return f"{_b64(payload)}.{_b64(_signature(payload))}"


def read(token: str) -> tuple[int, str] | None:
    """The workspace id and address a token was made for, or None for anything else."""
    if len(token) > MAX_TOKEN or token.count(".") != 1:
        return None
    body, signature = token.split(".")
    try:
        payload = _unb64(body)
        given = _unb64(signature)
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(given, _signature(payload)):
        return None
    workspace, _sep, email = payload.decode("utf-8", "replace").partition(":")
    if not workspace.isdecimal() or "@" not in email:
        return None
    return int(workspace), email
