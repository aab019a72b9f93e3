"""Strategy pages: the draft with optimistic locking, versions, comparison, adoption, a
consultation round from invitation to published answers (members and a guest), the summary,
measures and search — and the bad input the issue names."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text as sa_text

from app.accounts import principal as principals
from app.accounts.principal import Principal
from app.clock import today, utcnow
from app.notifications import kinds
from app.strategies import service, text
from app.strategies.consultation import comments as comment_service
from app.strategies.consultation import invitees, rounds
from app.strategies.consultation.schemas import AmendmentCreate, InviteeCreate, RoundCreate
from app.strategies.models import (
    ConsultationComment,
    ConsultationRound,
    FormalResponse,
    Invitee,
    StrategySection,
)
from app.strategies.schemas import DocumentForm, PublishForm, SectionCreate
from app.tenancy import scoped, set_db_scope
from factories import (
    accept_shares,
    add_body_member,
    add_member,
    create_body,
    create_document,
    create_member,
    create_round,
    create_user,
    create_workspace,
    in_workspace,
    login,
    organisation,
    post,
)


def _scope(db, ws):
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)


def _coordinator(user) -> Principal:
    return principals.for_member(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role="coordinator",
        municipality_number=None,
        organisation_id=None,
    )


def _published(db, ws, p: Principal, heading: str, body: str):
    """A document with one section, published as version 1; the section."""
    doc = service.create_document(
        db, ws, p, DocumentForm(title="Strategi", kind="innovation_strategy")
    )
    section = service.add_section(db, ws, p, doc.id, SectionCreate(heading=heading, body=body))
    service.publish(db, ws, p, doc.id, PublishForm())
    return doc, section


def _open_round(db, ws, p: Principal, doc_id: int):
    """A round on version 1, open today for five days."""
    form = RoundCreate(
        version=1, title="Høring", starts_on=today(), ends_on=today() + timedelta(days=5)
    )
    return rounds.create_round(db, ws, p, doc_id, form)


def _document(client, ws, sections=(("Innledning", "Fylket og kommunene samarbeider."),)):
    r = post(
        client,
        f"/{ws.slug}/strategier/ny",
        {"title": "Regional strategi", "kind": "innovation_strategy"},
    )
    assert r.status_code == 303, r.text
    doc_id = int(r.headers["location"].rsplit("/", 1)[1])
    for heading, body in sections:
        r = post(
            client, f"/{ws.slug}/strategier/{doc_id}/avsnitt", {"heading": heading, "body": body}
        )
        assert r.status_code == 303, r.text
    return doc_id


def _close(db, ws, round_id):
    """Move a round's dates into the past: it has then closed by itself."""
    _scope(db, ws)
    r = db.scalar(scoped(ConsultationRound, ws.id).where(ConsultationRound.id == round_id))
    r.starts_on = today() - timedelta(days=30)
    r.ends_on = today() - timedelta(days=1)
    for inv in db.scalars(scoped(Invitee, ws.id).where(Invitee.round_id == round_id)):
        inv.deadline = None
    db.flush()
    set_db_scope(db, workspace_id=None, user_id=None)


def test_draft_sections_reorder_and_optimistic_locking(client, db, ws):
    kari = create_member(db, ws, "coordinator", name="Kari")
    login(client, kari)
    doc_id = _document(client, ws, [("Første", "Tekst én."), ("Andre", "Tekst to.")])
    page = client.get(f"/{ws.slug}/strategier/{doc_id}").text
    assert page.index("Første") < page.index("Andre")

    _scope(db, ws)
    first, second = service.sections_of(db, ws, doc_id)
    set_db_scope(db, workspace_id=None, user_id=None)
    r = post(
        client, f"/{ws.slug}/strategier/{doc_id}/avsnitt/{second.id}/flytt", {"direction": "up"}
    )
    assert r.status_code == 303
    page = client.get(f"/{ws.slug}/strategier/{doc_id}").text
    assert page.index("Andre") < page.index("Første")

    # Two editors open the same section at revision 1; the first saves, the second conflicts.
    url = f"/{ws.slug}/strategier/{doc_id}/avsnitt/{first.id}"
    assert (
        post(
            client, url, {"heading": "Første", "body": "Karis tekst.", "revision": "1"}
        ).status_code
        == 303
    )
    r = post(
        client,
        url,
        {"heading": "Første", "body": "Olas tekst som ikke må forsvinne.", "revision": "1"},
    )
    assert r.status_code == 409
    assert "Karis tekst." in r.text  # what is saved now
    assert "Olas tekst som ikke må forsvinne." in r.text  # the second editor's text is kept
    assert 'name="revision" value="2"' in r.text
    _scope(db, ws)
    db.expire_all()
    assert db.get(StrategySection, first.id).body == "Karis tekst."
    set_db_scope(db, workspace_id=None, user_id=None)
    # Saving again from the conflict page is a deliberate choice, and it is saved.
    assert (
        post(
            client, url, {"heading": "Første", "body": "Ola og Kari.", "revision": "2"}
        ).status_code
        == 303
    )

    r = post(client, url, {"heading": "", "body": "x", "revision": "3"})
    assert r.status_code == 422 and "Overskriften må ha 1–200 tegn." in r.text

    r = post(client, f"/{ws.slug}/strategier/{doc_id}/avsnitt/{second.id}/slett")
    assert r.status_code == 303
    page = client.get(f"/{ws.slug}/strategier/{doc_id}").text
    assert "Tekst to." not in page and "Avsnittet «Andre» er fjernet fra utkastet." in page


