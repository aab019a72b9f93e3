"""The national schemes as reference data: the data file shipped in ``app/schemes/data/`` and
the loader `samspill migrate` runs (through ``Module.reference``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.schemes.models import Scheme, areas_of
from app.tenancy import scoped_national

DATA_FILE = Path(__file__).resolve().parent / "data" / "national_schemes.json"
NATIONAL_FIELDS = (
    "name",
    "owner",
    "level",
    "purpose",
    "eligible",
    "co_funding",
    "areas",
    "url",
    "status_note",
)


def national_records() -> list[dict[str, Any]]:
    with DATA_FILE.open(encoding="utf-8") as fh:
        rows: list[dict[str, Any]] = json.load(fh)
    return rows


def load_reference(session: Session) -> dict[str, int]:
    """Add the national schemes of the data file that are missing and bring the others in line
    with it (the file is the national record; counties keep their word in notes)."""
    have = {s.key: s for s in session.scalars(scoped_national(Scheme))}
    added = 0
    for row in national_records():
        values = {k: row.get(k, "") for k in NATIONAL_FIELDS}
        values["areas"] = areas_of(row.get("areas"))
        scheme = have.get(row["key"])
        if scheme is None:
            session.add(Scheme(workspace_id=None, key=row["key"], **values))
            added += 1
        else:
            for k, v in values.items():
                if getattr(scheme, k) != v:
                    setattr(scheme, k, v)
    session.flush()
    return {"schemes": added}
