"""The subscriber builder through the services (SPEC §9): what it writes, and every limit it
exists for reached through the real mobile-payment quote (services.mobile.quote) and the real
trust quote (services.trust.quote) — MTS's day, Beeline's week and month, MegaFon's month, the
trust table, the 150 ₽ rules — at their boundaries, with the clock at FIXED_NOW (a Sunday,
09:00 Moscow time: the week began on Monday the 16th, inside November)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import phonenumbers
import pytest
from flask import current_app
from sqlalchemy import func, select, text

from webapp.clock import clock
from webapp.domain.builder import Paid
from webapp.extensions import db
from webapp.models import LedgerEntry, Subscriber, TrustCredit
from webapp.services import builder, mobile, rules, settle, shop, trust
from webapp.services.builder import BuilderRefused, SubscriberSpec

from .. import factories
from ..conftest import FIXED_NOW

CASE = 20000  # the article's 200 ₽ phone case
TWO_YEARS_AGO = date(2024, 11, 22)


def spec(operator: str = "mts", **changes) -> SubscriberSpec:
    """A two-year-old prepaid number with 5 000 ₽ and 300 ₽ a month spent for 6 months."""
    base = SubscriberSpec(operator=operator, balance=500000, activated_on=TWO_YEARS_AGO,
                          history_months=6, monthly_spend=30000)
    return replace(base, **changes)


def paid(day=(0, 0), week=(0, 0), month=(0, 0)) -> dict[str, Paid]:
    """Figures of payments already made, (count, total in kopecks) per period, nested."""
    return {"day": Paid(*day), "week": Paid(*week), "month": Paid(*month)}


def build(operator: str = "mts", **changes) -> str:
    return builder.create(spec(operator, **changes)).spec.phone


def refusal(phone: str, operator_id: str, amount: int = CASE) -> str | None:
    """The first check the real mobile payment quote fails for a goods order of `amount`."""
    order = shop.place_goods_order(rules().market("RU"), "custom", amount, "en")
    operator = rules().market("RU").operator(operator_id)
    return mobile.quote(order.number, phone, operator).refusal


def problems(call, *args) -> list[tuple[str, str]]:
    with pytest.raises(BuilderRefused) as info:
        call(*args)
    return [(p.field, p.code) for p in info.value.problems]


def sql_balance(phone: str) -> int:
    db.session.commit()
    return int(db.session.execute(text(
        "SELECT COALESCE(SUM(l.amount), 0) FROM ledger_entries l "
        "JOIN subscribers s ON s.id = l.subscriber_id WHERE s.phone = :phone"),
        {"phone": phone}).scalar_one())


def subscriber(phone: str) -> Subscriber:
    db.session.commit()
    return db.session.scalar(select(Subscriber).where(Subscriber.phone == phone))


# --- what is written --------------------------------------------------------------------------

@pytest.mark.parametrize("balance", [500000, 0, 1, -4500])
def test_the_balance_is_exactly_the_one_asked_for(app, balance):
    phone = build("beeline", balance=balance, suspended=balance < 0, auto_trust=balance > 0,
                  paid=paid(day=(2, 50000), week=(3, 60000), month=(4, 70000)))
    assert sql_balance(phone) == balance == factories.ledger_balance(phone)
    kinds = dict(db.session.execute(
        select(LedgerEntry.kind, func.count()).join(Subscriber)
        .where(Subscriber.phone == phone).group_by(LedgerEntry.kind)).all())
    assert kinds["starting_balance"] == 1 and kinds["topup"] == 1
    assert kinds["service_charge"] == 18 and kinds["mcommerce_debit"] == 4
    assert kinds.get("fee", 0) == (1 if balance > 0 else 0)  # today's auto trust fee


def test_the_subscriber_has_what_was_asked(app):
    phone = build("beeline", phone="8 903 555-44-33", tariff_kind="monthly_fee",
                  tariff_name="Unlimited 600", monthly_fee=60000, location="roaming",
                  mobile_payments_enabled=False, auto_trust=True, topped_up=False,
                  activated_on=date(2025, 3, 1))
    found = subscriber(phone)
    assert phone == "+79035554433"
    assert (found.market, found.operator_id, found.tariff_kind, found.tariff_name,
            found.monthly_fee, found.location, found.activated_on) == (
        "RU", "beeline", "monthly_fee", "Unlimited 600", 60000, "roaming", date(2025, 3, 1))
    assert (found.mobile_payments_enabled, found.personal_budget, found.auto_trust,
            found.suspended, found.demo_note) == (False, False, True, False, "built")
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.subscriber_id == found.id, LedgerEntry.kind == "topup")) == 0
    first = db.session.scalar(select(func.min(LedgerEntry.created_at)).where(
        LedgerEntry.subscriber_id == found.id))
    assert first.astimezone(trust.market_tz()).date() == date(2025, 3, 1)


@pytest.mark.parametrize(("market", "operator"), [
    ("RU", "mts"), ("RU", "megafon"), ("RU", "beeline"), ("RU", "tele2"),
    ("CN", "china_mobile"), ("CN", "china_unicom"), ("CN", "china_telecom")])
def test_a_generated_number_is_a_free_mobile_number_of_the_operator(app, market, operator):
    numbers = {build(operator, history_months=0, monthly_spend=0) for _ in range(3)}
    assert len(numbers) == 3
    for phone in numbers:
        parsed = phonenumbers.parse(phone)
        assert phonenumbers.region_code_for_number(parsed) == market
        assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
        carrier = phonenumbers.carrier.name_for_number(parsed, "en")
        assert rules().market(market).guess_operator(carrier).id == operator


def test_refused_requests_write_nothing(app):
    taken = build()
    cases = [
        (spec(phone=taken), [("phone", "phone_taken")]),
        (spec(phone="+86 138 1234 5678"), [("phone", "phone_wrong_country")]),
        (spec(phone="8 495 123-45-67"), [("phone", "phone_not_mobile")]),
        (spec(market="CN"), [("operator", "operator_elsewhere")]),
        (spec(operator="nope"), [("operator", "unknown_operator")]),
        (spec(tariff_kind="monthly_fee"), [("monthly_fee", "fee_missing")]),
        (spec(monthly_fee=60000), [("monthly_fee", "fee_not_monthly")]),
        (spec("china_mobile", location="crimea"), [("location", "crimea_elsewhere")]),
        (spec(personal_budget=True), [("personal_budget", "no_personal_budget")]),
        (spec(auto_trust=True), [("auto_trust", "no_auto_trust")]),
        (spec(suspended=True, balance=0), [("suspended", "suspended_needs_debt")]),
        (spec(activated_on=date(2026, 11, 23)), [("activated_on", "activated_future")]),
        (spec(activated_on=date(1990, 1, 1)), [("activated_on", "activated_too_old")]),
        (spec(history_months=0), [("history_months", "history_missing")]),
        (spec(activated_on=date(2026, 9, 1)), [("history_months", "history_too_long")]),
        (spec(balance=100_000_001), [("balance", "amount_too_large")]),
        (spec(history_months=37), [("history_months", "count_out_of_range")]),
        (spec("china_mobile", paid=paid(day=(1, 100), week=(1, 100), month=(1, 100))),
         [("paid_day_count", "no_mobile_payments"), ("paid_week_count", "no_mobile_payments"),
          ("paid_month_count", "no_mobile_payments")]),
        (spec(paid=paid(day=(1, 100))), [("paid_week_count", "below_day"),
                                          ("paid_week_sum", "below_day_sum"),
                                          ("paid_month_count", "below_day"),
                                          ("paid_month_sum", "below_day_sum")]),
    ]
    for request, expected in cases:
        assert problems(builder.create, request) == expected, request
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 1


def test_only_in_sandbox_mode(app):
    current_app.config["SANDBOX"] = False
    try:
        with pytest.raises(RuntimeError):
            builder.create(spec())
    finally:
        current_app.config["SANDBOX"] = True
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0


def test_two_builds_of_one_number_at_once_make_one(app):
    results = factories.run_at_once(
        app, 2, lambda _: builder.create(spec(phone="+79825550000")).spec.phone,
        refusals=(BuilderRefused,))
    assert sorted(r if r == "+79825550000" else "refused" for r in results) == [
        "+79825550000", "refused"]
    assert sql_balance("+79825550000") == 500000


# --- MTS: 30 000 ₽ and 5 payments a day, 40 000 ₽ a month ------------------------------------

def test_mts_daily_count(app):
    four = build(paid=paid(day=(4, 100000), week=(4, 100000), month=(4, 100000)))
    five = build(paid=paid(day=(5, 100000), week=(5, 100000), month=(5, 100000)))
    assert refusal(four, "mts") is None
    assert refusal(five, "mts") == "daily_count"


def test_mts_daily_sum_at_its_boundary(app):
    # 29 800 ₽ paid today + the 200 ₽ case (0 % commission) = exactly 30 000 ₽.
    at_limit = build(paid=paid(day=(4, 2980000), week=(4, 2980000), month=(4, 2980000)))
    over = build(paid=paid(day=(4, 2980001), week=(4, 2980001), month=(4, 2980001)))
    assert refusal(at_limit, "mts") is None
    assert refusal(over, "mts") == "daily_sum"


def test_mts_payments_of_earlier_days_do_not_count_today(app):
    phone = build(paid=paid(week=(5, 3500000), month=(9, 3900000)))
    assert refusal(phone, "mts") is None
    assert refusal(phone, "mts", 100001) == "monthly_sum"  # 39 000 + 1 000.01 > 40 000 ₽


# --- Beeline: 40 000 ₽ and 20 payments a week, 50 payments a month ----------------------------

def test_beeline_weekly_sum_at_its_boundary(app):
    # The 200 ₽ case costs 207.80 ₽ with Beeline's 3.9 %: 39 792.20 + 207.80 = 40 000 ₽.
    at_limit = build("beeline", paid=paid(week=(5, 3979220), month=(5, 3979220)))
    over = build("beeline", paid=paid(week=(5, 3979221), month=(5, 3979221)))
    assert refusal(at_limit, "beeline") is None
    assert refusal(over, "beeline") == "weekly_sum"


def test_beeline_weekly_count(app):
    nineteen = build("beeline", paid=paid(week=(19, 200000), month=(19, 200000)))
    twenty = build("beeline", paid=paid(week=(20, 200000), month=(20, 200000)))
    assert refusal(nineteen, "beeline") is None
    assert refusal(twenty, "beeline") == "weekly_count"


def test_beeline_monthly_count(app):
    # 19 this week (one short of the weekly count), the rest earlier this month.
    forty_nine = build("beeline", paid=paid(week=(19, 190000), month=(49, 490000)))
    fifty = build("beeline", paid=paid(week=(19, 190000), month=(50, 500000)))
    assert refusal(forty_nine, "beeline") is None
    assert refusal(fifty, "beeline") == "monthly_count"


# --- MegaFon: 40 000 ₽ a month ----------------------------------------------------------------

def test_megafon_monthly_sum_at_its_boundary(app):
    # The case costs 203.90 ₽ with MegaFon's 1.95 %: 39 796.10 + 203.90 = 40 000 ₽.
    at_limit = build("megafon", personal_budget=True, paid=paid(month=(3, 3979610)))
    over = build("megafon", personal_budget=True, paid=paid(month=(3, 3979611)))
    assert refusal(at_limit, "megafon") is None
    assert refusal(over, "megafon") == "monthly_sum"
    assert refusal(build("megafon"), "megafon") == "not_activated"  # no personal budget


# --- activation rules and the trust table -----------------------------------------------------

def test_beelines_150_rubles_spent(app):
    # Trust payment: "not before 150 ₽ have been spent"; mobile payment: "more than 150 ₽".
    exactly = build("beeline", history_months=1, monthly_spend=15000)
    above = build("beeline", history_months=1, monthly_spend=15001)
    assert trust.quote(exactly).refusal is None
    assert refusal(exactly, "beeline") == "not_activated"
    assert refusal(above, "beeline") is None
    below = build("beeline", history_months=1, monthly_spend=14999)
    assert trust.quote(below).refusal == "spent_too_little"


def test_tele2_by_top_up_or_two_months(app):
    month_old = dict(activated_on=date(2026, 10, 10), history_months=1, monthly_spend=3000)
    assert refusal(build("tele2", topped_up=False, **month_old), "tele2") == "not_activated"
    assert refusal(build("tele2", topped_up=True, **month_old), "tele2") is None
    assert refusal(build("tele2", topped_up=False), "tele2") is None  # two years old


@pytest.mark.parametrize(("monthly", "location", "amount"), [
    (3333, "home", 3000), (3334, "home", 10000),  # S = 99.99 ₽ → 30 ₽, 100.02 ₽ → 100 ₽
    (14999, "home", 10000), (15000, "home", 30000),  # S = 449.97 ₽ → 100 ₽, 450 ₽ → 300 ₽
    (15000, "roaming", 75000), (15000, "crimea", 75000),
    (50000, "home", 45000), (100000, "home", 45000),  # S = 3 000 ₽ is still the 450 ₽ row
    (100001, "home", 75000), (100001, "roaming", 150000),
])
def test_trust_table_rows(app, monthly, location, amount):
    # Six months of history, of which the last three (90 days) are what the table reads.
    phone = build("beeline", monthly_spend=monthly, location=location)
    found = trust.quote(phone)
    assert (found.amount, found.refusal) == (amount, None)


def test_trust_term_and_a_grant_through_the_real_service(app):
    phone = build("beeline", monthly_spend=15000, location="roaming", balance=2000)
    credit = trust.request_one_off(phone, "web")
    assert (credit.amount, credit.due_at - FIXED_NOW) == (75000, timedelta(days=7))
    assert sql_balance(phone) == 2000 + 75000


def test_auto_trust_built_connected_fires_at_the_next_settlement(app):
    phone = build("beeline", balance=4000, auto_trust=True)  # below 50 ₽
    assert sql_balance(phone) == 4000
    assert db.session.scalar(select(func.count()).select_from(TrustCredit)) == 0
    clock.advance(timedelta(hours=1))
    settle.settle_all()
    credit = db.session.scalar(select(TrustCredit))
    assert (credit.kind, credit.amount) == ("auto", 30000)  # 900 ₽ in 3 months → 300 ₽


def test_a_built_debtor_is_restored_by_a_top_up(app):
    phone = build("beeline", balance=-4500, suspended=True)
    assert trust.quote(phone).refusal == "suspended"
    order = factories.topup_order(phone=phone, operator="beeline", amount="10000")
    factories.pay(order)
    settle.settle_all()
    assert subscriber(phone).suspended is False
    assert sql_balance(phone) == 5500
