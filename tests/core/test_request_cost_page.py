"""The fixed cost of a page (issue 16): what base.html shows on every page is read or made
once — the bell's count with the request's set-up, the template texts once per process and
language, the menu's permission checks once per role. Counted (statements, calls), not timed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jinja2
import pytest

from app import web
from app.accounts import deps
from app.i18n import set_locale
from app.notifications import kinds
from app.notifications import service as notifications
from factories import add_member, create_member, create_workspace, in_workspace, login


def _notify(db: Any, ws: Any, user: Any, n: int) -> None:
    def text(i: int) -> Any:
        return lambda: (f"Hendelse {i}", "T")

    with in_workspace(db, ws):
        for i in range(n):
            notifications.notify(
                db,
                ws,
                [user],
                kinds.COMMENT,
                "/hoeringer",
                text(i),
                channel="app",
            )


def test_the_bell_is_counted_with_the_set_up(client, db, ws, count_queries):
    """The header's unread count comes with the memberships: no statement of its own, and the
    same count as before (from every workspace, only the person's own)."""
    other = create_workspace(db, county="46", name="Vestland bell")
    user = create_member(db, ws, "coordinator")
    add_member(db, other, user, "viewer")
    someone = create_member(db, ws, "coordinator")
    _notify(db, ws, user, 2)
    _notify(db, other, user, 1)
    _notify(db, ws, someone, 4)  # not theirs
    login(client, user)
    client.get(f"/{ws.slug}/hjelp")
    with count_queries() as q:
        page = client.get(f"/{ws.slug}/hjelp")
    assert page.status_code == 200
    assert "3 uleste varsler" in page.text
    own = [s for s in q.statements if "FROM notification" in s]
    assert len(own) == 1 and "FROM membership JOIN workspace" in own[0], q.statements

    # An htmx request gets the fragment without the header: it does not count at all.
    with count_queries() as q:
        fragment = client.get(f"/{ws.slug}/hjelp", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert not any("FROM notification" in s for s in q.statements), q.statements


def test_no_unread_shows_no_count(client, db, ws):
    user = create_member(db, ws, "coordinator")
    login(client, user)
    page = client.get(f"/{ws.slug}/hjelp")
    assert page.status_code == 200 and 'href="/varsler"' in page.text
    assert "bell__count" not in page.text


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The texts Jinja's own ``gettext`` makes while the test runs (none kept from before)."""
    calls: list[str] = []
    real = web._newstyle_gettext

    @jinja2.pass_context
    def counting(context: Any, message: str, **variables: Any) -> Any:
        calls.append(message)
        return real(context, message, **variables)

    monkeypatch.setattr(web, "_newstyle_gettext", counting)
    monkeypatch.setattr(web, "_TEXTS", {})
    yield calls
    set_locale("nb")


def test_template_texts_are_made_once_per_language(made):
    page = web.templates.env.from_string(
        '{{ _("Varsler") }}|{{ _("Varsler") }}|{{ _("100 %% ferdig") }}|'
        '{{ _("Hei, %(name)s", name="<b>Kari</b>") }}'
    )
    set_locale("nb")
    assert page.render() == "Varsler|Varsler|100 % ferdig|Hei, &lt;b&gt;Kari&lt;/b&gt;"
    assert page.render() == "Varsler|Varsler|100 % ferdig|Hei, &lt;b&gt;Kari&lt;/b&gt;"
    # "Varsler" and "100 %% ferdig" once; the text with a value every time it is shown.
    assert made == ["Varsler", "100 %% ferdig", "Hei, %(name)s", "Hei, %(name)s"]
    set_locale("en")
    assert page.render().startswith("Notifications|Notifications|")
    assert made.count("Varsler") == 2  # once more, in English


def test_a_page_makes_its_fixed_texts_once(client, db, ws, made):
    user = create_member(db, ws, "coordinator")
    login(client, user)
    first = client.get(f"/{ws.slug}/hjelp")
    assert first.status_code == 200
    before = len(made)
    again = client.get(f"/{ws.slug}/hjelp")
    assert again.status_code == 200
    assert "Hopp til hovedinnholdet" in again.text and "Logg ut" in again.text
    assert len(made) - before < before / 4, made[before:]  # only texts with values again


def test_permission_checks_answer_as_the_permission_table():
    """``ctx.can`` keeps its answers per role and extra roles: still the table's answer, and
    for the roles the membership has at the moment it is asked."""
    from app.accounts.models import Membership
    from app.accounts.permissions import PERMISSIONS, allowed

    membership = Membership(role="municipal", extra_roles="helper")
    ctx = deps.Context(user=None, workspace=None, membership=membership)  # type: ignore[arg-type]
    for action in PERMISSIONS:
        assert ctx.can(action) is allowed(("municipal", "helper"), action), action
    membership.extra_roles = ""
    assert ctx.can("helpdesk.work") is False  # the helper's right went with the role
    assert ctx.can("helpdesk.read") is True
    with pytest.raises(KeyError):
        ctx.can("no.such_action")
