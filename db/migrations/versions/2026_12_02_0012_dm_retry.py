"""when DMs were found closed

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

`members.dms_closed_at`: when Discord last refused a DM to the person, so the bot tries a DM
again after a while instead of never. Touches no table added by any other new revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch_op:
        batch_op.add_column(
            sa.Column("dms_closed_at", db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("members") as batch_op:
        batch_op.drop_column("dms_closed_at")
