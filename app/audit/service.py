"""The audit log: every write in a workspace records who, when, what object and what changed.

A session hook (installed once, for every Session) inspects each flush. Objects of models that
set ``__audited__ = False`` are skipped; columns named in ``__audit_redact__`` are recorded as
changed but without their values (password hashes, token hashes); columns named in
``__audit_derived__`` (kept in step with other rows by the code) are left out of updates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction, selectinload
from sqlalchemy.orm.attributes import get_history

from app.audit.models import AuditEvent
from app.clock import OSLO
from app.db import utcnow
from app.tenancy import scoped

REDACTED = "***"
DEFAULT_REDACT = frozenset({"password_hash", "token_hash"})


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return value
    return str(value)


def _object_id(obj: Any) -> str:
    # After the INSERT the primary key is on the object even before its identity is registered.
    values = inspect(obj).mapper.primary_key_from_instance(obj)
    if all(v is not None for v in values):
        return "/".join(str(v) for v in values)
    return "?"


def _changes(obj: Any, action: str) -> dict[str, Any]:
    state = inspect(obj)
    redact = DEFAULT_REDACT | frozenset(getattr(obj, "__audit_redact__", ()))
    # Columns derived from other rows (a stored due time, an open flag): an update that changes
    # only those is not a change anyone made.
    derived = frozenset(getattr(obj, "__audit_derived__", ()))
    out: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in {"created_at", "updated_at"} or (action == "update" and key in derived):
            continue
        if action == "create":
            value = getattr(obj, key)
            if value is None:
                continue
            out[key] = REDACTED if key in redact else _plain(value)
        elif action == "delete":
            value = state.attrs[key].loaded_value
            out[key] = REDACTED if key in redact else _plain(value)
        else:
            hist = get_history(obj, key)
            if not hist.has_changes():
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            out[key] = [REDACTED, REDACTED] if key in redact else [_plain(old), _plain(new)]
    return out


def _audited(obj: Any) -> bool:
    return bool(getattr(type(obj), "__audited__", True))


def record_flush(session: Session, _ctx: UOWTransaction) -> None:
    workspace_id = session.info.get("workspace_id")
    actor_id = session.info.get("actor_id")
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not _audited(obj):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            ws = getattr(obj, "workspace_id", None) or workspace_id
            if ws is None:
                continue  # global writes outside a workspace (logins, reference data)
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append(
                {
                    "workspace_id": ws,
                    "actor_id": actor_id,
                    "created_at": now,
                    "action": action,
                    "object_type": type(obj).__tablename__,
                    "object_id": _object_id(obj),
                    "changes": changes,
                }
            )
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


def record_event(
    session: Session, workspace_id: int, actor_id: int | None, obj: Any, changes: dict[str, Any]
) -> None:
    """Record an answer one workspace gives about another's object (a county accepting a body
    shared with it): the flush hook records writes in the object's own workspace, this in the
    workspace that answered."""
    session.connection().execute(
        insert(AuditEvent),
        [
            {
                "workspace_id": workspace_id,
                "actor_id": actor_id,
                "created_at": utcnow(),
                "action": "update",
                "object_type": type(obj).__tablename__,
                "object_id": _object_id(obj),
                "changes": {k: _plain(v) for k, v in changes.items()},
            }
        ],
    )


@dataclass
class AuditFilter:
    actor_id: int | None = None
    object_type: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    before_id: int | None = None


def list_events(
    session: Session, workspace_id: int, filters: AuditFilter, limit: int = 50
) -> list[AuditEvent]:
    query = scoped(AuditEvent, workspace_id)
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if filters.date_from:
        query = query.where(
            AuditEvent.created_at
            >= datetime.combine(filters.date_from, time.min, OSLO).astimezone(UTC)
        )
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, OSLO).astimezone(UTC)
        query = query.where(AuditEvent.created_at < end)
    if filters.before_id:
        query = query.where(AuditEvent.id < filters.before_id)
    query = (
        query.order_by(AuditEvent.id.desc()).limit(limit).options(selectinload(AuditEvent.actor))
    )
    return list(session.scalars(query))


def object_types(session: Session, workspace_id: int) -> list[str]:
    query = (
        scoped(AuditEvent, workspace_id)
        .with_only_columns(AuditEvent.object_type)
        .distinct()
        .order_by(AuditEvent.object_type)
    )
    return list(session.scalars(query))


event.listen(Session, "after_flush", record_flush)
