import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.accounts.models import ApiToken, Invitation, Membership
from app.audit.models import AuditEvent
from app.db import Base
from app.tenancy import TenantOwned, TenantScopeError, scoped, set_db_scope, tenant_tables
from factories import add_member, create_member, create_workspace

APP_DIR = Path(__file__).resolve().parents[2] / "app"


def test_every_tenant_table_has_an_indexed_non_null_workspace_id():
    tables = tenant_tables()
    assert {"membership", "invitation", "api_token", "audit_event"} <= tables
    for name in tables:
        table = Base.metadata.tables[name]
        column = table.c.workspace_id
        model = next(m.class_ for m in Base.registry.mappers if m.local_table is table)
        national = getattr(model, "__national_rows__", False)
        # Only a table that also holds national reference rows (NULL) may leave it empty.
        assert column.nullable == national, name
        assert any("workspace_id" in idx.columns for idx in table.indexes) or column.index
        for constraint in table.constraints:
            if constraint.__class__.__name__ == "UniqueConstraint":
                cols = {c.name for c in constraint.columns}
                if cols not in ({"token_hash"}, {"key"}):  # random secrets, national keys
                    assert "workspace_id" in cols, (name, cols)


def test_a_select_that_bypasses_the_scoped_helper_fails(db):
    with pytest.raises(TenantScopeError):
        db.scalars(select(Membership)).all()
    with pytest.raises(TenantScopeError):
        db.execute(select(func.count()).select_from(AuditEvent)).all()
    # Hiding the tenant table in a join does not help.
    from app.accounts.models import User

    with pytest.raises(TenantScopeError):
        db.scalars(select(User).join(ApiToken, ApiToken.user_id == User.id)).all()
    # Bulk writes are checked too.
    from sqlalchemy import delete, update

    with pytest.raises(TenantScopeError):
        db.execute(delete(Membership))
    with pytest.raises(TenantScopeError):
        db.execute(update(ApiToken).values(name="x"))
    # Through the helper it is fine.
    ws = create_workspace(db)
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    assert db.scalars(scoped(Invitation, ws.id)).all() == []


TENANT_MODELS = {
    m.class_.__name__ for m in Base.registry.mappers if issubclass(m.class_, TenantOwned)
}


def _names(node: ast.expr) -> bool:
    """Whether ``node`` names a tenant-owned model: ``Model``, ``models.Model`` or a column of
    one (``Model.id``)."""
    return (
        getattr(node, "id", None) in TENANT_MODELS
        or getattr(node, "attr", None) in TENANT_MODELS
        or getattr(getattr(node, "value", None), "id", None) in TENANT_MODELS
    )


