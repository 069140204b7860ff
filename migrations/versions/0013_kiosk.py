"""kiosk sessions and bill acceptor note events

Revision ID: 0013_kiosk
Revises: 0011_balances
Create Date: 2026-12-01 16:45:00

A kiosk keeps its customer's step on the server (a reload, a second tab or a restarted server
shows the same one), one open session per terminal, its moves in state_events; every note event of a terminal's bill
acceptor is kept under its event id, unique per terminal, so that a repeated event counts once.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_kiosk'
down_revision = '0011_balances'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'kiosk_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('terminal', sa.String(length=16), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('step', sa.String(length=16), nullable=False),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('operator_id', sa.String(length=32), nullable=True),
        sa.Column('digits', sa.String(length=16), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=True),
        sa.Column('inserted', sa.BigInteger(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('notice', sa.String(length=32), nullable=True),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('last_touch_at', sa.DateTime(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                                name=op.f('fk_kiosk_sessions_order_id_orders')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_sessions')),
        sa.UniqueConstraint('token', name=op.f('uq_kiosk_sessions_token')),
    )
    with op.batch_alter_table('kiosk_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_sessions_ended_at'), ['ended_at'],
                              unique=False)
        batch_op.create_index('uq_kiosk_one_open', ['terminal'], unique=True,
                              sqlite_where=sa.text('ended_at IS NULL'),
                              postgresql_where=sa.text('ended_at IS NULL'))

    op.create_table(
        'kiosk_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('terminal', sa.String(length=16), nullable=False),
        sa.Column('event_id', sa.String(length=64), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.BigInteger(), nullable=False),
        sa.Column('accepted', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.String(length=32), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['kiosk_sessions.id'],
                                name=op.f('fk_kiosk_notes_session_id_kiosk_sessions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_notes')),
        sa.UniqueConstraint('terminal', 'event_id', name='uq_kiosk_note_event'),
    )
    with op.batch_alter_table('kiosk_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_notes_session_id'), ['session_id'],
                              unique=False)


def downgrade():
    op.drop_table('kiosk_notes')
    op.drop_table('kiosk_sessions')
