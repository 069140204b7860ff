"""state_events: one event table for every state machine; order_events moves into it

Revision ID: 0010_events
Revises: 0009_seam
Create Date: 2026-12-01 16:00:00

Every status change (orders, payment attempts, one-time codes, trust credits, SMS, and the kinds
added later) writes one row here through services.transitions.transition(). The order events
move in as subject_kind 'order' (note → reason), in their order. Subjects of every kind share
the table, so subject_id has no foreign key. Downgrade moves the order rows back into
order_events; the events of the other kinds, which had no table before, are dropped.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_events'
down_revision = '0009_seam'
branch_labels = None
depends_on = None

EVENT_COLUMNS = ('from_status', 'to_status', 'actor', 'at')


def _state_events():
    return sa.table('state_events', sa.column('id', sa.Integer),
                    sa.column('subject_kind', sa.String), sa.column('subject_id', sa.BigInteger),
                    sa.column('reason', sa.String),
                    *(sa.column(name) for name in EVENT_COLUMNS))


def _order_events():
    return sa.table('order_events', sa.column('id', sa.Integer),
                    sa.column('order_id', sa.Integer), sa.column('note', sa.String),
                    *(sa.column(name) for name in EVENT_COLUMNS))


def upgrade():
    op.create_table('state_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_kind', sa.String(length=24), nullable=False),
    sa.Column('subject_id', sa.BigInteger(), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('actor', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_state_events'))
    )
    with op.batch_alter_table('state_events', schema=None) as batch_op:
        batch_op.create_index('ix_state_events_subject', ['subject_kind', 'subject_id', 'id'],
                              unique=False)

    new, old = _state_events(), _order_events()
    # In id order, so that each order's history keeps its order.
    op.execute(new.insert().from_select(
        ['subject_kind', 'subject_id', 'reason', *EVENT_COLUMNS],
        sa.select(sa.literal('order'), old.c.order_id, old.c.note,
                  *(old.c[name] for name in EVENT_COLUMNS)).order_by(old.c.id)))

    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_events_order_id'))
    op.drop_table('order_events')


def downgrade():
    op.create_table('order_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('actor', sa.String(length=32), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                            name=op.f('fk_order_events_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_events'))
    )
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_events_order_id'), ['order_id'], unique=False)

    new, old = _state_events(), _order_events()
    op.execute(old.insert().from_select(
        ['order_id', 'note', *EVENT_COLUMNS],
        sa.select(new.c.subject_id, new.c.reason, *(new.c[name] for name in EVENT_COLUMNS))
        .where(new.c.subject_kind == 'order').order_by(new.c.id)))

    with op.batch_alter_table('state_events', schema=None) as batch_op:
        batch_op.drop_index('ix_state_events_subject')
    op.drop_table('state_events')
