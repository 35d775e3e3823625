"""involvement

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

The involvement record: role cards (role_cards), applications for activities coordinators
choose for (applications), attendance and hours (attendance), expense claims (expense_claims)
and money owed and paid (payments). Only new tables. A person's free text (an application's
why, a claim's note and decline reason) is `EncryptedText`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('why', db.types.EncryptedText(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('applied_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_applications_activity_id_activities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('activity_id', 'user_id', name=op.f('uq_applications_activity_id_user_id'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_user_id'), ['user_id'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('marked_by', sa.BigInteger(), nullable=True),
    sa.Column('marked_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_attendance_activity_id_activities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('activity_id', 'user_id', name=op.f('uq_attendance_activity_id_user_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_user_id'), ['user_id'], unique=False)

    op.create_table('expense_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('what', sa.String(length=20), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('note', db.types.EncryptedText(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('claimed_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.BigInteger(), nullable=True),
    sa.Column('decided_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', db.types.EncryptedText(), nullable=True),
    sa.Column('for_title', sa.String(length=100), nullable=False),
    sa.Column('for_date', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_expense_claims_activity_id_activities'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expense_claims'))
    )
    with op.batch_alter_table('expense_claims', schema=None) as batch_op:
        batch_op.create_index('ix_expense_claims_guild_status', ['guild_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_expense_claims_user_id'), ['user_id'], unique=False)

    op.create_table('role_cards',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('what_you_do', sa.Text(), nullable=True),
    sa.Column('time_minutes', sa.Integer(), nullable=True),
    sa.Column('reading_minutes', sa.Integer(), nullable=False),
    sa.Column('support', sa.Text(), nullable=True),
    sa.Column('skills', sa.Text(), nullable=True),
    sa.Column('how_chosen', sa.Text(), nullable=True),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.Column('difference', sa.Text(), nullable=True),
    sa.Column('hear_back', sa.Text(), nullable=True),
    sa.Column('payment_rate', sa.String(length=40), nullable=True),
    sa.Column('choose', sa.String(length=12), nullable=False),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_role_cards_activity_id_activities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', name=op.f('pk_role_cards'))
    )
    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guild_id', sa.BigInteger(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('paid_user_id', sa.BigInteger(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('rate_key', sa.String(length=40), nullable=True),
    sa.Column('what', sa.String(length=20), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=10), nullable=True),
    sa.Column('owed_since', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('paid_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paid_by', sa.BigInteger(), nullable=True),
    sa.Column('for_title', sa.String(length=100), nullable=False),
    sa.Column('for_date', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_payments_activity_id_activities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['claim_id'], ['expense_claims.id'], name=op.f('fk_payments_claim_id_expense_claims'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('claim_id', name=op.f('uq_payments_claim_id'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('ix_payments_activity_user', ['activity_id', 'user_id'], unique=False)
        batch_op.create_index('ix_payments_guild_paid_owed', ['guild_id', 'paid_at', 'owed_since'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_paid_user_id'), ['paid_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_user_id'))
        batch_op.drop_index(batch_op.f('ix_payments_paid_user_id'))
        batch_op.drop_index('ix_payments_guild_paid_owed')
        batch_op.drop_index('ix_payments_activity_user')

    op.drop_table('payments')
    op.drop_table('role_cards')
    with op.batch_alter_table('expense_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expense_claims_user_id'))
        batch_op.drop_index('ix_expense_claims_guild_status')

    op.drop_table('expense_claims')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_user_id'))

    op.drop_table('attendance')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_user_id'))

    op.drop_table('applications')
