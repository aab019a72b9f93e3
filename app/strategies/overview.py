"""What strategies add to the county overview (figures) and to each person's start page (rounds
to take part in or to answer, measures behind plan)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Date, Select, bindparam, select, union_all
from sqlalchemy.orm import Session

from app.accounts.deps import Context
from app.clock import local_date, today
from app.i18n import _
from app.registry import Contribution, Figure, FigureQuery, NeedsYou
from app.strategies import measures
from app.strategies.consultation import access
from app.strategies.consultation import rounds as consultation_rounds
from app.strategies.models import ConsultationRound, Measure
from app.tenancy import require_scoped, scope_kept, scoped_in, set_db_scope, workspace_param


def contribution(session: Session, ctx: Context) -> FigureQuery | None:
    """Open consultation rounds; measures under way and overdue in the action plans (one row,
    read with the other modules' figures)."""
    if not ctx.can("strategies.read_drafts"):
        return None
    ws = ctx.workspace
    rounds = consultation_rounds.open_rounds_query(ws).scalar_subquery()
    plan = measures.figures_query(ws).subquery("plan")
    return FigureQuery(select(rounds.label("open_rounds"), *plan.c), _figures)


def _figures(row: Sequence[Any]) -> Contribution:
    figures = [Figure(str(row[0] or 0), _("åpne høringer"), "/strategier#rounds-h")]
    plan = measures.figures_of(row[1:])
    if plan.total:
        figures += [
            Figure(
                str(plan.by_status["under_way"]),
                _("tiltak pågår, av {total} i handlingsplanene").format(total=plan.total),
                "/strategier",
            ),
            Figure(
                str(plan.overdue), _("forsinkede tiltak"), "/strategier", alert=bool(plan.overdue)
            ),
        ]
    return Contribution(figures=figures)


# --- the person's start page ---------------------------------------------------------------

SHOWN = 6
ROUNDS_LOOKED_AT = 50  # the rounds one may take part in, per workspace, whose invitees are read
SOON_DAYS = 14  # a round "closing soon" for the coordinators
URGENT_DAYS = 7  # a formal response not sent this close to its deadline is marked


def for_you(session: Session, ctxs: Sequence[Context]) -> dict[int, list[NeedsYou]]:
    """In each of the person's workspaces (``ctxs``, the current one first): a municipal or
    partner user, the open rounds their municipality or organisation is invited to, with their
    deadline and the state of their formal response. Those who run consultations: rounds
    closing within two weeks, or closed and waiting for answers. Those who edit the plans:
    measures behind plan. One statement for each of these three, whatever the number of
    workspaces (the respondents' bodies aside, see :func:`_member_bodies`)."""
    out: dict[int, list[NeedsYou]] = {c.workspace.id: [] for c in ctxs}
    respond = [c for c in ctxs if c.principal.can("strategies.respond")]
    consult = [c for c in ctxs if c.principal.can("strategies.consult")]
    edit = [c for c in ctxs if c.principal.can("strategies.edit")]
    if respond:
        for ws_id, items in _invited(session, ctxs, respond).items():
            out[ws_id] += items
    on = today()
    following = _first_of_each(session, "follow", [c.workspace.id for c in consult], on)
    for r in following:
        ended = consultation_rounds.state_of(r, on) == "closed"
        out[r.workspace_id].append(
            NeedsYou(
                title=r.title,
                path=f"/hoeringer/{r.id}",
                detail=(
                    _("Avsluttet {date}: innspillene venter på svar").format(
                        date=consultation_rounds.ended_on(r).strftime("%d.%m.%Y")
                    )
                    if ended
                    else _("Avsluttes snart")
                ),
                due=None if ended else r.ends_on,
                group=_("Høringer"),
                action=_("Svar på innspillene") if ended else "",
            )
        )
    behind = _first_of_each(session, "behind", [c.workspace.id for c in edit], on)
    for m in behind:
        out[m.workspace_id].append(
            NeedsYou(
                title=m.title,
                path=f"/strategier/{m.document_id}/tiltak",
                detail=_("{status} · ansvarlig: {owner}").format(
                    status=_(measures.STATUS_LABELS[m.status]), owner=m.owner
                ),
                due=m.deadline,
                group=_("Tiltak bak planen"),
                urgent=True,
            )
        )
    return out


def _follow(ws: Any, on: Any, until: Any) -> Select[Any]:
    return consultation_rounds.rounds_to_follow_query(
        ws, soon=SOON_DAYS, limit=SHOWN, on=on, until=until
    )


def _behind(ws: Any, on: Any, _until: Any) -> Select[Any]:  # ``until``: the rounds' only
    return measures.overdue_query(ws, limit=SHOWN, on=on)


# What :func:`_first_of_each` reads: the model, each workspace's part, the order of the whole.
_KINDS: dict[str, tuple[Any, Callable[[Any, Any, Any], Select[Any]], tuple[Any, ...]]] = {
    "follow": (ConsultationRound, _follow, (ConsultationRound.ends_on, ConsultationRound.id)),
    "behind": (Measure, _behind, (Measure.deadline, Measure.id)),
}


def _first_of_each(session: Session, kind: str, workspace_ids: list[int], on: date) -> list[Any]:
    """The rows of ``kind`` (:data:`_KINDS`: the rounds to follow, the measures behind plan)
    that each of ``workspace_ids`` shows, in one statement made once per process for each
    number of workspaces (:func:`_first_query`), the workspaces and the day its parameters."""
    if not workspace_ids:
        return []
    values: dict[str, Any] = {
        "on": on,
        "until": on + timedelta(days=SOON_DAYS),  # a round closing by then closes soon
        "workspaces": sorted(workspace_ids),
    }
    values.update({f"ws{k}": ws_id for k, ws_id in enumerate(workspace_ids)})
    return list(session.scalars(_first_query(kind, len(workspace_ids)), values))


@functools.lru_cache(maxsize=64)
def _first_query(kind: str, count: int) -> Any:
    """The statement of :func:`_first_of_each` for ``count`` workspaces (``ws0``, ``ws1``, …;
    ``workspaces``, expanding, all of them) on the day ``on`` (``until``: ``SOON_DAYS`` on):
    each workspace's ordered, limited select; for several, a UNION ALL of each part's ids (each
    a subquery, as SQLite wants a part with LIMIT), the rows in the kind's order."""
    model, part_of, order = _KINDS[kind]
    on, until = bindparam("on", type_=Date()), bindparam("until", type_=Date())
    parts = [
        part_of(SimpleNamespace(id=workspace_param(f"ws{k}")), on, until) for k in range(count)
    ]
    if count == 1:  # one workspace: its own select
        return parts[0]
    ids = union_all(
        *(
            select(require_scoped(part).with_only_columns(model.id).subquery().c.id)
            for part in parts
        )
    ).subquery()
    return (
        scoped_in(model, bindparam("workspaces", expanding=True))
        .where(model.id.in_(select(ids.c.id)))
        .order_by(*order)
    )


def _invited(
    session: Session, ctxs: Sequence[Context], respond: Sequence[Context]
) -> dict[int, list[NeedsYou]]:
    """The rounds each of ``respond`` (the person as a municipal or partner user) takes part
    in: the rounds, their invitees and the formal responses in one statement."""
    on = today()
    found: dict[int, list[access.Invitation]] = {}
    for inv in access.invitations(
        session, [(c.workspace, c.principal) for c in respond], rounds=ROUNDS_LOOKED_AT
    ):
        if inv.deadline >= on:
            found.setdefault(inv.workspace_id, []).append(inv)
    bodies = _member_bodies(
        session,
        ctxs,
        [c for c in respond if any(not inv.own for inv in found.get(c.workspace.id, ()))],
    )
    return {
        ws_id: _invited_items(
            [inv for inv in invs if inv.own or inv.body_id in bodies.get(ws_id, ())], on
        )
        for ws_id, invs in found.items()
    }


def _member_bodies(
    session: Session, ctxs: Sequence[Context], need: Sequence[Context]
) -> dict[int, set[int]]:
    """The bodies the person's municipality or organisation is a member of, in the workspaces
    of ``need`` (those where a body is invited to an open round). A body may be shared with a
    workspace's county by another county; on PostgreSQL its memberships are readable only with
    that county in the scope, and the start page's scope holds the current workspace's county.
    So on PostgreSQL each workspace of another county is read under its own scope: one
    statement and one scope change for each such workspace, and one to set the start page's
    scope back (a municipal or partner user in several counties whose bodies are invited). The
    others, and all on SQLite, are one statement together."""
    current = ctxs[0]
    apart = []
    if session.get_bind().dialect.name == "postgresql":
        county = current.workspace.county_number
        apart = [c for c in need if c is not current and c.workspace.county_number != county]
    out = access.member_bodies_in(
        session, [(c.workspace, c.principal) for c in need if c not in apart]
    )
    others = apart
    if not others:
        return out
    with scope_kept(session):  # the start page's scope again after
        for c in others:
            set_db_scope(
                session,
                workspace_id=c.workspace.id,
                user_id=c.user.id,
                county_number=c.workspace.county_number,
            )
            out[c.workspace.id] = set(access.member_bodies(session, c.workspace, c.principal))
    return out


def _invited_items(mine: Sequence[access.Invitation], on: date) -> list[NeedsYou]:
    """One line per round: the invitee with the most left to do (not started, draft, sent);
    the rounds in the order of their first invitee."""
    best: dict[int, tuple[int, access.Invitation]] = {}
    for inv in mine:
        rank = 0 if inv.response_id is None else 1 if inv.submitted_at is None else 2
        if inv.round_id not in best or rank < best[inv.round_id][0]:
            best[inv.round_id] = (rank, inv)
    items = []
    for rank, inv in best.values():
        if rank == 2 and inv.submitted_at is not None:
            detail = _("Høringssvaret er sendt {date}").format(
                date=local_date(inv.submitted_at).strftime("%d.%m.%Y")
            )
        elif rank == 1:
            detail = _("Høringssvaret er et utkast")
        else:
            detail = _("Høringssvaret er ikke påbegynt")
        items.append(
            NeedsYou(
                title=inv.round_title,
                path=f"/hoeringer/{inv.round_id}",
                detail=detail,
                due=inv.deadline,
                group=_("Høringer"),
                urgent=rank < 2 and inv.deadline <= on + timedelta(days=URGENT_DAYS),
                action=(
                    _("Skriv høringssvar")
                    if rank == 0
                    else _("Fortsett på utkastet")
                    if rank == 1
                    else ""
                ),
            )
        )
    return items[:SHOWN]
