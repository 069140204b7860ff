"""privacy and access: trust result tokens, who paid, code buckets, rationed notices

Revision ID: 0005_privacy
Revises: 0003_mobile_payments
Create Date: 2026-11-22 09:00:00.000000

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_privacy'
down_revision = "0004_platform_hardening"
branch_labels = None
depends_on = None


def upgrade():
    # A trust result page is reached by a random token, never by the credit's id.
    with op.batch_alter_table('trust_credits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.String(length=32), nullable=True))
    bind = op.get_bind()
    credits = sa.table('trust_credits', sa.column('id', sa.Integer),
                       sa.column('token', sa.String))
    for (credit_id,) in bind.execute(sa.select(credits.c.id)).all():
        bind.execute(credits.update().where(credits.c.id == credit_id)
                     .values(token=secrets.token_urlsafe(16)))
    with op.batch_alter_table('trust_credits', schema=None) as batch_op:
        batch_op.alter_column('token', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_trust_credits_token'), ['token'])

    with op.batch_alter_table('payment_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_in_phone', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_payment_attempts_signed_in_phone'),
                              ['signed_in_phone'], unique=False)

    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('by_owner', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=40), nullable=True))
        batch_op.create_index('ix_sms_phone_topic', ['phone', 'topic'], unique=False)


def downgrade():
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_phone_topic')
        batch_op.drop_column('topic')

    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.drop_column('by_owner')

    with op.batch_alter_table('payment_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_attempts_signed_in_phone'))
        batch_op.drop_column('signed_in_phone')

    with op.batch_alter_table('trust_credits', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_trust_credits_token'), type_='unique')
        batch_op.drop_column('token')