def test_publish_compare_adopt_and_frozen_versions(client, db, ws):
    kari = create_member(db, ws, "coordinator")
    login(client, kari)
    doc_id = _document(
        client, ws, [("Mål", "Kommunene skal delta i flere ordninger."), ("Tiltak", "Hjelpekorps.")]
    )
    r = post(client, f"/{ws.slug}/strategier/{doc_id}/publiser", {"note": "Til høring"})
    assert r.headers["location"].endswith("/versjoner/1")
    # nothing changed: the page offers no "Publiser versjon 2", and a publish is refused
    page = client.get(f"/{ws.slug}/strategier/{doc_id}").text
    assert "Publiser versjon 2" not in page and f"strategier/{doc_id}/publiser" not in page
    assert "kan du publisere versjon 2" in page
    r = post(client, f"/{ws.slug}/strategier/{doc_id}/publiser", {})
    assert r.status_code == 422 and "Utkastet er likt versjon 1" in r.text

    _scope(db, ws)
    mal, tiltak = service.sections_of(db, ws, doc_id)
    set_db_scope(db, workspace_id=None, user_id=None)
    post(
        client,
        f"/{ws.slug}/strategier/{doc_id}/avsnitt/{mal.id}",
        {
            "heading": "Mål",
            "body": "Små kommuner skal delta i flere statlige ordninger.",
            "revision": "1",
        },
    )
    post(client, f"/{ws.slug}/strategier/{doc_id}/avsnitt/{tiltak.id}/slett")
    post(
        client,
        f"/{ws.slug}/strategier/{doc_id}/avsnitt",
        {"heading": "Gevinster", "body": "Felles metode."},
    )
    assert "Publiser versjon 2" in client.get(f"/{ws.slug}/strategier/{doc_id}").text
    assert (
        post(client, f"/{ws.slug}/strategier/{doc_id}/publiser", {})
        .headers["location"]
        .endswith("/versjoner/2")
    )

    page = client.get(f"/{ws.slug}/strategier/{doc_id}/sammenlign?fra=1&til=2").text
    assert "1 endret, 1 nye og 1 fjernet avsnitt." in page
    assert "<del>Kommunene</del>" in page and "<ins>Små kommuner</ins>" in page
    assert "<ins>statlige</ins>" in page

    # a version is frozen: editing it is refused
    r = post(client, f"/{ws.slug}/strategier/{doc_id}/versjoner/1", {"body": "endret"})
    assert r.status_code == 409 and "låst" in r.text

    r = post(
        client,
        f"/{ws.slug}/strategier/{doc_id}/versjoner/2/vedtak",
        {"adopted_by": "Fylkestinget", "adopted_on": "", "case_number": "27/00001"},
    )
    assert r.status_code == 422 and "Skriv vedtaksdatoen." in r.text
    r = post(
        client,
        f"/{ws.slug}/strategier/{doc_id}/versjoner/2/vedtak",
        {
            "adopted_by": "Fylkestinget",
            "adopted_on": today().isoformat(),
            "case_number": "27/00001",
        },
    )
    assert r.status_code == 303
    page = client.get(f"/{ws.slug}/strategier/{doc_id}/versjoner/2").text
    assert "Fylkestinget" in page and "27/00001" in page


