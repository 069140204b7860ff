"""balances on the row: subscribers.balance_minor, backfilled from the ledger

Revision ID: 0011_balances
Revises: 0010_events
Create Date: 2026-12-01 16:40:00

A balance read used to sum the number's whole ledger, so it grew with its history. The sum is
now kept on the subscriber's row by services.ledger.post, in the transaction that writes the
entry; this step adds the column and sets it to the sum of each number's entries so far
(`flask ledger verify` checks that they agree).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_balances'
down_revision = '0010_events'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('balance_minor', sa.BigInteger(), nullable=False,
                                      server_default='0'))

    subscribers = sa.table('subscribers', sa.column('id', sa.Integer),
                           sa.column('balance_minor', sa.BigInteger))
    entries = sa.table('ledger_entries', sa.column('subscriber_id', sa.Integer),
                       sa.column('amount', sa.BigInteger))
    total = (sa.select(sa.func.coalesce(sa.func.sum(entries.c.amount), 0))
             .where(entries.c.subscriber_id == subscribers.c.id)
             .scalar_subquery())
    op.execute(subscribers.update().values(balance_minor=total))


def downgrade():
    # A plain DROP COLUMN (SQLite has it since 3.35): a batch copy of the table would drop the
    # old one, which the ledger's foreign keys forbid once there are entries.
    op.drop_column('subscribers', 'balance_minor')
