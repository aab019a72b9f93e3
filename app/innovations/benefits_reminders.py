"""(being written)"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker


def job(factory: sessionmaker[Session]) -> dict[str, int]:
    return {}
