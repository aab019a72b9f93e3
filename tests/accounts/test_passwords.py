"""Password hashing at production cost. The rest of the suite hashes with a cheap argon2 (see
CHEAP_PASSWORD_HASH in tests/conftest.py); this is the one place that checks the real cost."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from app.accounts import service as accounts

ROOT = Path(__file__).resolve().parents[2]
# argon2id, version 19, 64 MiB of memory, 3 passes, 4 lanes, then salt and digest.
PRODUCTION = re.compile(r"\$argon2id\$v=19\$m=65536,t=3,p=4\$[^$]+\$[^$]+")

_HASH_IN_A_FRESH_PROCESS = """
from app.accounts import service
hashed = service.password_hash.hash("riktig-passord-123")
assert service.password_hash.verify("riktig-passord-123", hashed)
assert not service.password_hash.verify("feil-passord", hashed)
print(hashed)
"""


def test_the_product_hashes_passwords_at_production_cost() -> None:
    """A fresh process, as the service starts (without the tests' cheap hasher), hashes with
    argon2id at production cost, and its hash tells a right password from a wrong one."""
    done = subprocess.run(
        [sys.executable, "-c", _HASH_IN_A_FRESH_PROCESS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert PRODUCTION.fullmatch(done.stdout.strip()), done.stdout


def test_the_tests_hash_cheaply_and_their_hashes_check_anywhere() -> None:
    """The suite runs with the cheap hasher; a hash carries its own cost, so a cheap hash still
    verifies with the production hasher."""
    from pwdlib import PasswordHash

    cheap = accounts.password_hash.hash("riktig-passord-123")
    assert not PRODUCTION.fullmatch(cheap), "tests/conftest.py no longer installs a cheap hasher"
    assert PasswordHash.recommended().verify("riktig-passord-123", cheap)
