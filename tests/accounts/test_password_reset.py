"""Password reset by e-mail, through the web app: the mail goes over real SMTP (aiosmtpd on
loopback) and the link in it is what the person opens."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from app.accounts import password_reset
from app.accounts import service as accounts
from app.accounts.models import LoginAttempt, PasswordReset, User, UserSession
from app.accounts.service import hash_token
from app.db import utcnow
from app.i18n import translations
from app.mail.models import OutboxMessage
from factories import PASSWORD, create_member, create_user, create_workspace, csrf, login, post

NEW_PASSWORD = "et-nytt-langt-passord"


def _ask(client: Any, email: str, **kwargs: Any) -> Any:
    return post(client, "/glemt-passord", {"email": email}, **kwargs)


def _link(message: Any) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"http://127\.0\.0\.1:8000(/nytt-passord/[A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)


def _mailed_link(client: Any, email: str, smtp: Any, deliver: Any) -> str:
    before = len(smtp.messages)
    assert _ask(client, email).status_code == 303
    assert deliver() == 1
    assert len(smtp.messages) == before + 1
    return _link(smtp.messages[-1])


def _user(db: Any, email: str) -> User:
    user = db.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


def _outbox(db: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(OutboxMessage)))


def _resets(db: Any, user_id: int) -> int:
    query = select(func.count()).select_from(PasswordReset)
    return int(db.scalar(query.where(PasswordReset.user_id == user_id)))


def _sessions(db: Any, user_id: int) -> int:
    query = select(func.count()).select_from(UserSession)
    return int(db.scalar(query.where(UserSession.user_id == user_id)))


def test_login_page_links_to_the_form(client, db):
    page = client.get("/logg-inn")
    assert 'href="/glemt-passord"' in page.text and "Glemt passordet?" in page.text
    form = client.get("/glemt-passord")
    assert form.status_code == 200
    assert 'action="/glemt-passord"' in form.text and 'name="email"' in form.text


def test_the_whole_flow_by_mail(client, db, smtp, deliver):
    ws = create_workspace(db)
    person = create_member(db, ws, email="glemsk@example.no", name="Glemsk Person")
    user_id = person.id
    login(client, person)
    old_session = client.cookies.get("samspill_session")
    assert _sessions(db, user_id) == 1

    client.cookies.clear()
    asked = _ask(client, "  Glemsk@Example.no ")
    assert asked.status_code == 303 and asked.headers["location"] == "/glemt-passord/sendt"
    sent = client.get("/glemt-passord/sendt")
    assert "Hvis adressen har en konto hos oss, har vi sendt en lenke" in sent.text

    assert deliver() == 1
    message = smtp.messages[-1]
    assert message["To"] == "glemsk@example.no"
    assert message["Subject"] == "Nytt passord til Samspill"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Hei, Glemsk Person!" in body and "60 minutter" in body
    link = _link(message)
    # Only the token's hash is kept, and the sent mail's copy is gone from the outbox.
    token = link.rsplit("/", 1)[1]
    row = db.scalar(select(PasswordReset).where(PasswordReset.user_id == user_id))
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    assert row.expires_at - row.created_at == timedelta(minutes=60)

    # Opening the link shows the form and changes nothing, however often.
    hash_before = _user(db, "glemsk@example.no").password_hash
    for _ in range(2):
        page = client.get(link)
        assert page.status_code == 200
        assert "Velg et nytt passord" in page.text and "glemsk@example.no" in page.text
    assert _user(db, "glemsk@example.no").password_hash == hash_before
    assert db.scalar(select(PasswordReset.used_at).where(PasswordReset.id == row.id)) is None

    done = post(client, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/logg-inn"
    assert "Passordet er endret" in client.get("/logg-inn").text

    # Signed out everywhere: the old session is gone and its cookie leads to the login.
    assert _sessions(db, user_id) == 0
    client.cookies.set("samspill_session", old_session)
    r = client.get(f"/{ws.slug}")
    assert r.status_code == 303 and r.headers["location"].startswith("/logg-inn")
    client.cookies.clear()

    # The old password no longer works; the new one does.
    wrong = post(client, "/logg-inn", {"email": "glemsk@example.no", "password": PASSWORD})
    assert wrong.status_code == 401
    login(client, "glemsk@example.no", NEW_PASSWORD)
    assert client.get(f"/{ws.slug}").status_code == 200

    # The link works once.
    client.cookies.clear()
    again = client.get(link)
    assert again.status_code == 410
    assert "Lenken er brukt eller utløpt" in again.text and 'href="/glemt-passord"' in again.text
    hash_after = _user(db, "glemsk@example.no").password_hash
    r = post(client, link, {"password": "enda-et-passord-1", "password_again": "enda-et-passord-1"})
    assert r.status_code == 410
    assert _user(db, "glemsk@example.no").password_hash == hash_after


def test_unknown_address_gets_the_same_answer_and_no_mail(client, db, smtp, deliver):
    ws = create_workspace(db)
    create_member(db, ws, email="finnes@example.no")
    known = _ask(client, "finnes@example.no")
    unknown = _ask(client, "finnes-ikke@example.no")
    assert (unknown.status_code, unknown.headers["location"], unknown.text) == (
        known.status_code,
        known.headers["location"],
        known.text,
    )
    assert deliver() == 1
    assert [m["To"] for m in smtp.messages] == ["finnes@example.no"]


def test_deactivated_and_oidc_only_accounts_get_no_mail(client, db, smtp, deliver):
    ws = create_workspace(db)
    gone = create_member(db, ws, email="sluttet@example.no")
    accounts.deactivate_user(db, gone)
    eid = accounts.create_user(db, email="eid@example.no", name="Bare eID")  # no password
    eid.oidc_subject = "https://idp.example|123"
    db.commit()
    for email in ("sluttet@example.no", "eid@example.no"):
        r = _ask(client, email)
        assert r.status_code == 303 and r.headers["location"] == "/glemt-passord/sendt"
    assert _outbox(db) == 0
    assert deliver() == 0 and smtp.messages == []
    assert _resets(db, gone.id) == 0 and _resets(db, eid.id) == 0


def test_link_of_an_account_deactivated_later_is_refused(client, db, smtp, deliver):
    ws = create_workspace(db)
    create_member(db, ws, email="snart-borte@example.no")
    link = _mailed_link(client, "snart-borte@example.no", smtp, deliver)
    accounts.deactivate_user(db, _user(db, "snart-borte@example.no"))
    db.commit()
    assert client.get(link).status_code == 410
    r = post(client, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert r.status_code == 410


def test_expired_link_is_refused_and_changes_nothing(client, db, smtp, deliver):
    ws = create_workspace(db)
    person = create_member(db, ws, email="treg@example.no")
    link = _mailed_link(client, "treg@example.no", smtp, deliver)
    row = db.scalar(select(PasswordReset).where(PasswordReset.user_id == person.id))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    page = client.get(link)
    assert page.status_code == 410 and "Lenken er brukt eller utløpt" in page.text
    r = post(client, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert r.status_code == 410
    login(client, "treg@example.no")  # the old password still works


def test_unknown_token_is_refused(client, db):
    page = client.get("/nytt-passord/ikke-et-ekte-token")
    assert page.status_code == 410 and "Be om en ny lenke" in page.text


def test_at_most_three_mails_an_hour(client, db, smtp, deliver):
    ws = create_workspace(db)
    person = create_member(db, ws, email="ivrig@example.no")
    for _ in range(4):
        r = _ask(client, "ivrig@example.no")
        assert r.status_code == 303 and r.headers["location"] == "/glemt-passord/sendt"
    assert deliver() == 3 and len(smtp.messages) == 3
    assert _resets(db, person.id) == 3
    # An hour later the account may have another.
    for row in db.scalars(select(PasswordReset).where(PasswordReset.user_id == person.id)):
        row.created_at = utcnow() - timedelta(minutes=61)
    db.commit()
    _ask(client, "ivrig@example.no")
    assert deliver() == 1 and len(smtp.messages) == 4


def test_a_new_password_voids_the_other_links(client, db, smtp, deliver):
    ws = create_workspace(db)
    create_member(db, ws, email="to-lenker@example.no")
    first = _mailed_link(client, "to-lenker@example.no", smtp, deliver)
    second = _mailed_link(client, "to-lenker@example.no", smtp, deliver)
    assert first != second
    r = post(client, second, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert r.status_code == 303
    assert client.get(first).status_code == 410


def test_bad_input_is_named_next_to_the_field(client, db, smtp, deliver):
    r = _ask(client, "")
    assert r.status_code == 422
    assert 'id="f-email-error">Feltet må fylles ut.' in r.text
    r = _ask(client, "ikke en adresse")
    assert r.status_code == 422
    assert 'id="f-email-error">Skriv en gyldig e-postadresse.' in r.text
    assert 'value="ikke en adresse"' in r.text  # kept for correcting
    assert _outbox(db) == 0

    ws = create_workspace(db)
    create_member(db, ws, email="skriver-feil@example.no")
    link = _mailed_link(client, "skriver-feil@example.no", smtp, deliver)
    r = post(client, link, {"password": "kort", "password_again": "kort"})
    assert r.status_code == 422
    assert 'id="f-password-error">Teksten er for kort (minst 10 tegn).' in r.text
    r = post(client, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "x"})
    assert r.status_code == 422
    assert 'id="f-password_again-error">Passordene er ikke like.' in r.text
    # A space typed at the end counts: passwords are taken as typed.
    r = post(client, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD + " "})
    assert r.status_code == 422 and "Passordene er ikke like." in r.text
    r = post(client, link, {"password": "", "password_again": ""})
    assert r.status_code == 422 and 'id="f-password_again-error">Feltet må fylles ut.' in r.text
    # None of it used the link or changed the password.
    assert client.get(link).status_code == 200
    login(client, "skriver-feil@example.no")


def test_htmx_gets_fragments_and_hx_redirects(client, db, smtp, deliver):
    hx = {"HX-Request": "true"}
    r = _ask(client, "", headers=hx)
    assert r.status_code == 422
    assert "<html" not in r.text and 'id="forgot-password"' in r.text
    assert "Feltet må fylles ut." in r.text

    ws = create_workspace(db)
    create_member(db, ws, email="htmx@example.no")
    r = _ask(client, "htmx@example.no", headers=hx)
    assert r.status_code == 204 and r.headers["HX-Redirect"] == "/glemt-passord/sendt"
    assert deliver() == 1
    link = _link(smtp.messages[-1])

    r = post(client, link, {"password": "kort", "password_again": "kort"}, headers=hx)
    assert r.status_code == 422
    assert "<html" not in r.text and 'id="new-password"' in r.text
    r = post(client, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}, headers=hx)
    assert r.status_code == 204 and r.headers["HX-Redirect"] == "/logg-inn"
    login(client, "htmx@example.no", NEW_PASSWORD)


def test_a_reset_lifts_the_login_throttle(client, db, smtp, deliver):
    ws = create_workspace(db)
    create_member(db, ws, email="sperret@example.no")
    for _ in range(5):
        post(client, "/logg-inn", {"email": "sperret@example.no", "password": "feil"})
    locked = post(client, "/logg-inn", {"email": "sperret@example.no", "password": PASSWORD})
    assert locked.status_code == 429
    link = _mailed_link(client, "sperret@example.no", smtp, deliver)
    post(client, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    login(client, "sperret@example.no", NEW_PASSWORD)
    failures = select(func.count()).select_from(LoginAttempt)
    assert db.scalar(failures.where(LoginAttempt.succeeded.is_(False))) == 0


def test_forms_need_the_csrf_token(client, db):
    create_user(db, email="csrf@example.no")
    csrf(client)
    r = client.post("/glemt-passord", data={"email": "csrf@example.no"})
    assert r.status_code == 403
    assert _outbox(db) == 0


def test_the_mail_speaks_the_persons_language(client, db, smtp, deliver):
    """A person who chose English gets the mail in English, whatever the page's language."""
    ws = create_workspace(db)
    person = create_member(db, ws, email="english@example.no")
    person.locale = "en"
    db.commit()
    client.cookies.set("samspill_lang", "nn")
    _mailed_link(client, "english@example.no", smtp, deliver)
    english = translations("en")
    assert smtp.messages[-1]["Subject"] == english.gettext("Nytt passord til Samspill")


def test_the_link_uses_the_base_url(db, settings):
    assert password_reset.reset_link(settings, "abc") == "http://127.0.0.1:8000/nytt-passord/abc"
