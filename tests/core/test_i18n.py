"""Translations: the nynorsk and English catalogues are complete and up to date, and the app
speaks the language a person chooses. When a test here fails after new text was added, run
``sh scripts/messages.sh`` and translate the empty entries in app/locale/*/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from factories import post

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "app" / "locale"
POT = LOCALE_DIR / "messages.pot"
LANGUAGES = ("nn", "en")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _texts(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _ids(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.fixture(scope="module")
def template() -> Catalog:
    return _read(POT)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_with_the_same_placeholders(
    template: Catalog, lang: str
) -> None:
    catalog = _read(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", locale=lang)
    problems: list[str] = []
    for source in template:
        if not source.id:
            continue
        message = catalog.get(source.id, source.context)
        key = _texts(source.id)[0]
        if message is None:
            problems.append(f"missing: {key!r}")
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        wanted = set().union(*(_placeholders(t) for t in _texts(source.id)))
        strings = _texts(message.string)
        if not strings or not all(s.strip() for s in strings):
            problems.append(f"untranslated: {key!r}")
            continue
        for text in strings:
            if _placeholders(text) != wanted:
                problems.append(
                    f"placeholders differ: {key!r} has {sorted(wanted)}, "
                    f"{text!r} has {sorted(_placeholders(text))}"
                )
            elif "python-brace-format" in message.flags or wanted:
                try:
                    text.format(**dict.fromkeys(wanted, "x"))
                except (KeyError, IndexError, ValueError) as exc:
                    problems.append(f"cannot format {text!r}: {exc!r}")
    assert not problems, f"{lang}: {len(problems)} problem(s):\n" + "\n".join(problems)


def test_catalogue_template_is_up_to_date(template: Catalog, tmp_path: Path) -> None:
    fresh_pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "lazy",
            "--no-location",
            "-o",
            str(fresh_pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    fresh = _ids(_read(fresh_pot))
    assert len(fresh) > 100, "extraction found suspiciously few messages"
    # The keywords in babel.cfg work: lazy() constants and exception messages are extracted.
    for marked in (
        "Fylkesadministrator",  # lazy() in ROLE_LABELS
        "Tjenesten er midlertidig utilgjengelig.",  # lazy() in STATUS_TEXT
        "API-nøkkelen er ugyldig eller trukket tilbake.",  # NotAuthenticated("...")
        "Invitasjonen finnes ikke eller er trukket tilbake.",  # InvitationUnusable("...")
    ):
        assert marked in fresh, f"babel.cfg keywords not applied: {marked!r} not extracted"
    missing = sorted(fresh - _ids(template))
    assert not missing, (
        "Strings not in app/locale/messages.pot — run `sh scripts/messages.sh` and translate:\n"
        + "\n".join(missing)
    )


def _choose(client: TestClient, locale: str, next_url: str = "/logg-inn") -> None:
    response = post(client, "/sprak", {"locale": locale, "neste": next_url})
    assert response.status_code == 303, response.text[:300]
    assert response.headers["location"] == next_url


def test_login_page_follows_the_chosen_language(client: TestClient) -> None:
    page = client.get("/logg-inn")
    assert '<html lang="nb"' in page.text
    assert "Logg inn i Samspill" in page.text
    assert "Har du ikke tilgang?" in page.text

    _choose(client, "en")
    page = client.get("/logg-inn")
    assert page.status_code == 200
    assert '<html lang="en"' in page.text
    assert page.headers["content-language"] == "en"
    assert "Log in to Samspill" in page.text
    assert "<title>Log in · Samspill</title>" in page.text
    assert "E-mail address" in page.text
    assert "Logg inn i Samspill" not in page.text

    _choose(client, "nn")
    page = client.get("/logg-inn")
    assert page.status_code == 200
    assert '<html lang="nn"' in page.text
    assert page.headers["content-language"] == "nn"
    assert "Logg inn i Samspill" in page.text
    assert (
        "Har du ikkje tilgang? Be administratoren i fylkeskommunen om ein invitasjon." in page.text
    )
    assert "Hopp til hovudinnhaldet" in page.text
    assert "Har du ikke tilgang?" not in page.text

    _choose(client, "nb")
    page = client.get("/logg-inn")
    assert '<html lang="nb"' in page.text
    assert "Har du ikke tilgang?" in page.text


def test_messages_translated_where_shown(client: TestClient) -> None:
    """Strings kept untranslated in constants (lazy) are translated on the way out."""
    _choose(client, "en")
    response = post(client, "/sprak", {"locale": "xx", "neste": "/logg-inn"})
    assert response.status_code == 422
    assert "Some fields are not filled in correctly." in response.text

    response = client.post("/logg-inn", data={"email": "a@example.no", "password": "x"})
    assert response.status_code == 403
    assert "The form had expired or was missing its security key." in response.text

    _choose(client, "nn")
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer sps_1_ugyldig"})
    assert response.status_code == 401
    assert response.json()["message"] == "API-nøkkelen er ugyldig eller trekt tilbake."


def test_a_signed_in_person_keeps_the_chosen_language_for_their_mail(client, db, ws) -> None:
    """The language buttons also set the language Samspill writes to this person in (deadline
    reminders, notifications), so a mail sent by the worker later follows their choice."""
    from app.accounts.models import User
    from factories import create_member, login

    user = create_member(db, ws, "coordinator")
    login(client, user)
    _choose(client, "en", f"/{ws.slug}")
    db.expire_all()
    assert db.get(User, user.id).locale == "en"
    _choose(client, "nn", f"/{ws.slug}")
    db.expire_all()
    assert db.get(User, user.id).locale == "nn"
