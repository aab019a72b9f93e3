"""One notification setting: membership.strategy_digest becomes notification preferences

The old per-membership choice "one daily digest of this workspace's consultation notices"
(membership.strategy_digest) lived beside the per-kind choice of app.notifications. The per-kind
choice is now the only one: a person who had asked for the digest in any workspace gets the
"digest" channel for the kinds the consultations notify (a reply to their comment, a new
comment or response), replacing whatever they had chosen for those two kinds; then the column is
dropped. Going down adds the column back and sets it for the memberships of those who chose the
digest for new comments.

On PostgreSQL membership has FORCE row-level security: the owner running the migration reads
every workspace's memberships by lifting FORCE for this transaction only.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# app.notifications.kinds.ANSWER and COMMENT, as they were when this was written
STRATEGY_KINDS = ("answer", "comment")

preference = sa.table(
    "notification_preference",
    sa.column("user_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("channel", sa.String),
)


def _unforced(bind: sa.Connection) -> bool:
    if bind.dialect.name != "postgresql":
        return False
    op.execute("ALTER TABLE membership NO FORCE ROW LEVEL SECURITY")
    return True


def _force() -> None:
    op.execute("ALTER TABLE membership FORCE ROW LEVEL SECURITY")


def upgrade() -> None:
    bind = op.get_bind()
    unforced = _unforced(bind)
    user_ids = sorted(
        bind.execute(
            sa.text("SELECT DISTINCT user_id FROM membership WHERE strategy_digest")
        ).scalars()
    )
    if unforced:
        _force()
    if user_ids:
        op.execute(
            preference.delete().where(
                preference.c.user_id.in_(user_ids), preference.c.kind.in_(STRATEGY_KINDS)
            )
        )
        op.bulk_insert(
            preference,  # type: ignore[arg-type]
            [
                {"user_id": user_id, "kind": kind, "channel": "digest"}
                for user_id in user_ids
                for kind in STRATEGY_KINDS
            ],
        )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("strategy_digest")


def downgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("strategy_digest", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    bind = op.get_bind()
    unforced = _unforced(bind)
    op.execute(
        sa.text(
            "UPDATE membership SET strategy_digest = :yes WHERE user_id IN ("
            "SELECT user_id FROM notification_preference"
            " WHERE kind = 'comment' AND channel = 'digest')"
        ).bindparams(yes=True)
    )
    if unforced:
        _force()