def _round(client, db, ws, doc_id, **extra):
    post(client, f"/{ws.slug}/strategier/{doc_id}/publiser", {})
    data = {
        "version": "1",
        "title": "Høring om strategien",
        "starts_on": today().isoformat(),
        "ends_on": (today() + timedelta(days=20)).isoformat(),
        "reminder_days": "3",
        "cover_text": "Vi ber om innspill.",
        **extra,
    }
    r = post(client, f"/{ws.slug}/strategier/{doc_id}/hoeringer/ny", data)
    assert r.status_code == 303, r.text
    return int(re.search(r"/hoeringer/(\d+)", r.headers["location"]).group(1))


def test_round_dates_must_hold(client, db, ws):
    login(client, create_member(db, ws, "coordinator"))
    doc_id = _document(client, ws)
    post(client, f"/{ws.slug}/strategier/{doc_id}/publiser", {})
    r = post(
        client,
        f"/{ws.slug}/strategier/{doc_id}/hoeringer/ny",
        {
            "version": "1",
            "title": "Høring",
            "starts_on": "2027-03-10",
            "ends_on": "2027-03-01",
            "reminder_days": "3",
        },
    )
    assert r.status_code == 422 and "Sluttdatoen kan ikke ligge før startdatoen." in r.text
    _scope(db, ws)
    assert db.scalars(scoped(ConsultationRound, ws.id)).all() == []


