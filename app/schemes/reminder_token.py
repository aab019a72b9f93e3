"""The opt-out link in a reminder mail: the workspace and the address, signed with HMAC-SHA256,
so that the link works without a login and without a stored token, and cannot be made for
someone else's address.

The key comes from the ``secret_key`` setting; unset, it is 32 random bytes kept in the storage
under ``keys/`` (made on first use; in the local folder readable by the service only, in a
bucket beside the attachments). The web process and the worker share the storage, as they do
for attachments. A new key makes earlier links fail with a clear "invalid link" page, nothing
worse.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from app.config import get_settings
from app.storage import get_storage

KEY_FILE = "schemes-reminder-opt-out.key"
PURPOSE = b"samspill/schemes/reminder-opt-out/v1:"
MAX_TOKEN = 600  # base64 of a workspace id and a 254-character address, and the signature


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


KEY = f"keys/{KEY_FILE}"
_keys: dict[str, bytes] = {}


def _stored_key() -> bytes:
    """The random key kept in the storage, made on first use. Two processes starting at once
    end up with the same key: only the first one's is stored, and both read it back."""
    storage = get_storage()
    cached = _keys.get(storage.location)
    if cached is not None:
        return cached
    key = storage.get(KEY)
    if key is None:
        storage.create(KEY, secrets.token_bytes(32))
        key = storage.get(KEY)
    if key is None or len(key) < 32:
        raise RuntimeError(f"the key {KEY} in {storage.location} is missing or too short")
    _keys[storage.location] = key
    return key


def _key() -> bytes:
    configured = get_settings().secret_key
    if configured:
        return hashlib.sha256(b"samspill-key:" + configured.encode()).digest()
    return _stored_key()


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
