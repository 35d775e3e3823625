"""encryption at rest

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Free text people give is stored encrypted (`EncryptedText`, db/types.py). The name and
adjustments columns become TEXT (ciphertext is longer than the words; the services keep the
length limits), and every value already stored in plaintext is encrypted with the database's
current key (the keyring attached to the engine running this migration, see db/crypto.py).
Values already encrypted are left alone. Downgrade decrypts them back.

The columns are listed here, not read from the models, so this step stays what it was when it
shipped.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from db.crypto import is_encrypted, keyring_of

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "members": ("display_name", "adjustments"),
    "feedback_responses": ("worked", "to_change"),
    "feedback_comments": ("text",),
}
WIDTHS = {"display_name": 80, "adjustments": 500}


def _rewrite(encrypting: bool) -> None:
    if context.is_offline_mode():
        return  # no rows to see when only writing SQL out
    bind = op.get_bind()
    keyring = keyring_of(bind.dialect)
    for table_name, names in COLUMNS.items():
        table = sa.table(table_name, sa.column("id"), *(sa.column(name) for name in names))
        rows = bind.execute(sa.select(table.c.id, *(table.c[name] for name in names))).all()
        for row in rows:
            values = {}
            for name, value in zip(names, row[1:], strict=True):
                if value is None or is_encrypted(value) == encrypting:
                    continue
                values[name] = keyring.encrypt(value) if encrypting else keyring.decrypt(value)
            if values:
                bind.execute(sa.update(table).where(table.c.id == row[0]).values(**values))


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        for name, width in WIDTHS.items():
            batch_op.alter_column(
                name, existing_type=sa.String(length=width), type_=sa.Text(), existing_nullable=True
            )
    _rewrite(encrypting=True)


def downgrade() -> None:
    _rewrite(encrypting=False)
    with op.batch_alter_table("members", schema=None) as batch_op:
        for name, width in WIDTHS.items():
            batch_op.alter_column(
                name, existing_type=sa.Text(), type_=sa.String(length=width), existing_nullable=True
            )
