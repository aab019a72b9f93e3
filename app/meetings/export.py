"""A meeting's agenda and minutes for the archive: DOCX (A4) and PDF (A4, PDF/A-2u). The same
content in the same order in both: the meeting, the numbered items with papers (links, and
files by name), minutes and decisions, and attendance."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.accounts.principal import Principal
from app.clock import local
from app.counties.models import Workspace
from app.documents import PDF_OPTIONS, a4
from app.i18n import _
from app.meetings import agenda, papers, service
from app.meetings.labels import ATTENDANCE, KINDS
from app.meetings.models import AgendaItem, Meeting, MeetingPaper
from app.strategies.exports import DOCX_TYPE, PDF_TYPE, css_string
from app.web import templates

__all__ = ["DOCX_TYPE", "PDF_TYPE", "MeetingDoc", "collect", "docx", "pdf"]


@dataclass
class MeetingDoc:
    workspace: Workspace
    meeting: Meeting
    body_name: str
    items: list[AgendaItem]
    decisions: dict[int, list[agenda.DecisionRow]]
    attendance: list[agenda.AttendanceRow]
    files: dict[int, list[MeetingPaper]]  # agenda item id → its papers as files

    @property
    def when(self) -> str:
        m = self.meeting
        return (
            f"{local(m.starts_at):%d.%m.%Y %H:%M}–{local(m.ends_at):%H:%M}"
            if local(m.starts_at).date() == local(m.ends_at).date()
            else f"{local(m.starts_at):%d.%m.%Y %H:%M}–{local(m.ends_at):%d.%m.%Y %H:%M}"
        )

    def facts(self) -> list[tuple[str, str]]:
        m = self.meeting
        out = [
            (_("Når"), self.when),
            (_("Type"), str(_(KINDS[m.kind]))),
            (_("Organ"), self.body_name),
        ]
        if m.place:
            out.append((_("Sted"), m.place))
        if m.video_url:
            out.append((_("Video"), m.video_url))
        if m.organiser:
            out.append((_("Arrangør"), m.organiser))
        return out

    def status(self, code: str | None) -> str:
        return str(_(ATTENDANCE[code])) if code else _("ikke registrert")


def collect(session: Session, ws: Workspace, p: Principal, meeting_id: int) -> MeetingDoc:
    meeting = service.get_meeting(session, ws, p, meeting_id)
    return MeetingDoc(
        workspace=ws,
        meeting=meeting,
        body_name=service.body_names(session, ws).get(meeting.body_id or 0) or _("Fylket"),
        items=agenda.items_of(session, meeting),
        decisions=agenda.decisions_by_item(agenda.decisions(session, ws, p, meeting=meeting)),
        attendance=agenda.attendance_of(session, meeting),
        files=papers.papers_of(session, meeting),
    )


def _blocks(text: str) -> list[str]:
    return [b.strip("\n") for b in (text or "").replace("\r\n", "\n").split("\n\n") if b.strip()]


def docx(d: MeetingDoc) -> bytes:
    from io import BytesIO

    from docx import Document

    document = Document()
    a4(document)
    document.core_properties.title = d.meeting.title
    document.core_properties.author = d.workspace.name
    document.add_heading(d.meeting.title, level=0)
    for label, value in d.facts():
        p = document.add_paragraph()
        p.add_run(f"{label}: ").bold = True
        p.add_run(value)
    document.add_heading(_("Saksliste"), level=1)
    for n, item in enumerate(d.items, start=1):
        document.add_heading(_("Sak {n}: {title}").format(n=n, title=item.title), level=2)
        if item.responsible:
            document.add_paragraph(_("Ansvarlig: {name}").format(name=item.responsible))
        for paper in item.papers or []:
            document.add_paragraph(
                f"{paper.get('title') or paper.get('url')}: {paper.get('url')}",
                style="List Bullet",
            )
        for f in d.files.get(item.id, []):
            document.add_paragraph(
                _("Vedlegg: {name}").format(name=f.filename), style="List Bullet"
            )
        for block in _blocks(item.minutes):
            document.add_paragraph(block)
        for r in d.decisions.get(item.id, []):
            p = document.add_paragraph()
            p.add_run(_("Vedtak:") + " ").bold = True
            p.add_run(r.decision.text)
            due = f" · {r.decision.due_on:%d.%m.%Y}" if r.decision.due_on else ""
            document.add_paragraph(
                _("Ansvarlig: {name}").format(name=r.responsible_name or _("ingen")) + due
            )
    if d.attendance:
        document.add_heading(_("Oppmøte"), level=1)
        table = document.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells, (_("Kommune"), _("Oppmøte"), _("Representert ved")), strict=True
        ):
            cell.text = text
        for a in d.attendance:
            row = table.add_row().cells
            row[0].text, row[1].text, row[2].text = a.name, d.status(a.status), a.represented_by
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def html(d: MeetingDoc) -> str:
    return templates.get_template("meetings/print.html").render(d=d, css=css_string, _=_)


def pdf(d: MeetingDoc) -> bytes:
    """A4; nothing is fetched while rendering (no URLs, no base URL, no protocol allowed)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    document = HTML(string=html(d), base_url=None, url_fetcher=URLFetcher(allowed_protocols=()))
    return bytes(document.write_pdf(**PDF_OPTIONS))
