"""platform hardening: payer session versions, inbound SMS ids

Revision ID: 0004_platform_hardening
Revises: 0003_mobile_payments
Create Date: 2026-11-22 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_platform_hardening'
down_revision = '0003_mobile_payments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('session_versions',
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('phone', name=op.f('pk_session_versions'))
    )
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inbound_id', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_sms_messages_inbound_id'), ['inbound_id'])


def downgrade():
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_sms_messages_inbound_id'), type_='unique')
        batch_op.drop_column('inbound_id')

    op.drop_table('session_versions')
