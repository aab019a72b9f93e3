"""Importing bodies: a row per body, matched by name; the parent is named in ``overordnet``
(in the file or already stored), and the tree is written parents first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.i18n import _
from app.networks import service as networks_service
from app.networks.labels import KIND_LABELS, THEME_LABELS
from app.networks.models import Body
from app.networks.schemas import BodyForm
from app.networks.transfer.columns import BODY_COLUMNS, NO, YES, body_values, name_key
from app.networks.transfer.rows import ImportResult, Record, known_code, required, validated
from app.tenancy import scoped

BODY_FIELDS = {
    "name": "navn",
    "kind": "type",
    "theme": "tema",
    "parent_id": "overordnet",
    "description": "beskrivelse",
    "purpose": "formål",
    "contact_name": "kontaktperson",
    "contact_email": "e-post",
    "contact_phone": "telefon",
    "website": "nettside",
}


@dataclass
class _BodyPlan:
    row: int
    name: str
    existing: Body | None
    form: BodyForm
    parent_key: str | None
    parent_name: str
    archived: bool


def import_bodies(
    session: Session, ws: Workspace, records: list[Record], result: ImportResult
) -> None:
    own = list(session.scalars(scoped(Body, ws.id)))
    by_key = {name_key(b.name): b for b in own}
    names = {b.id: b.name for b in own}
    plans: dict[str, _BodyPlan] = {}
    for row, values in records:
        before = len(result.errors)
        name = required(values, "navn", row, result)
        if not name:
            continue
        key = name_key(name)
        if key in plans:
            result.error(
                row,
                "navn",
                _("Organet står også i rad {other}.").format(other=plans[key].row),
            )
            continue
        existing = by_key.get(key)
        merged = body_values(existing, names) if existing else dict.fromkeys(BODY_COLUMNS, "")
        merged.update(values)
        kind = required(merged, "type", row, result)
        if kind:
            kind = known_code(kind, KIND_LABELS, "type", row, result) or kind
        if merged["tema"]:
            theme = merged["tema"]
            merged["tema"] = known_code(theme, THEME_LABELS, "tema", row, result) or theme
        archived = merged["arkivert"].lower()
        if archived not in YES | NO:
            result.error(row, "arkivert", _("Skriv «ja» eller la feltet stå tomt."))
        parent_name = merged["overordnet"]
        parent_key = name_key(parent_name) if parent_name else None
        if parent_key == key:
            result.error(row, "overordnet", _("Et organ kan ikke ligge under seg selv."))
        if len(result.errors) > before:
            continue
        form = validated(
            BodyForm,
            {
                "name": name,
                "kind": kind,
                "theme": merged["tema"] or None,
                "description": merged["beskrivelse"],
                "purpose": merged["formål"],
                "contact_name": merged["kontaktperson"],
                "contact_email": merged["e-post"] or None,
                "contact_phone": merged["telefon"],
                "website": merged["nettside"],
            },
            BODY_FIELDS,
            row,
            result,
        )
        if form is None:
            continue
        plans[key] = _BodyPlan(row, name, existing, form, parent_key, parent_name, archived in YES)

    for plan in plans.values():
        if plan.parent_key and plan.parent_key not in plans and plan.parent_key not in by_key:
            result.error(
                plan.row,
                "overordnet",
                _(
                    "Fant ikke organet «{name}», verken i filen eller i dette arbeidsområdet."
                ).format(name=plan.parent_name),
            )
    if result.errors:
        return

    # The tree as it will be: stored parents, replaced by the file's where the file has a row.
    parent_of: dict[str, str | None] = {
        k: (name_key(names[b.parent_id]) if b.parent_id in names else None)
        for k, b in by_key.items()
    }
    for k, plan in plans.items():
        parent_of[k] = plan.parent_key
    display = {k: b.name for k, b in by_key.items()} | {k: p.name for k, p in plans.items()}
    order = _tree_order(parent_of, plans, display, result)
    if result.errors:
        return

    ids = {k: b.id for k, b in by_key.items()}
    for key in order:
        plan = plans[key]
        form = plan.form.model_copy(
            update={"parent_id": ids[plan.parent_key] if plan.parent_key else None}
        )
        if plan.existing is None:
            body = networks_service.create_body(session, ws, form)
            ids[key] = body.id
            if plan.archived:
                networks_service.set_archived(session, ws, body.id, True)
            result.created += 1
            continue
        body = plan.existing
        changed = _body_differs(body, form)
        if changed:
            networks_service.update_body(session, ws, body.id, form)
        if plan.archived != (body.archived_at is not None):
            networks_service.set_archived(session, ws, body.id, plan.archived)
            changed = True
        if changed:
            result.updated += 1


def _tree_order(
    parent_of: dict[str, str | None],
    plans: dict[str, _BodyPlan],
    display: dict[str, str],
    result: ImportResult,
) -> list[str]:
    """The file's bodies, each parent before its children; a cycle is an error on its rows."""
    order: list[str] = []
    done: set[str] = set()
    for start in plans:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current not in done and current not in on_path:
            path.append(current)
            on_path.add(current)
            current = parent_of.get(current)
        if current is not None and current in on_path:
            cycle = path[path.index(current) :]
            chain = " → ".join(display[k] for k in [*cycle, current])
            for k in cycle:
                if k in plans:
                    result.error(
                        plans[k].row,
                        "overordnet",
                        _("Overordnet organ gir en sirkel: {chain}.").format(chain=chain),
                    )
        done.update(path)
        order.extend(k for k in reversed(path) if k in plans)
    return order


def _body_differs(body: Body, form: BodyForm) -> bool:
    wanted = {
        "name": form.name.strip(),
        "kind": form.kind,
        "theme": form.theme or None,
        "parent_id": form.parent_id,
        "description": form.description,
        "purpose": form.purpose,
        "contact_name": form.contact_name,
        "contact_email": str(form.contact_email or ""),
        "contact_phone": form.contact_phone,
        "website": form.website,
    }
    return any(getattr(body, name) != value for name, value in wanted.items())
