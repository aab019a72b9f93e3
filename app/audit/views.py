from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.accounts import service as accounts_service
from app.accounts.deps import Context, DbSession, require
from app.audit import service
from app.i18n import lazy
from app.web import render

router = APIRouter()

OBJECT_LABELS = {
    "workspace": lazy("Arbeidsområde"),
    "county": lazy("Fylke"),
    "municipality": lazy("Kommune"),
    "organisation": lazy("Organisasjon"),
    "membership": lazy("Medlemskap"),
    "invitation": lazy("Invitasjon"),
    "api_token": lazy("API-nøkkel"),
    "user_account": lazy("Bruker"),
    "user_session": lazy("Innloggingsøkt"),
    "login_attempt": lazy("Innloggingsforsøk"),
    "oidc_login": lazy("Innlogging via identitetsleverandør"),
    "body": lazy("Råd eller nettverk"),
    "body_membership": lazy("Medlemskap i råd eller nettverk"),
    "body_share": lazy("Deling av råd eller nettverk"),
    "person": lazy("Kontaktperson"),
    "responsibility": lazy("Ansvarsområde"),
    "representative": lazy("Representant"),
    "help_request": lazy("Forespørsel til hjelpekorpset"),
    "request_assignee": lazy("Tildelt hjelper"),
    "request_message": lazy("Svar eller notat"),
    "request_attachment": lazy("Vedlegg"),
    "request_step": lazy("Steg i plan"),
    "request_link": lazy("Lenke mellom forespørsler"),
    "time_entry": lazy("Tidsføring"),
    "helper_profile": lazy("Hjelperprofil"),
    "visit": lazy("Besøk"),
    "visit_helper": lazy("Hjelper på besøk"),
    "calendar_feed": lazy("Kalenderabonnement"),
    "strategy_document": lazy("Strategidokument"),
    "strategy_section": lazy("Avsnitt i utkast"),
    "strategy_version": lazy("Publisert versjon"),
    "strategy_version_section": lazy("Avsnitt i publisert versjon"),
    "consultation_round": lazy("Høring"),
    "consultation_invitee": lazy("Invitert til høring"),
    "consultation_comment": lazy("Kommentar eller endringsforslag"),
    "consultation_response": lazy("Høringssvar"),
    "strategy_measure": lazy("Tiltak"),
}


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@router.get("/{workspace_slug}/logg")
def audit_log(
    request: Request,
    session: DbSession,
    ctx: Annotated[Context, Depends(require("audit.read"))],
    bruker: Annotated[str | None, Query(max_length=12)] = None,
    objekt: Annotated[str | None, Query(max_length=60)] = None,
    fra: Annotated[str | None, Query(max_length=10)] = None,
    til: Annotated[str | None, Query(max_length=10)] = None,
    for_id: Annotated[int | None, Query(alias="før", ge=1)] = None,
) -> Response:
    filters = service.AuditFilter(
        actor_id=int(bruker) if bruker and bruker.isdecimal() else None,
        object_type=objekt or None,
        date_from=_date(fra),
        date_to=_date(til),
        before_id=for_id,
    )
    events = service.list_events(session, ctx.workspace.id, filters, limit=51)
    more = len(events) > 50
    events = events[:50]
    return render(
        request,
        "audit/log.html",
        {
            "events": events,
            "more": more,
            "members": accounts_service.list_members(session, ctx.workspace.id),
            "object_types": service.object_types(session, ctx.workspace.id),
            "object_labels": OBJECT_LABELS,
            "filters": {
                "bruker": bruker or "",
                "objekt": objekt or "",
                "fra": fra or "",
                "til": til or "",
            },
        },
        fragment="audit/_events.html",
    )
