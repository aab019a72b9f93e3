"""The invitation to a meeting: each person of the invited municipalities and organisations who
may read meetings gets a notification, and a mail as they chose (by default at once), in their
own language, with the time, the place, the agenda and the link to the meeting, and the
meeting attached as a calendar invitation (.ics, METHOD:REQUEST). Those who chose the daily
digest find the link there. Flushes, never commits."""

from __future__ import annotations

from email.utils import parseaddr

from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.principal import Principal
from app.clock import local
from app.config import get_settings
from app.counties.models import Workspace
from app.i18n import _, lazy
from app.mail.attachments import CALENDAR_INVITATION, Attachment
from app.meetings import agenda, calendar, service
from app.notifications import kinds
from app.notifications import service as notifications

INVITATION_MAIL = lazy(
    "{body}\n\nMøtet i Samspill: {link}\nMøtet er lagt ved som kalenderhendelse (.ics): åpne "
    "vedlegget for å legge det i kalenderen.\n"
)


def send_invitation(session: Session, ws: Workspace, p: Principal, meeting_id: int) -> int:
    """Invite the members of the invited municipalities and organisations; how many people
    were invited (each once, however many of their bodies are invited)."""
    meeting = service.get_meeting(session, ws, p, meeting_id)
    service.check_edit(session, ws, p, meeting)
    invited = service.invitees_of(session, meeting)
    members = accounts_service.members_with(
        session,
        ws.id,
        "meetings.read",
        municipality_numbers=[i.municipality_number for i in invited if i.municipality_number],
        organisation_ids=[i.organisation_id for i in invited if i.organisation_id],
    )
    people = list({m.user.id: m.user for m in members}.values())
    if not people:
        return 0
    items = agenda.items_of(session, meeting)
    starts, ends = local(meeting.starts_at), local(meeting.ends_at)
    where = meeting.place or meeting.video_url
    title = meeting.title

    def render() -> tuple[str, str]:
        lines = [
            _("{county} inviterer til «{title}».").format(county=ws.name, title=title),
            _("Når: {day} kl. {start}–{end}").format(
                day=starts.strftime("%d.%m.%Y"),
                start=starts.strftime("%H:%M"),
                end=ends.strftime("%H:%M"),
            ),
        ]
        if where:
            lines.append(_("Hvor: {place}").format(place=where))
        if meeting.video_url and meeting.place:
            lines.append(_("Video: {url}").format(url=meeting.video_url))
        if items:
            lines += ["", _("Saksliste:")]
            lines += [f"{n}. {i.title}" for n, i in enumerate(items, start=1)]
        return _("Invitasjon til møte: {title}").format(title=title), "\n".join(lines)

    settings = get_settings()
    _name, sender = parseaddr(settings.mail_from)
    event = calendar.invitation(ws, meeting, settings.base_url, sender or settings.mail_from)
    notifications.notify(
        session,
        ws,
        people,
        kinds.MEETING_INVITATION,
        f"/moter/{meeting.id}",
        render,
        mail_body=INVITATION_MAIL,
        attachments=[Attachment(f"mote-{meeting.id}.ics", CALENDAR_INVITATION, event)],
    )
    return len(people)
