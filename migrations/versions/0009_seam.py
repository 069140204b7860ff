"""one payment seam: a payment attempt keeps its method's details as JSON

Revision ID: 0009_seam
Revises: 0008_settlement_due
Create Date: 2026-12-01 16:40:00

Every method is a provider with its own details type (payments/*); the attempt keeps them in
one JSON column instead of a column per method's field (card brand, last 4, expiry, 3-D Secure
number, saved card; mobile payment operator and commission). The data step moves what existing
attempts hold; downgrade moves it back.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_seam'
down_revision = '0008_settlement_due'
branch_labels = None
depends_on = None

_CARD = {"brand": "card_brand", "last4": "card_last4", "exp_month": "card_exp_month",
         "exp_year": "card_exp_year", "profile": "card_profile", "save_card": "save_card",
         "saved_card_id": "saved_card_id", "three_ds_phone": "three_ds_phone"}
_BALANCE = {"operator_id": "operator_id", "commission": "commission"}
_BY_METHOD = {"card": _CARD, "mobile_balance": _BALANCE}
_OLD = (sa.Column('card_brand', sa.String(length=16)), sa.Column('card_last4', sa.String(length=4)),
        sa.Column('card_exp_month', sa.Integer()), sa.Column('card_exp_year', sa.Integer()),
        sa.Column('card_profile', sa.String(length=24)),
        sa.Column('save_card', sa.Boolean()), sa.Column('saved_card_id', sa.Integer()),
        sa.Column('three_ds_phone', sa.String(length=20)),
        sa.Column('operator_id', sa.String(length=32)), sa.Column('commission', sa.BigInteger()))


def _table(*columns):
    return sa.table('payment_attempts', sa.column('id', sa.Integer()),
                    sa.column('method', sa.String()), *columns)


def upgrade():
    with op.batch_alter_table('payment_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))
    old = [sa.column(c.name, c.type) for c in _OLD]
    attempts = _table(*old, sa.column('details', sa.JSON()))
    bind = op.get_bind()
    for row in bind.execute(sa.select(attempts)).mappings().all():
        fields = _BY_METHOD.get(row["method"], {})
        details = {key: row[column] for key, column in fields.items()}
        if "save_card" in details:
            details["save_card"] = bool(details["save_card"])
        bind.execute(attempts.update().where(attempts.c.id == row["id"])
                     .values(details=details))
    with op.batch_alter_table('payment_attempts', schema=None) as batch_op:
        batch_op.alter_column('details', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_constraint('fk_payment_attempts_saved_card_id_saved_cards',
                                 type_='foreignkey')
        for column in _OLD:
            batch_op.drop_column(column.name)


def downgrade():
    with op.batch_alter_table('payment_attempts', schema=None) as batch_op:
        for column in _OLD:
            batch_op.add_column(sa.Column(column.name, column.type, nullable=True))
    old = [sa.column(c.name, c.type) for c in _OLD]
    attempts = _table(*old, sa.column('details', sa.JSON()))
    bind = op.get_bind()
    for row in bind.execute(sa.select(attempts.c.id, attempts.c.method,
                                      attempts.c.details)).mappings().all():
        fields = _BY_METHOD.get(row["method"], {})
        values = {column: (row["details"] or {}).get(key) for key, column in fields.items()}
        values.setdefault("save_card", False)
        values["save_card"] = bool(values["save_card"])
        bind.execute(attempts.update().where(attempts.c.id == row["id"]).values(**values))
    with op.batch_alter_table('payment_attempts', schema=None) as batch_op:
        batch_op.alter_column('save_card', existing_type=sa.Boolean(), nullable=False)
        batch_op.create_foreign_key('fk_payment_attempts_saved_card_id_saved_cards',
                                    'saved_cards', ['saved_card_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.drop_column('details')
