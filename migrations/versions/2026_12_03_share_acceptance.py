"""Share acceptance: a body shared with another county stays hidden there until a coordinator of
that county's workspace accepts it (body_share.accepted_at / declined_at / answered_by_id)

Shares that exist at upgrade time were already visible in the other county's workspace, so they
are marked accepted: nothing already shown disappears by surprise.

On PostgreSQL the policy that lets another county read a shared body's memberships now requires
an accepted share, and that county may answer (UPDATE) the shares addressed to it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTY = "NULLIF(current_setting('app.county_number', true), '')"
# The memberships of a shared body may be read only once the share is accepted. The body's own
# row stays readable for any share addressed to the county (as before): its name and place in
# the tree are what a coordinator needs to answer; the app shows nothing else of it until then.
ACCEPTED = (
    "EXISTS (SELECT 1 FROM body_share s WHERE s.body_id = body_membership.body_id AND "
    "s.county_number = " + COUNTY + " AND s.accepted_at IS NOT NULL)"
)
OLD = (
    "EXISTS (SELECT 1 FROM body_share s WHERE s.body_id = body_membership.body_id AND "
    "s.county_number = " + COUNTY + ")"
)


def _membership_read(condition: str) -> None:
    op.execute("DROP POLICY IF EXISTS shared_read ON body_membership")
    op.execute(f"CREATE POLICY shared_read ON body_membership FOR SELECT USING ({condition})")


def upgrade() -> None:
    with op.batch_alter_table("body_share", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("answered_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_body_share_answered_by_id_user_account"),
            "user_account",
            ["answered_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # Existing shares were visible already: keep them so.
    op.execute("UPDATE body_share SET accepted_at = CURRENT_TIMESTAMP")
    if op.get_bind().dialect.name == "postgresql":
        _membership_read(ACCEPTED)
        op.execute(
            f"CREATE POLICY county_answer ON body_share FOR UPDATE "
            f"USING (county_number = {COUNTY}) WITH CHECK (county_number = {COUNTY})"
        )


def downgrade() -> None:
    # Before this revision every share was visible: drop those not accepted rather than show them.
    op.execute("DELETE FROM body_share WHERE accepted_at IS NULL")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS county_answer ON body_share")
        _membership_read(OLD)
    with op.batch_alter_table("body_share", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_body_share_answered_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("answered_by_id")
        batch_op.drop_column("declined_at")
        batch_op.drop_column("accepted_at")
