"""Row-level security on the mail outbox: a workspace's requests see only its own mail; the
worker, the metrics and `samspill mail` read all of it in system scope (app.system = on)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 22:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

from app.rls import SYSTEM, WORKSPACE

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Mail of no workspace (a password reset) belongs to requests with no workspace set.
MINE = f"(workspace_id IS NOT DISTINCT FROM {WORKSPACE} OR {SYSTEM})"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE outbox_message ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE outbox_message FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON outbox_message USING {MINE} WITH CHECK {MINE}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP POLICY IF EXISTS tenant_isolation ON outbox_message")
    op.execute("ALTER TABLE outbox_message NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE outbox_message DISABLE ROW LEVEL SECURITY")
