"""(being written)"""

from __future__ import annotations

from typing import Any

from app.registry import Contribution


def contribution(session: Any, ctx: Any) -> Contribution | None:
    return None
