"""the simulated wallet (SPEC §3.3): one wallet model per number, brand and currency with a
payment password, its trades (their moves in state_events), notifications and their posts

Revision ID: 0012_wallet
Revises: 0013_kiosk
Create Date: 2026-12-01 17:00:00

The wallets that mobile-payment refunds created (keyed by number alone) become Alipay-style
wallets in the currency of their entries (RUB: refunds are of Russian mobile payments); they
have no payment password until the sandbox sets one.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_wallet'
down_revision = '0013_kiosk'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('wallets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('brand', sa.String(length=8), nullable=False,
                                      server_default='alipay'))
        batch_op.add_column(sa.Column('currency', sa.String(length=3), nullable=False,
                                      server_default='RUB'))
        batch_op.add_column(sa.Column('password_salt', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('password_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('wrong_passwords', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.String(length=16), nullable=False,
                                      server_default='refund'))
        batch_op.drop_constraint('uq_wallets_phone', type_='unique')
        batch_op.create_unique_constraint('uq_wallets_phone_brand_currency',
                                          ['phone', 'brand', 'currency'])
    op.execute(
        "UPDATE wallets SET currency = COALESCE((SELECT e.currency FROM wallet_entries e "
        "WHERE e.wallet_id = wallets.id ORDER BY e.id LIMIT 1), "
        "CASE WHEN phone LIKE '+86%' THEN 'CNY' ELSE 'RUB' END)")

    op.create_table('wallet_trades',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trade_no', sa.String(length=32), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('brand', sa.String(length=8), nullable=False),
    sa.Column('channel', sa.String(length=4), nullable=False),
    sa.Column('merchant', sa.String(length=32), nullable=False),
    sa.Column('merchant_name', sa.String(length=64), nullable=False),
    sa.Column('out_trade_no', sa.String(length=64), nullable=False),
    sa.Column('order_number', sa.String(length=24), nullable=False),
    sa.Column('subject', sa.String(length=128), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('close_reason', sa.String(length=16), nullable=True),
    sa.Column('notify_url', sa.String(length=200), nullable=False),
    sa.Column('return_url', sa.String(length=200), nullable=True),
    sa.Column('payer_hint', sa.String(length=20), nullable=True),
    sa.Column('payer_wallet_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('notify_failures_left', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['payer_wallet_id'], ['wallets.id'],
                            name=op.f('fk_wallet_trades_payer_wallet_id_wallets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_trades')),
    sa.UniqueConstraint('merchant', 'out_trade_no', name='uq_wallet_trades_merchant_ref'),
    sa.UniqueConstraint('token', name=op.f('uq_wallet_trades_token')),
    sa.UniqueConstraint('trade_no', name=op.f('uq_wallet_trades_trade_no'))
    )
    with op.batch_alter_table('wallet_trades', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_trades_status'), ['status'], unique=False)
        batch_op.create_index('ix_wallet_trades_status_expires_at', ['status', 'expires_at'],
                              unique=False)

    op.create_table('wallet_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trade_id', sa.Integer(), nullable=False),
    sa.Column('notify_id', sa.String(length=32), nullable=False),
    sa.Column('trade_status', sa.String(length=16), nullable=False),
    sa.Column('body', sa.String(length=2000), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('next_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['trade_id'], ['wallet_trades.id'],
                            name=op.f('fk_wallet_notifications_trade_id_wallet_trades')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_notifications')),
    sa.UniqueConstraint('notify_id', name=op.f('uq_wallet_notifications_notify_id'))
    )
    with op.batch_alter_table('wallet_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_notifications_next_at'), ['next_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_wallet_notifications_trade_id'), ['trade_id'],
                              unique=False)

    op.create_table('wallet_notify_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=200), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['wallet_notifications.id'],
                            name=op.f('fk_wallet_notify_posts_notification_id_wallet_notifications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_notify_posts'))
    )
    with op.batch_alter_table('wallet_notify_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_notify_posts_notification_id'),
                              ['notification_id'], unique=False)

    with op.batch_alter_table('wallet_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trade_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_wallet_entries_trade_id'), ['trade_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_wallet_entries_trade_id_wallet_trades'),
                                    'wallet_trades', ['trade_id'], ['id'])


def downgrade():
    with op.batch_alter_table('wallet_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_wallet_entries_trade_id_wallet_trades'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_wallet_entries_trade_id'))
        batch_op.drop_column('trade_id')
    op.drop_table('wallet_notify_posts')
    op.drop_table('wallet_notifications')
    op.drop_table('wallet_trades')
    with op.batch_alter_table('wallets', schema=None) as batch_op:
        batch_op.drop_constraint('uq_wallets_phone_brand_currency', type_='unique')
        batch_op.create_unique_constraint('uq_wallets_phone', ['phone'])
        for column in ('note', 'locked_until', 'wrong_passwords', 'password_hash',
                       'password_salt', 'currency', 'brand'):
            batch_op.drop_column(column)
