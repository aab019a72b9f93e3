"""(being written)"""

from __future__ import annotations

from typing import Any


def load(session: Any, workspaces: Any) -> None:
    return None