def test_consultation_from_invitation_to_published_answers(client, db, ws, smtp, deliver):
    kari = create_member(db, ws, "coordinator", name="Kari Koordinator")
    osen = create_user(db, name="Olga Osen")
    add_member(db, ws, osen, "municipal", municipality="5020")
    frosta = create_user(db, name="Frode Frosta")
    add_member(db, ws, frosta, "municipal", municipality="5036")
    ks = create_user(db, name="Kjersti KS")
    add_member(db, ws, ks, "partner", organisation_id=organisation(db, "KS").id)
    db.commit()

    login(client, kari)
    doc_id = _document(
        client, ws, [("Hjelpekorps", "Kommunene kan be om hjelp fra et mobilt hjelpekorps.")]
    )
    round_id = _round(client, db, ws, doc_id)
    base = f"/{ws.slug}/hoeringer/{round_id}"
    assert (
        post(
            client, f"{base}/inviterte", {"kind": "municipality", "municipality_number": "5020"}
        ).status_code
        == 303
    )
    assert (
        post(
            client,
            f"{base}/inviterte",
            {"kind": "organisation", "organisation_id": str(organisation(db, "KS").id)},
        ).status_code
        == 303
    )
    r = post(
        client,
        f"{base}/inviterte",
        {
            "kind": "guest",
            "guest_name": "Forskningsinstituttet",
            "guest_email": "post@forskning.example",
        },
    )
    assert r.status_code == 303
    r = post(
        client,
        f"{base}/inviterte",
        {"kind": "guest", "guest_name": "X", "guest_email": "ikke-en-adresse"},
    )
    assert r.status_code == 422 and "Skriv en gyldig e-postadresse." in r.text

    deliver()
    invitations = {m["To"]: m for m in smtp.messages}
    assert {osen.email, ks.email, "post@forskning.example"} <= set(invitations)
    guest_link = re.search(
        r"(/[^/\s]+/gjest/\S+)", invitations["post@forskning.example"].get_content()
    ).group(1)
    assert "Invitasjon til høring" in invitations[osen.email]["Subject"]

    _scope(db, ws)
    key = service.sections_of(db, ws, doc_id)[0].key
    set_db_scope(db, workspace_id=None, user_id=None)

    # Osen comments on a quoted passage
    client.cookies.clear()
    login(client, osen)
    assert "Høring om strategien" in client.get(f"/{ws.slug}/strategier").text
    r = post(
        client,
        f"{base}/kommentarer",
        {"section_key": key, "quote": "mobilt  hjelpekorps", "body": "Vi trenger det på stedet."},
    )
    assert r.status_code == 303, r.text
    page = client.get(base).text
    assert "Vi trenger det på stedet." in page and "mobilt  hjelpekorps" in page
    # a quote that is not in the section, an empty and an oversized comment are refused
    r = post(
        client, f"{base}/kommentarer", {"section_key": key, "quote": "noe annet", "body": "Hei"}
    )
    assert r.status_code == 422 and "Det siterte finnes ikke i avsnittet." in r.text
    r = post(client, f"{base}/kommentarer", {"section_key": key, "body": ""})
    assert r.status_code == 422 and "Skriv en kommentar." in r.text
    r = post(client, f"{base}/kommentarer", {"section_key": key, "body": "x" * 5001})
    assert r.status_code == 422 and "Kommentaren er for lang: 5001 tegn" in r.text
    # an amendment written against an older text is refused with the text as it is
    r = post(
        client,
        f"{base}/endringsforslag",
        {
            "section_key": key,
            "proposed_text": "Ny tekst.",
            "base": text.fingerprint("Gammel tekst"),
            "body": "",
        },
    )
    assert r.status_code == 409 and "Avsnittet er endret" in r.text
    assert "Kommunene kan be om hjelp fra et mobilt hjelpekorps." in r.text
    r = post(
        client,
        f"{base}/endringsforslag",
        {
            "section_key": key,
            "proposed_text": (
                "Kommunene kan be om hjelp fra et mobilt hjelpekorps som kommer på besøk."
            ),
            "base": text.fingerprint("Kommunene kan be om hjelp fra et mobilt hjelpekorps."),
            "body": "Presisering.",
        },
    )
    assert r.status_code == 303
    # the formal response: drafted, then submitted and locked
    _scope(db, ws)
    osen_inv = db.scalar(scoped(Invitee, ws.id).where(Invitee.municipality_number == "5020"))
    set_db_scope(db, workspace_id=None, user_id=None)
    r = post(
        client,
        f"{base}/svar",
        {
            "invitee_id": str(osen_inv.id),
            "revision": "0",
            "body": "Osen støtter strategien.",
            "preview": "0",
        },
    )
    assert r.status_code == 303
    r = post(
        client,
        f"{base}/svar",
        {
            "invitee_id": str(osen_inv.id),
            "revision": "1",
            "body": "Osen støtter strategien.",
            "preview": "1",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == f"{base}/svar/{osen_inv.id}"
    r = post(client, f"{base}/svar/{osen_inv.id}/send", {"revision": "1", "confirm": "yes"})
    assert r.status_code == 303
    r = post(
        client,
        f"{base}/svar",
        {"invitee_id": str(osen_inv.id), "revision": "1", "body": "Endret etterpå", "preview": "0"},
    )
    assert r.status_code == 422 and "låst" in r.text
    # a municipal user cannot edit sections
    assert (
        post(client, f"/{ws.slug}/strategier/{doc_id}/avsnitt", {"heading": "X"}).status_code == 403
    )
    assert client.get(f"/{ws.slug}/strategier/{doc_id}").status_code == 403

    # Frosta is not invited: the round is not there for them
    client.cookies.clear()
    login(client, frosta)
    assert client.get(base).status_code == 404
    assert (
        post(client, f"{base}/kommentarer", {"section_key": key, "body": "Hei"}).status_code == 404
    )

    # the guest takes part through the link, and sees only this round
    client.cookies.clear()
    page = client.get(guest_link)
    assert page.status_code == 200 and "Hjelpekorps" in page.text
    r = post(
        client,
        f"{guest_link}/kommentarer",
        {"section_key": key, "body": "Forskning kan følge med."},
    )
    assert r.status_code == 303
    assert client.get(f"/{ws.slug}/strategier").status_code in (303, 401)

    # the round closes by itself; then nothing more is taken in
    _close(db, ws, round_id)
    db.commit()
    assert client.get(guest_link).status_code == 410
    assert (
        post(
            client, f"{guest_link}/kommentarer", {"section_key": key, "body": "For sent"}
        ).status_code
        == 410
    )
    client.cookies.clear()
    login(client, osen)
    r = post(client, f"{base}/kommentarer", {"section_key": key, "body": "For sent"})
    assert r.status_code == 409 and "Høringen ble avsluttet" in r.text
    _scope(db, ws)
    assert (
        db.scalars(
            scoped(ConsultationComment, ws.id).where(ConsultationComment.body == "For sent")
        ).all()
        == []
    )
    set_db_scope(db, workspace_id=None, user_id=None)

    # the coordinator answers every comment and amendment, then publishes
    client.cookies.clear()
    login(client, kari)
    _scope(db, ws)
    comments = db.scalars(scoped(ConsultationComment, ws.id).order_by(ConsultationComment.id)).all()
    set_db_scope(db, workspace_id=None, user_id=None)
    assert post(client, f"{base}/publiser-svar").status_code == 422
    r = post(
        client,
        f"{base}/kommentarer/{comments[0].id}/svar",
        {"answer": "not_accepted", "reason": ""},
    )
    assert r.status_code == 422 and "Begrunn svaret." in r.text
    smtp.messages.clear()
    for c, verdict in zip(comments, ["partly", "accepted", "noted"], strict=True):
        r = post(
            client,
            f"{base}/kommentarer/{c.id}/svar",
            {"answer": verdict, "reason": "Vi tar det med."},
        )
        assert r.status_code == 303, r.text
    # the accepted amendment changed the draft of the next version
    _scope(db, ws)
    db.expire_all()
    assert service.sections_of(db, ws, doc_id)[0].body.endswith("som kommer på besøk.")
    set_db_scope(db, workspace_id=None, user_id=None)
    assert post(client, f"{base}/publiser-svar").status_code == 303
    deliver()
    answered = {m["To"]: m.get_content() for m in smtp.messages}
    assert "Delvis tatt til følge" in answered[osen.email]
    assert "Tatt til orientering" in answered["post@forskning.example"]

    summary = client.get(f"{base}/oppsummering").text
    assert "Osen støtter strategien." in summary and "Vi trenger det på stedet." in summary
    assert "Tatt til følge" in summary and "Forskningsinstituttet" in summary


def test_staff_get_notices_or_a_daily_digest(client, db, ws, smtp, deliver):
    kari = create_member(db, ws, "coordinator", name="Kari")
    per = create_member(db, ws, "county_admin", name="Per")
    osen = create_user(db, name="Olga")
    add_member(db, ws, osen, "municipal", municipality="5020")
    db.commit()
    login(client, per)
    # the one setting: the notification preference per kind (no per-workspace switch any more)
    assert post(client, f"/{ws.slug}/strategier/varsler", {"digest": "1"}).status_code in (404, 405)
    choices = {kind: "email" for kind in kinds.KINDS}
    choices[kinds.COMMENT] = "digest"
    assert post(client, "/varsler/innstillinger", choices).status_code == 303
    client.cookies.clear()
    login(client, kari)
    doc_id = _document(client, ws)
    round_id = _round(client, db, ws, doc_id)
    post(
        client,
        f"/{ws.slug}/hoeringer/{round_id}/inviterte",
        {"kind": "municipality", "municipality_number": "5020"},
    )
    deliver()
    smtp.messages.clear()
    _scope(db, ws)
    key = service.sections_of(db, ws, doc_id)[0].key
    set_db_scope(db, workspace_id=None, user_id=None)
    client.cookies.clear()
    login(client, osen)
    for n in range(3):
        post(
            client,
            f"/{ws.slug}/hoeringer/{round_id}/kommentarer",
            {"section_key": key, "body": f"Innspill {n}"},
        )
    deliver()
    to = [m["To"] for m in smtp.messages]
    assert to.count(kari.email) == 3 and per.email not in to  # one each; Per waits for the digest

    from app.notifications import service as notifications

    smtp.messages.clear()
    tomorrow = utcnow() + timedelta(days=1)
    sent = notifications.send_digests(db, now=tomorrow)
    again = notifications.send_digests(db, now=tomorrow + timedelta(hours=1))
    db.info.pop("tenant_scope_exempt", None)
    if db.get_bind().dialect.name == "postgresql":
        db.execute(sa_text("SELECT set_config('app.system', '', true)"))
    set_db_scope(db, workspace_id=None, user_id=None)
    deliver()
    assert sent == 1 and again == 0  # sent once
    digest = [m for m in smtp.messages if m["To"] == per.email]
    assert len(digest) == 1 and digest[0].get_content().count("kommenterte") == 3
    assert not [m for m in smtp.messages if m["To"] == kari.email]  # Kari had hers at once


def test_invitations_when_the_round_opens_and_reminders_before_the_deadline(
    client, db, ws, smtp, deliver
):
    from app.strategies import jobs

    kari = create_member(db, ws, "coordinator")
    osen = create_user(db, name="Olga")
    add_member(db, ws, osen, "municipal", municipality="5020")
    db.commit()
    login(client, kari)
    doc_id = _document(client, ws)
    start = today() + timedelta(days=5)
    round_id = _round(
        client,
        db,
        ws,
        doc_id,
        starts_on=start.isoformat(),
        ends_on=(start + timedelta(days=10)).isoformat(),
    )
    post(
        client,
        f"/{ws.slug}/hoeringer/{round_id}/inviterte",
        {"kind": "municipality", "municipality_number": "5020"},
    )
    deliver()
    assert [m for m in smtp.messages if m["To"] == osen.email] == []  # not open yet
    client.cookies.clear()
    login(client, osen)
    assert client.get(f"/{ws.slug}/hoeringer/{round_id}").status_code == 404  # not before it opens

    _scope(db, ws)  # as jobs.run_all does for each workspace
    assert jobs.run_workspace(db, ws, on=start) == {"invitations": 1, "reminders": 0, "digests": 0}
    assert jobs.run_workspace(db, ws, on=start) == {"invitations": 0, "reminders": 0, "digests": 0}
    deadline = start + timedelta(days=10)
    assert jobs.run_workspace(db, ws, on=deadline - timedelta(days=4))["reminders"] == 0
    assert jobs.run_workspace(db, ws, on=deadline - timedelta(days=3))["reminders"] == 1
    assert jobs.run_workspace(db, ws, on=deadline - timedelta(days=2))["reminders"] == 0
    deliver()
    subjects = [m["Subject"] for m in smtp.messages if m["To"] == osen.email]
    assert any("Invitasjon" in s for s in subjects) and any("Påminnelse" in s for s in subjects)


def test_measures_overdue_and_figures(client, db, ws):
    login(client, create_member(db, ws, "coordinator"))
    doc_id = _document(client, ws)
    base = f"/{ws.slug}/strategier/{doc_id}/tiltak"
    r = post(
        client,
        base,
        {
            "title": "Hjelpekorps i drift",
            "owner": "Fylkeskommunen",
            "deadline": (today() - timedelta(days=3)).isoformat(),
            "status": "under_way",
        },
    )
    assert r.status_code == 303
    post(
        client,
        base,
        {
            "title": "Felles oversikt",
            "owner": "KS",
            "deadline": (today() + timedelta(days=30)).isoformat(),
            "status": "planned",
        },
    )
    r = post(client, base, {"title": "", "owner": "", "status": "ukjent"})
    assert r.status_code == 422 and "Skriv hvem som eier tiltaket." in r.text
    page = client.get(base).text
    assert page.count("measure--overdue") == 1 and "1 forsinket" in page
    assert "1 forsinket" in client.get(f"/{ws.slug}/strategier").text
    start = client.get(f"/{ws.slug}/oversikt").text  # the figures join the workspace overview
    assert "forsinkede tiltak" in start and "tiltak pågår, av 2 i handlingsplanene" in start
    xlsx = client.get(f"{base}.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_search_ranks_and_highlights(client, db, ws):
    login(client, create_member(db, ws, "coordinator"))
    _document(
        client,
        ws,
        [
            ("Gevinstrealisering", "Kommunene bruker en felles metode for gevinstrealisering."),
            ("Annet", "Ingenting om det."),
        ],
    )
    page = client.get(f"/{ws.slug}/strategier/sok", params={"q": "gevinstrealisering"}).text
    assert "<mark>" in page.lower() or "<mark>gevinstrealisering" in page.lower()
    assert "1 treff" in page or "2 treff" in page
    page = client.get(f"/{ws.slug}/strategier/sok", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in page


def test_forms_answer_htmx_with_a_redirect_header(client, db, ws):
    login(client, create_member(db, ws, "coordinator"))
    doc_id = _document(client, ws)
    r = post(
        client,
        f"/{ws.slug}/strategier/{doc_id}/avsnitt",
        {"heading": "Nytt avsnitt", "body": ""},
        headers={"HX-Request": "true"},
    )
    assert (
        r.status_code == 204
        and r.headers["HX-Redirect"] == f"/{ws.slug}/strategier/{doc_id}#utkast"
    )
    r = post(
        client,
        f"/{ws.slug}/strategier/{doc_id}/avsnitt",
        {"heading": ""},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 422 and "Overskriften må ha 1–200 tegn." in r.text
    page = client.get(f"/{ws.slug}/strategier/{doc_id}", headers={"HX-Request": "true"})
    assert page.status_code == 200 and "Nytt avsnitt" in page.text


@pytest.mark.parametrize(
    "path",
    [
        "hoeringer/99999999999999999999",
        "strategier/2147483648",
        "strategier/1/versjoner/9223372036854775808",
    ],
)
def test_an_id_beyond_the_database_is_not_found(client, db, ws, path):
    login(client, create_member(db, ws, "coordinator"))
    r = client.get(f"/{ws.slug}/{path}")
    assert r.status_code == 404 and "finnes ikke" in r.text
    r = client.get(f"/api/v1/{ws.slug}/strategies/rounds/99999999999999999999")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_each_invitation_keeps_its_own_deadline(client, db, ws):
    """Osen is invited itself (until the round's end) and through its council (later): after
    the round's end Osen's own formal response is closed, and its comments count for the
    council."""
    from app.networks.models import Body, BodyMembership

    kari = create_member(db, ws, "coordinator")
    osen = create_user(db, name="Olga Osen")
    add_member(db, ws, osen, "municipal", municipality="5020")
    _scope(db, ws)
    council = Body(workspace_id=ws.id, kind="council", name="Fosen regionråd")
    db.add(council)
    db.flush()
    db.add(BodyMembership(workspace_id=ws.id, body_id=council.id, municipality_number="5020"))
    actor = _coordinator(kari)
    doc, _section = _published(db, ws, actor, "Innledning", "Tekst.")
    r = _open_round(db, ws, actor, doc.id)
    own = invitees.add_invitee(
        db, ws, r.id, InviteeCreate(kind="municipality", municipality_number="5020")
    )
    later = today() + timedelta(days=20)
    invitees.add_invitee(
        db, ws, r.id, InviteeCreate(kind="body", body_id=council.id, deadline=later)
    )
    r.starts_on, r.ends_on = today() - timedelta(days=10), today() - timedelta(days=1)
    key = service.sections_of(db, ws, doc.id)[0].key
    set_db_scope(db, workspace_id=None, user_id=None)
    db.commit()

    login(client, osen)
    base = f"/{ws.slug}/hoeringer/{r.id}"
    resp = post(
        client, f"{base}/svar", {"invitee_id": str(own.id), "revision": "0", "body": "Sent"}
    )
    assert resp.status_code == 409 and "Fristen for høringssvaret var" in resp.text
    assert (
        post(client, f"{base}/kommentarer", {"section_key": key, "body": "Via rådet"}).status_code
        == 303
    )
    _scope(db, ws)
    stored = db.scalar(
        scoped(ConsultationComment, ws.id).where(ConsultationComment.body == "Via rådet")
    )
    assert stored.author_org == "Osen (Fosen regionråd)" and stored.invitee_id != own.id
    assert db.scalars(scoped(FormalResponse, ws.id)).all() == []


def test_an_accepted_amendment_for_a_removed_section_is_not_reported_as_applied(client, db, ws):
    kari = create_member(db, ws, "coordinator")
    _scope(db, ws)
    actor = _coordinator(kari)
    doc, section = _published(db, ws, actor, "Innledning", "Gammel tekst.")
    r = _open_round(db, ws, actor, doc.id)
    inv = invitees.add_invitee(
        db, ws, r.id, InviteeCreate(kind="guest", guest_name="Gjest", guest_email="g@x.no")
    )
    guest = principals.guest(inv.id, "Gjest", "g@x.no")
    amendment = comment_service.add_amendment(
        db,
        ws,
        guest,
        r.id,
        AmendmentCreate(
            section_key=section.key,
            proposed_text="Ny tekst.",
            base=text.fingerprint("Gammel tekst."),
        ),
    )
    service.delete_section(db, ws, doc.id, section.id)
    r.starts_on, r.ends_on = today() - timedelta(days=10), today() - timedelta(days=1)
    set_db_scope(db, workspace_id=None, user_id=None)
    db.commit()
    login(client, kari)
    base = f"/{ws.slug}/hoeringer/{r.id}/kommentarer/{amendment.id}"
    assert post(client, f"{base}/svar", {"answer": "accepted", "reason": ""}).status_code == 303
    resp = post(client, f"{base}/for-inn", {"draft_revision": "1"})
    assert resp.status_code == 422 and "Avsnittet finnes ikke lenger i utkastet" in resp.text


def test_a_date_that_does_not_parse_is_refused_not_dropped(client, db, ws):
    login(client, create_member(db, ws, "coordinator"))
    doc_id = _document(client, ws)
    r = post(
        client,
        f"/{ws.slug}/strategier/{doc_id}/tiltak",
        {"title": "Hjelpekorps i drift", "owner": "Fylket", "deadline": "31.12.2027"},
    )
    assert r.status_code == 422 and "Skriv en gyldig dato." in r.text
    _scope(db, ws)
    from app.strategies import measures

    assert measures.measures_of(db, ws, doc_id) == []  # not saved without its deadline


@pytest.mark.parametrize("htmx", [False, True])
def test_a_reply_to_a_reply_joins_the_thread(client, db, ws, htmx):
    kari = create_member(db, ws, "coordinator", name="Kari")
    osen = create_user(db, name="Olga Osen")
    add_member(db, ws, osen, "municipal", municipality="5020")
    doc = create_document(db, ws, kari, publish=True)
    r = create_round(db, ws, kari, doc)
    with in_workspace(db, ws):
        invitees.add_invitee(
            db, ws, r.id, InviteeCreate(kind="municipality", municipality_number="5020")
        )
        key = service.sections_of(db, ws, doc.id)[0].key
    url = f"/{ws.slug}/hoeringer/{r.id}"
    headers = {"HX-Request": "true"} if htmx else {}

    def say(who, body, parent_id=None):
        client.cookies.clear()
        login(client, who)
        data = {"section_key": key, "body": body}
        if parent_id is not None:
            data["parent_id"] = str(parent_id)
        resp = post(client, f"{url}/kommentarer", data, headers=headers)
        target = resp.headers["HX-Redirect"] if htmx else resp.headers["location"]
        assert resp.status_code == (204 if htmx else 303), resp.text[:500]
        return int(target.rsplit("#k", 1)[1])

    first = say(osen, "Hjelpekorpset må komme til oss.")
    reply = say(kari, "Det er planen.", first)
    again = say(osen, "Da venter vi på datoen.", reply)  # a reply to the reply

    with in_workspace(db, ws):
        stored = db.scalar(
            scoped(ConsultationComment, ws.id).where(ConsultationComment.id == again)
        )
        assert stored.parent_id == first and stored.section_key == key
    page = client.get(url).text
    thread = page.split("Hjelpekorpset må komme til oss.", 1)[1].split('class="thread"', 1)[0]
    replies = thread.split('class="plain-list replies"', 1)[1]
    assert replies.index("Det er planen.") < replies.index("Da venter vi på datoen.")


def test_a_council_shared_from_another_county_takes_part(client, db, smtp, deliver):
    """Kongsbergregionen belongs to Buskerud; Notodden in Telemark is a member, so Telemark
    sees the council and may invite it, and Notodden's people take part through it."""
    buskerud = create_workspace(db, county="33", name="Buskerud test")
    telemark = create_workspace(db, county="40", name="Telemark test")
    council = create_body(db, buskerud, "Kongsbergregionen")
    add_body_member(db, buskerud, council, "3303")
    add_body_member(db, buskerud, council, "4005")  # Notodden, Telemark
    accept_shares(db, telemark)
    kari = create_member(db, telemark, "coordinator")
    nina = create_user(db, name="Nina Notodden")
    add_member(db, telemark, nina, "municipal", municipality="4005")
    doc = create_document(db, telemark, kari, publish=True)
    r = create_round(db, telemark, kari, doc, title="Høring om Telemarks strategi")
    with in_workspace(db, telemark):
        key = service.sections_of(db, telemark, doc.id)[0].key
    url = f"/{telemark.slug}/hoeringer/{r.id}"

    login(client, kari)
    assert f'<option value="{council.id}">Kongsbergregionen</option>' in client.get(url).text
    resp = post(client, f"{url}/inviterte", {"kind": "body", "body_id": str(council.id)})
    assert resp.status_code == 303, resp.text[:500]
    deliver()
    assert nina.email in {m["To"] for m in smtp.messages}

    client.cookies.clear()
    login(client, nina)
    assert "Høring om Telemarks strategi" in client.get(f"/{telemark.slug}/strategier").text
    resp = post(client, f"{url}/kommentarer", {"section_key": key, "body": "Notodden mener."})
    assert resp.status_code == 303, resp.text[:500]
    with in_workspace(db, telemark):
        stored = db.scalar(
            scoped(ConsultationComment, telemark.id).where(
                ConsultationComment.body == "Notodden mener."
            )
        )
        assert stored.author_org == "Notodden (Kongsbergregionen)"
