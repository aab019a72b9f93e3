"""Row-level security for a migration that adds tenant-owned tables (PostgreSQL only; SQLite
has no policies and relies on the scoped queries alone).

    from app import rls

    def upgrade() -> None:
        op.create_table("scheme_call", ...)
        if op.get_bind().dialect.name == "postgresql":
            rls.isolate(("scheme_call",))

Each table gets ENABLE and FORCE row-level security and two policies (``isolate``; the
migrations before 0027 used ``enable``, the first alone, and 0027 added the second):

- ``tenant_isolation``: rows of the workspace in ``app.workspace_id`` (set per transaction by
  ``app.tenancy.set_db_scope``), and no rows when none is set; reads and writes;
- ``member_read`` (since migration 0027): reading only, the rows of the workspaces listed in
  ``app.read_also`` (a PostgreSQL integer array literal such as ``{3,7}``). The app lists there
  the other workspaces of the person looking, for the one statement per module of their start
  page ("Til deg"), and empties it again straight after; it is empty otherwise.

Keep this file's DDL stable: migrations that ran with it must mean the same thing tomorrow.
"""

from __future__ import annotations

from collections.abc import Iterable

from alembic import op

WORKSPACE = "NULLIF(current_setting('app.workspace_id', true), '')::integer"
# The other workspaces a statement may read (app.tenancy.set_db_scope(read_also=...)).
# Unset or empty: NULL, and ANY(NULL) admits no row.
READ_ALSO = "workspace_id = ANY(NULLIF(current_setting('app.read_also', true), '')::integer[])"
MEMBER_READ = "CREATE POLICY member_read ON {table} FOR SELECT USING (" + READ_ALSO + ")"
# Set by app.tenancy.set_system_scope for the few readers of every workspace's rows of a table
# that allows it (the mail worker and `samspill mail` on the outbox).
SYSTEM = "coalesce(current_setting('app.system', true), '') = 'on'"


def enable(tables: Iterable[str]) -> None:
    for table in tables:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} "
            f"USING (workspace_id = {WORKSPACE}) WITH CHECK (workspace_id = {WORKSPACE})"
        )


def isolate(tables: Iterable[str]) -> None:
    """Row-level security for tables made from migration 0027 on: :func:`enable`'s
    ``tenant_isolation``, and ``member_read`` (``enable`` stays as the migrations before 0027 ran
    it; 0027 gave their tables ``member_read``)."""
    tables = list(tables)
    enable(tables)
    for table in tables:
        op.execute(MEMBER_READ.format(table=table))


def disable(tables: Iterable[str]) -> None:
    for table in tables:
        op.execute(f"DROP POLICY IF EXISTS member_read ON {table}")
        op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
