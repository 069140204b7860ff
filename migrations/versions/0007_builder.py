"""subscriber notes become keys, translated when shown (subscriber builder, sandbox pages)

Revision ID: 0007_builder
Revises: 0003_mobile_payments
Create Date: 2026-11-22 12:00:00

The sandbox showed each demo subscriber's note as English text kept in `demo_note`. It now keeps
a key of services.demo.NOTES there, so that the note is shown in the page's language and the
studio can find a demo case by name. Databases seeded before get their notes turned into keys.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_builder'
down_revision = '0005_privacy'
branch_labels = None
depends_on = None

# (the English note seeded before this revision, its key)
NOTES = [
    ('Beeline, prepaid, active for 2 years',
     'beeline_prepaid'),
    ('Beeline, 600 ₽ monthly-fee tariff',
     'beeline_monthly_fee'),
    ('Beeline, in international roaming',
     'beeline_roaming'),
    ("Beeline, 'Welcome' tariff: trust payment yes, auto trust payment no",
     'beeline_welcome'),
    ('Trust: spent < 100 ₽ in 3 months → 30 ₽',
     'trust_under_100'),
    ('Trust: spent < 100 ₽, in roaming → 30 ₽ for 7 days',
     'trust_under_100_roaming'),
    ('Trust: spent 100–450 ₽ → 100 ₽',
     'trust_100_450'),
    ('Trust: spent 100–450 ₽, roaming → 100 ₽',
     'trust_100_450_roaming'),
    ('Trust: spent 450–1 500 ₽ → 300 ₽',
     'trust_450_1500'),
    ('Trust: spent 450–1 500 ₽, roaming → 750 ₽',
     'trust_450_1500_roaming'),
    ('Trust: spent 1 500–3 000 ₽ → 450 ₽',
     'trust_1500_3000'),
    ('Trust: spent 1 500–3 000 ₽, roaming → 1 000 ₽',
     'trust_1500_3000_roaming'),
    ('Trust: spent > 3 000 ₽ → 750 ₽',
     'trust_over_3000'),
    ('Trust: in Crimea, spent 450–1 500 ₽ → 750 ₽',
     'trust_crimea'),
    ('Trust refused: a month-old number',
     'trust_refused_new'),
    ('Trust refused: under 150 ₽ ever spent',
     'trust_refused_spent'),
    ('Trust refused: postpaid tariff',
     'trust_refused_postpaid'),
    ('Trust refused: monthly fee 600 ₽, only 2 months a customer',
     'trust_refused_monthly_fee_new'),
    ('Trust refused: suspended for debt',
     'trust_refused_suspended'),
    ('Trust refused: a trust payment is outstanding',
     'trust_refused_outstanding'),
    ("Corporate ('My company'): trust payment yes",
     'trust_corporate'),
    ('Mobile payment: 9 payments and 14 900 ₽ today (Beeline: 10, 15 000 ₽)',
     'mobile_beeline_near_daily'),
    ('Auto trust payment connected, 60 ₽: spend 20 ₽ to see it fire',
     'auto_trust_connected'),
    ('Beeline, ported from MTS: the pre-selected operator (MTS) is wrong',
     'beeline_ported'),
    ('Mobile payment: 209.99 ₽, one kopeck short for the 200 ₽ case',
     'mobile_one_kopeck_short'),
    ('Mobile payment: MTS, 0 % commission, works',
     'mobile_mts_works'),
    ('Mobile payment refused: 5 payments made today (MTS allows 5)',
     'mobile_mts_daily_count'),
    ('MTS, mobile payments banned by the operator',
     'mts_banned'),
    ('MTS, in Crimea',
     'mts_crimea'),
    ('MegaFon, with a personal budget',
     'megafon_personal_budget'),
    ('Mobile payment refused: MegaFon without a personal budget',
     'mobile_megafon_no_budget'),
    ('MegaFon, corporate tariff',
     'megafon_corporate'),
    ('Tele2, a year old: mobile payment up to 1 000 ₽ at a time',
     'tele2_year_old'),
    ('Mobile payment refused: Tele2, a month old, never topped up',
     'mobile_tele2_new'),
    ('China Mobile, prepaid',
     'china_mobile_prepaid'),
    ('China Mobile, monthly plan',
     'china_mobile_monthly'),
    ('China Unicom, prepaid',
     'china_unicom_prepaid'),
    ('China Unicom, postpaid',
     'china_unicom_postpaid'),
    ('China Telecom, prepaid',
     'china_telecom_prepaid'),
    ('China Telecom, suspended for debt',
     'china_telecom_suspended'),
    ("created by a top-up", "topup"),
]

subscribers = sa.table("subscribers", sa.column("demo_note", sa.String))


def upgrade():
    for text, key in NOTES:
        op.execute(subscribers.update().where(subscribers.c.demo_note == text)
                   .values(demo_note=key))


def downgrade():
    for text, key in NOTES:
        op.execute(subscribers.update().where(subscribers.c.demo_note == key)
                   .values(demo_note=text))
