"""Several roles per membership: membership.extra_roles (and invitation.extra_roles)

The extra roles (helper, viewer; see app.accounts.permissions.EXTRA_ROLES) are kept in one
column on membership, each between commas (",helper,viewer,"), or "" for none: "who may do X"
stays one query on both databases, membership keeps its RLS policies (no new table), and the
audit log records a change like one of the main role. Two checks: only known extra roles, and
no extra role equal to the main role. An invitation carries the extra roles its membership
gets when it is accepted.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("extra_roles", sa.String(length=60), server_default="", nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_membership_extra_roles"),
            "replace(replace(extra_roles, ',helper', ''), ',viewer', '') IN ('', ',')",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_membership_extra_not_main"),
            "extra_roles NOT LIKE '%,' || role || ',%'",
        )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("extra_roles", sa.String(length=60), server_default="", nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_invitation_extra_roles"),
            "replace(replace(extra_roles, ',helper', ''), ',viewer', '') IN ('', ',')",
        )


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_invitation_extra_roles"), type_="check")
        batch_op.drop_column("extra_roles")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_membership_extra_not_main"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_membership_extra_roles"), type_="check")
        batch_op.drop_column("extra_roles")
