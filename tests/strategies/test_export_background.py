"""A large round's summary PDF is made by the worker: the request answers at once with a page
to ask for it, then "Sammendraget lages …" (refreshing itself) until the link is there; a small
round's PDF downloads at once as before. Only the person who asked, in the job's workspace,
sees the job or its file."""

from __future__ import annotations

import io
from typing import Any, cast

import pytest
from sqlalchemy.orm import Session

from app.config import get_settings
from app.strategies.exports import background
from app.strategies.exports.models import ExportJob
from app.tenancy import scoped, set_db_scope
from conftest import _Borrowed
from factories import (
    create_comment,
    create_document,
    create_invitee,
    create_member,
    create_round,
    create_workspace,
    login,
    post,
)


class _Factory:
    """The worker's session factory, lending it the test's session (savepoints for its
    transactions), so that it sees what the test made and the test sees what it did."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def __call__(self) -> Any:
        return _Borrowed(self.db)


def _run_worker(db: Session) -> int:
    """One pass of the worker's periodic export job."""
    return background.run_pending(cast(Any, _Factory(db)))


def _round(db: Session, ws: Any, comments: int) -> tuple[Any, int]:
    kari = create_member(db, ws, "coordinator", name="Kari Østby")
    doc = create_document(db, ws, kari, sections=(("Mål", "Kommunene samarbeider."),), publish=True)
    r = create_round(db, ws, kari, doc)
    guest = create_invitee(db, ws, r)
    for n in range(comments):
        create_comment(db, ws, r, guest, f"Innspill nummer {n} om bredbånd i fjellbygdene.")
    db.commit()
    return kari, r.id


@pytest.fixture
def background_from_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMSPILL_SUMMARY_PDF_BACKGROUND_FROM", "2")
    get_settings.cache_clear()


def test_a_large_round_gets_a_waiting_page_then_the_file(
    background_from_two: None, client: Any, db: Session, ws: Any
) -> None:
    from pypdf import PdfReader

    kari, round_id = _round(db, ws, comments=3)
    login(client, kari)
    base = f"/{ws.slug}/hoeringer/{round_id}/oppsummering"

    # the summary page offers a button that asks for it, not a download link
    page = client.get(base).text
    assert f'action="{base}.pdf"' in page and f'href="{base}.pdf"' not in page
    # a direct link answers at once with a page to ask for it, no PDF
    asked = client.get(f"{base}.pdf")
    assert asked.status_code == 200 and asked.headers["content-type"].startswith("text/html")
    assert "Lag PDF" in asked.text

    made = post(client, f"{base}.pdf", {})
    assert made.status_code == 303
    status_url = made.headers["location"]
    assert status_url.startswith(f"{base}/pdf/")
    # asking again while it waits gives the same job, not a second one
    assert post(client, f"{base}.pdf", {}).headers["location"] == status_url

    waiting = client.get(status_url)
    assert waiting.status_code == 200
    assert "Sammendraget lages …" in waiting.text
    assert waiting.headers["refresh"] == "3"
    assert client.get(f"{status_url}/fil").status_code == 404  # not yet

    assert _run_worker(db) == 1
    assert _run_worker(db) == 0  # made once

    ready = client.get(status_url)
    assert "refresh" not in ready.headers
    assert "PDF-en er klar." in ready.text and f'href="{status_url}/fil"' in ready.text
    file = client.get(f"{status_url}/fil")
    assert file.status_code == 200
    assert file.headers["content-type"] == "application/pdf"
    assert "attachment" in file.headers["content-disposition"]
    content = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(file.content)).pages)
    assert "Innspill nummer 2 om bredbånd" in content


def test_a_small_round_downloads_at_once(client: Any, db: Session, ws: Any) -> None:
    kari, round_id = _round(db, ws, comments=3)
    login(client, kari)
    base = f"/{ws.slug}/hoeringer/{round_id}/oppsummering"
    assert f'href="{base}.pdf"' in client.get(base).text
    r = client.get(f"{base}.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    assert db.scalars(scoped(ExportJob, ws.id)).all() == []
    set_db_scope(db, workspace_id=None, user_id=None)


def test_another_workspace_or_person_gets_404(
    background_from_two: None, client: Any, db: Session, ws: Any
) -> None:
    kari, round_id = _round(db, ws, comments=3)
    login(client, kari)
    base = f"/{ws.slug}/hoeringer/{round_id}/oppsummering"
    status_url = post(client, f"{base}.pdf", {}).headers["location"]
    job_id = int(status_url.rsplit("/", 1)[1])
    _run_worker(db)
    assert client.get(f"{status_url}/fil").status_code == 200

    # a coordinator of another county, with the same round and job numbers in their address
    other = create_workspace(db, county="46", name="Vestland test")
    ola = create_member(db, other, "coordinator")
    # another coordinator of the same county: it is not their job
    per = create_member(db, ws, "coordinator")
    db.commit()
    for user, slug in ((ola, other.slug), (ola, ws.slug), (per, ws.slug)):
        client.cookies.clear()
        login(client, user)
        there = f"/{slug}/hoeringer/{round_id}/oppsummering/pdf/{job_id}"
        assert client.get(there).status_code == 404, (user.email, slug)
        assert client.get(f"{there}/fil").status_code == 404, (user.email, slug)
    # and a round of another workspace cannot be asked for
    client.cookies.clear()
    login(client, ola)
    assert (
        post(client, f"/{other.slug}/hoeringer/{round_id}/oppsummering.pdf", {}).status_code == 404
    )


def test_a_person_who_left_gets_no_file(
    background_from_two: None, client: Any, db: Session, ws: Any
) -> None:
    """The worker builds the summary with the asker's rights as they are when it runs."""
    from app.accounts.models import Membership

    kari, round_id = _round(db, ws, comments=3)
    login(client, kari)
    status_url = post(client, f"/{ws.slug}/hoeringer/{round_id}/oppsummering.pdf", {}).headers[
        "location"
    ]
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    membership = db.scalars(scoped(Membership, ws.id).where(Membership.user_id == kari.id)).one()
    db.delete(membership)  # Kari has left the county
    db.commit()
    set_db_scope(db, workspace_id=None, user_id=None)
    assert _run_worker(db) == 0
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    job = db.scalars(scoped(ExportJob, ws.id)).one()
    assert job.status == "failed" and job.storage_key is None
    set_db_scope(db, workspace_id=None, user_id=None)
    assert client.get(f"{status_url}/fil").status_code == 404
