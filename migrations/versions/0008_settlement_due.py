"""settlement by due dates: subscribers.next_settle_at, due-date indexes on orders and codes

Revision ID: 0008_settlement_due
Revises: 0003_mobile_payments
Create Date: 2026-11-22 12:00:00

Settlement used to visit every subscriber with auto trust payment (or suspended) on every run;
it now selects only the rows whose due date has come. The data step gives existing
subscribers their first date: now for those the old settlement visited every run (it works
out the real next date the first time it runs), else the due date of an outstanding trust
payment.
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_settlement_due'
down_revision = '0007_builder'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_settle_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_subscribers_next_settle_at'), ['next_settle_at'],
                              unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_status_deadline', ['status', 'deadline'], unique=False)
        batch_op.create_index('ix_orders_status_credit_due_at', ['status', 'credit_due_at'],
                              unique=False)

    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.create_index('ix_codes_status_expires_at', ['status', 'expires_at'],
                              unique=False)

    subscribers = sa.table('subscribers', sa.column('id', sa.Integer),
                           sa.column('auto_trust', sa.Boolean),
                           sa.column('suspended', sa.Boolean),
                           sa.column('next_settle_at', sa.DateTime))
    credits = sa.table('trust_credits', sa.column('subscriber_id', sa.Integer),
                       sa.column('status', sa.String), sa.column('due_at', sa.DateTime))
    first_due = (sa.select(sa.func.min(credits.c.due_at))
                 .where(credits.c.subscriber_id == subscribers.c.id,
                        credits.c.status == 'outstanding')
                 .scalar_subquery())
    op.execute(subscribers.update().values(next_settle_at=first_due))
    # Times are stored as naive UTC.
    now = datetime.now(UTC).replace(tzinfo=None)
    op.execute(subscribers.update()
               .where(sa.or_(subscribers.c.auto_trust.is_(True),
                             subscribers.c.suspended.is_(True)))
               .values(next_settle_at=now))


def downgrade():
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_codes_status_expires_at')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_status_credit_due_at')
        batch_op.drop_index('ix_orders_status_deadline')

    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscribers_next_settle_at'))
        batch_op.drop_column('next_settle_at')