def _bypasses(source: str) -> list[int]:
    """Lines that reach a tenant-owned model without the scoped helper: ``select(Model)``
    (``update``, ``delete``), and ``session.get(Model, id)`` — a primary key is no scope."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        statement = getattr(func, "id", None) in {"select", "update", "delete"}
        by_key = isinstance(func, ast.Attribute) and func.attr in {"get", "get_one"}
        if (statement and any(_names(arg) for arg in node.args)) or (
            by_key and _names(node.args[0])
        ):
            lines.append(node.lineno)
    return lines


def test_no_code_reaches_a_tenant_model_without_the_scope():
    """A static check besides the runtime one: neither `select(Model)` nor `session.get(Model,
    …)` of a tenant-owned model appears anywhere in app/ except in the tenancy helper."""
    offenders = [
        f"{path}:{line}"
        for path in APP_DIR.rglob("*.py")
        if path.name != "tenancy.py"
        for line in _bypasses(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_static_check_sees_what_it_must_refuse():
    """The reader finds the bypasses it is for (the reply-to-a-reply bug loaded its thread with
    ``session.get``), and lets reference data and the scoped helper pass."""
    assert _bypasses("parent = session.get(ConsultationComment, parent.parent_id)") == [1]
    assert _bypasses("db.get(models.StrategySection, 3)") == [1]
    assert _bypasses("session.scalars(select(Membership.id))") == [1]
    assert _bypasses("session.get(Municipality, number)") == []
    assert _bypasses("data.get('title', '')") == []
    assert _bypasses("session.scalar(scoped(Invitee, ws.id).where(Invitee.id == 1))") == []


@pytest.mark.postgres_only
def test_rls_with_no_workspace_set_returns_no_rows(db, backend):
    ws = create_workspace(db)
    create_member(db, ws)
    create_member(db, ws)
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    assert db.execute(text("SELECT count(*) FROM membership")).scalar() == 2
    set_db_scope(db, workspace_id=None, user_id=None)
    assert db.execute(text("SELECT count(*) FROM membership")).scalar() == 0
    other = create_workspace(db, county="46")
    set_db_scope(db, workspace_id=other.id, user_id=None)
    assert db.execute(text("SELECT count(*) FROM membership")).scalar() == 0


@pytest.mark.postgres_only
def test_rls_refuses_writing_into_another_workspace(db, backend):
    from sqlalchemy.exc import ProgrammingError

    a = create_workspace(db)
    b = create_workspace(db, county="46")
    user = create_member(db, a)
    set_db_scope(db, workspace_id=a.id, user_id=None)
    nested = db.begin_nested()
    with pytest.raises(ProgrammingError, match="row-level security"):
        db.execute(
            text(
                "INSERT INTO membership (workspace_id, user_id, role, created_at, updated_at) "
                "VALUES (:ws, :u, 'viewer', now(), now())"
            ),
            {"ws": b.id, "u": user.id},
        )
    nested.rollback()


@pytest.mark.postgres_only
def test_read_also_lets_statements_read_the_listed_workspaces_but_write_none(db, backend):
    """The start page reads the person's other workspaces in one statement per module
    (``set_db_scope(read_also=...)``, policy ``member_read``): only the listed ones, reading
    only, and only until the scope is set again without them."""
    from sqlalchemy.exc import ProgrammingError

    a = create_workspace(db)
    b = create_workspace(db, county="46")
    c = create_workspace(db, county="34")
    user = create_member(db, a)
    create_member(db, b)
    create_member(db, b)
    create_member(db, c)
    count = text("SELECT workspace_id, count(*) FROM membership GROUP BY 1 ORDER BY 1")
    set_db_scope(db, workspace_id=a.id, user_id=None, read_also=[b.id])
    assert db.execute(count).all() == [(a.id, 1), (b.id, 2)]  # not c
    changed = db.execute(
        text("UPDATE membership SET role = 'viewer' WHERE workspace_id = :ws"), {"ws": b.id}
    )
    assert changed.rowcount == 0
    gone = db.execute(text("DELETE FROM membership WHERE workspace_id = :ws"), {"ws": b.id})
    assert gone.rowcount == 0
    nested = db.begin_nested()
    with pytest.raises(ProgrammingError, match="row-level security"):
        db.execute(
            text(
                "INSERT INTO membership (workspace_id, user_id, role, created_at, updated_at) "
                "VALUES (:ws, :u, 'viewer', now(), now())"
            ),
            {"ws": b.id, "u": user.id},
        )
    nested.rollback()
    set_db_scope(db, workspace_id=a.id, user_id=None, read_also=[b.id])
    set_db_scope(db, workspace_id=a.id, user_id=None)
    assert db.execute(count).all() == [(a.id, 1)]


@pytest.mark.postgres_only
@pytest.mark.parametrize("fails", [False, True])
def test_the_start_page_lets_its_modules_read_the_other_workspaces_then_empties_the_list(
    db, backend, fails
):
    """While the modules' ``for_you`` run, ``app.read_also`` lists the person's other
    workspaces; afterwards it is empty again, also when a module raised."""
    from for_you import contexts

    from app.overview import personal
    from app.registry import Module

    a = create_workspace(db)
    b = create_workspace(db, county="46")
    user = create_member(db, a)
    add_member(db, b, user, "viewer")
    ctxs = contexts(db, user, [a, b])
    ctxs[0].member_of = [(c.membership, c.workspace) for c in ctxs]
    seen = []

    def for_you(session, given):
        seen.append(session.execute(text("SELECT current_setting('app.read_also', true)")).scalar())
        if fails:
            raise RuntimeError("a module failed")
        return {}

    set_db_scope(db, workspace_id=a.id, user_id=user.id, county_number=a.county_number)
    if fails:
        with pytest.raises(RuntimeError, match="a module failed"):
            personal.for_you(db, [Module(name="probe", for_you=for_you)], ctxs[0])
    else:
        personal.for_you(db, [Module(name="probe", for_you=for_you)], ctxs[0])
    assert seen == ["{" + str(b.id) + "}"]
    after = db.execute(text("SELECT current_setting('app.read_also', true)")).scalar()
    assert after == ""
    assert db.execute(text("SELECT current_setting('app.workspace_id', true)")).scalar() == str(
        a.id
    )


@pytest.mark.postgres_only
def test_every_isolated_table_has_the_read_only_member_policy(db, backend):
    rows = db.execute(
        text(
            "SELECT tablename, policyname, cmd FROM pg_policies "
            "WHERE schemaname = 'public' AND policyname IN ('tenant_isolation', 'member_read')"
        )
    ).all()
    isolated = {t for t, name, _cmd in rows if name == "tenant_isolation"}
    member_read = {t: cmd for t, name, cmd in rows if name == "member_read"}
    assert len(isolated) > 20
    assert set(member_read) == isolated
    assert set(member_read.values()) == {"SELECT"}


@pytest.mark.postgres_only
def test_app_role_cannot_write_reference_data(db, backend):
    from sqlalchemy.exc import ProgrammingError

    nested = db.begin_nested()
    with pytest.raises(ProgrammingError, match="permission denied"):
        db.execute(text("UPDATE municipality SET population = 1 WHERE number = '5020'"))
    nested.rollback()


@pytest.mark.postgres_only
def test_app_role_is_not_superuser(db, backend):
    row = db.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    ).one()
    assert row == (False, False)


@pytest.mark.postgres_only
def test_every_table_with_a_workspace_id_has_row_level_security(db, backend):
    """A new table with workspace_id and no policy would show every county's rows to the app's
    role; this lists any such table."""
    lacking = db.execute(
        text(
            "SELECT c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'workspace_id' "
            "WHERE c.relkind = 'r' AND NOT (c.relrowsecurity AND c.relforcerowsecurity) "
            "ORDER BY 1"
        )
    ).scalars()
    assert list(lacking) == []


@pytest.mark.postgres_only
def test_the_outbox_shows_each_workspace_only_its_own_mail(db, backend):
    from app.mail import service as mail
    from app.tenancy import set_system_scope

    a = create_workspace(db)
    b = create_workspace(db, county="46")
    set_db_scope(db, workspace_id=a.id, user_id=None)
    mail.enqueue(db, to="a@kommune.no", subject="Invitasjon til høring", body="lenke-a")
    set_db_scope(db, workspace_id=b.id, user_id=None)
    mail.enqueue(db, to="b@kommune.no", subject="Gjestelenke", body="lenke-b")
    set_db_scope(db, workspace_id=None, user_id=None)
    mail.enqueue(db, to="c@kommune.no", subject="Nytt passord", body="lenke-c")
    db.flush()

    def recipients() -> list[str]:
        return sorted(db.execute(text("SELECT recipient FROM outbox_message")).scalars())

    set_db_scope(db, workspace_id=a.id, user_id=None)
    assert recipients() == ["a@kommune.no"]  # mail enqueued in a's scope belongs to a
    set_db_scope(db, workspace_id=b.id, user_id=None)
    assert recipients() == ["b@kommune.no"]
    # Another workspace's mail cannot be written from here either.
    nested = db.begin_nested()
    from sqlalchemy.exc import ProgrammingError

    with pytest.raises(ProgrammingError, match="row-level security"):
        db.execute(
            text(
                "UPDATE outbox_message SET body = 'x' WHERE recipient = 'a@kommune.no' RETURNING id"
            )
        ).all()
        db.execute(
            text(
                "INSERT INTO outbox_message (workspace_id, recipient, subject, body, headers, "
                "created_at, attempts, next_attempt_at) VALUES (:ws, 'x@y.no', 's', 'b', '{}', "
                "now(), 0, now())"
            ),
            {"ws": a.id},
        )
    nested.rollback()
    # The worker's system scope sees all of it.
    set_system_scope(db)
    assert recipients() == ["a@kommune.no", "b@kommune.no", "c@kommune.no"]


def test_each_part_of_a_combined_query_must_be_scoped(db):
    """A union or a join of one-row subqueries is marked as scoped by whoever combines it, and
    the session's check trusts the mark: so each part is checked when the query is made."""
    from app.tenancy import require_scoped, scoped_union

    ws = create_workspace(db)
    mine = scoped(ApiToken, ws.id).with_only_columns(ApiToken.id)
    loose = select(ApiToken.id)
    union = scoped_union(mine, mine)
    assert union.get_execution_options() == mine.get_execution_options()
    assert db.execute(union).all() == []
    with pytest.raises(TenantScopeError, match="api_token"):
        scoped_union(mine, loose)
    with pytest.raises(TenantScopeError, match="api_token"):
        require_scoped(loose)
    assert require_scoped(select(func.count()).select_from(mine.subquery())) is not None
