"""Networks: bodies, memberships over time, contacts, representatives; RLS with shared reads.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 23:10:51.131091
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TENANT_TABLES = (
    "body",
    "body_membership",
    "body_share",
    "person",
    "responsibility",
    "representative",
)
WORKSPACE = "NULLIF(current_setting('app.workspace_id', true), '')::integer"
COUNTY = "NULLIF(current_setting('app.county_number', true), '')"
# A body, and its memberships, may also be read by the workspaces of counties that have member
# municipalities in it (Kongsbergregionen spans Buskerud and Telemark). body_share says which.
SHARED_BODY = f"EXISTS (SELECT 1 FROM body_share s WHERE s.body_id = {{column}} AND s.county_number = {COUNTY})"


def _enable_rls() -> None:
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} "
            f"USING (workspace_id = {WORKSPACE}) WITH CHECK (workspace_id = {WORKSPACE})"
        )
    op.execute(
        f"CREATE POLICY shared_read ON body_share FOR SELECT USING (county_number = {COUNTY})"
    )
    op.execute(
        "CREATE POLICY shared_read ON body FOR SELECT USING ("
        + SHARED_BODY.format(column="body.id")
        + ")"
    )
    op.execute(
        "CREATE POLICY shared_read ON body_membership FOR SELECT USING ("
        + SHARED_BODY.format(column="body_membership.body_id")
        + ")"
    )


def _disable_rls() -> None:
    for table in ("body_share", "body", "body_membership"):
        op.execute(f"DROP POLICY IF EXISTS shared_read ON {table}")
    for table in TENANT_TABLES:
        op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def upgrade() -> None:
    op.create_table(
        "body",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("theme", sa.String(length=30), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("contact_phone", sa.String(length=40), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "kind IN ('council', 'network', 'board', 'ceo_committee', 'secretariat', 'steering_group', 'working_committee', 'professional_group', 'joint_operation')",
            name=op.f("ck_body_kind"),
        ),
        sa.CheckConstraint(
            "theme IS NULL OR theme IN ('digitalisation', 'health_welfare_tech', 'climate', 'school', 'procurement', 'other')",
            name=op.f("ck_body_theme"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["body.id"], name=op.f("fk_body_parent_id_body"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_body_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_body")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_body_workspace_id_name")),
    )
    with op.batch_alter_table("body", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_body_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_body_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_number", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["municipality_number"],
            ["municipality.number"],
            name=op.f("fk_person_municipality_number_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_person_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            "ix_person_municipality", ["workspace_id", "municipality_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_person_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "body_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("municipality_number", sa.String(length=4), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "role IN ('member', 'host', 'secretariat', 'observer')",
            name=op.f("ck_body_membership_role"),
        ),
        sa.CheckConstraint(
            "(municipality_number IS NULL) <> (organisation_id IS NULL)",
            name=op.f("ck_body_membership_one_member"),
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
            name=op.f("ck_body_membership_dates"),
        ),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
            name=op.f("fk_body_membership_body_id_body"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_number"],
            ["municipality.number"],
            name=op.f("fk_body_membership_municipality_number_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_body_membership_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_body_membership_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_body_membership")),
    )
    with op.batch_alter_table("body_membership", schema=None) as batch_op:
        batch_op.create_index("ix_body_membership_body", ["workspace_id", "body_id"], unique=False)
        batch_op.create_index(
            "ix_body_membership_municipality", ["workspace_id", "municipality_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_body_membership_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "body_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("county_number", sa.String(length=2), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"], ["body.id"], name=op.f("fk_body_share_body_id_body"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["county_number"], ["county.number"], name=op.f("fk_body_share_county_number_county")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_body_share_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_body_share")),
        sa.UniqueConstraint(
            "workspace_id",
            "body_id",
            "county_number",
            name=op.f("uq_body_share_workspace_id_body_id_county_number"),
        ),
    )
    with op.batch_alter_table("body_share", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_body_share_body_id"), ["body_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_body_share_county_number"), ["county_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_body_share_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "representative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
            name=op.f("fk_representative_body_id_body"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_representative_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_representative_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_representative")),
        sa.UniqueConstraint(
            "workspace_id",
            "body_id",
            "person_id",
            name=op.f("uq_representative_workspace_id_body_id_person_id"),
        ),
    )
    with op.batch_alter_table("representative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_representative_body_id"), ["body_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_representative_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_representative_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "responsibility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=30), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "area IN ('digitalisation', 'health_care', 'school', 'climate', 'business', 'finance', 'procurement', 'innovation', 'other')",
            name=op.f("ck_responsibility_area"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_responsibility_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_responsibility_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responsibility")),
        sa.UniqueConstraint(
            "workspace_id",
            "person_id",
            "area",
            name=op.f("uq_responsibility_workspace_id_person_id_area"),
        ),
    )
    with op.batch_alter_table("responsibility", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_responsibility_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_responsibility_workspace_id"), ["workspace_id"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        _enable_rls()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _disable_rls()
    with op.batch_alter_table("responsibility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_responsibility_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_responsibility_person_id"))

    op.drop_table("responsibility")
    with op.batch_alter_table("representative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_representative_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_representative_person_id"))
        batch_op.drop_index(batch_op.f("ix_representative_body_id"))

    op.drop_table("representative")
    with op.batch_alter_table("body_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_body_share_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_body_share_county_number"))
        batch_op.drop_index(batch_op.f("ix_body_share_body_id"))

    op.drop_table("body_share")
    with op.batch_alter_table("body_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_body_membership_workspace_id"))
        batch_op.drop_index("ix_body_membership_municipality")
        batch_op.drop_index("ix_body_membership_body")

    op.drop_table("body_membership")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_workspace_id"))
        batch_op.drop_index("ix_person_municipality")

    op.drop_table("person")
    with op.batch_alter_table("body", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_body_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_body_parent_id"))

    op.drop_table("body")
