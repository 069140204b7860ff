"""Trust payments through the services, with the database and the clock (SPEC §4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from webapp.clock import clock
from webapp.domain.trust import AUTO, ONE_OFF
from webapp.extensions import db
from webapp.models import LedgerEntry, Order, Subscriber, TrustCredit
from webapp.services import ledger, rules, trust
from webapp.services.topup import OTHER, place_order, read_draft
from webapp.services.trust import TrustRefused

from .. import factories
from ..conftest import FIXED_NOW
from ..factories import pay

PHONE = "+79031234567"
DAY = timedelta(days=1)


def make_subscriber(phone: str = PHONE, *, balance: int = 10000, spent_3m: int = 45000,
                    spent_before: int = 20000, tariff_kind: str = "prepaid",
                    tariff_name: str = "Beeline Prepaid", monthly_fee: int | None = None,
                    location: str = "home", activated_on: date = date(2025, 1, 10),
                    operator: str = "beeline") -> Subscriber:
    """A subscriber with a history: `spent_3m` on services 30 days ago, `spent_before` 200
    days ago, and a top-up a year ago that leaves `balance` (minor units) today."""
    subscriber = Subscriber(phone=phone, market="RU", operator_id=operator,
                            tariff_kind=tariff_kind, tariff_name=tariff_name,
                            monthly_fee=monthly_fee, activated_on=activated_on,
                            location=location)
    db.session.add(subscriber)
    db.session.flush()
    history = [("topup", balance + spent_3m + spent_before, FIXED_NOW - timedelta(days=365))]
    if spent_before:
        history.append(("service_charge", -spent_before, FIXED_NOW - timedelta(days=200)))
    if spent_3m:
        history.append(("service_charge", -spent_3m, FIXED_NOW - timedelta(days=30)))
    for kind, amount, at in history:
        ledger.post(subscriber, kind, amount, at, description="history")
    db.session.commit()
    return subscriber


def at(delta: timedelta) -> None:
    clock.freeze(FIXED_NOW + delta)


def sql_balance(phone: str = PHONE) -> int:
    """The sum of the ledger, by plain SQL (not through the models)."""
    db.session.commit()
    return int(db.session.execute(text(
        "SELECT COALESCE(SUM(l.amount), 0) FROM ledger_entries l "
        "JOIN subscribers s ON s.id = l.subscriber_id WHERE s.phone = :phone"),
        {"phone": phone}).scalar_one())


def sub(phone: str = PHONE) -> Subscriber:
    db.session.commit()
    return db.session.scalar(select(Subscriber).where(Subscriber.phone == phone))


def entries(kind: str | None = None, phone: str = PHONE) -> list[tuple]:
    """(kind, amount, created_at, ref) of the entries written after the history."""
    db.session.commit()
    query = (select(LedgerEntry.kind, LedgerEntry.amount, LedgerEntry.created_at,
                    LedgerEntry.ref)
             .join(Subscriber).where(Subscriber.phone == phone,
                                     LedgerEntry.description != "history")
             .order_by(LedgerEntry.id))
    if kind:
        query = query.where(LedgerEntry.kind == kind)
    return [tuple(row) for row in db.session.execute(query)]


def count(model, *where) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def credits(phone: str = PHONE) -> list[TrustCredit]:
    db.session.commit()
    return list(db.session.scalars(select(TrustCredit).join(
        Subscriber, Subscriber.id == TrustCredit.subscriber_id)
        .where(Subscriber.phone == phone).order_by(TrustCredit.id)))


def refused(call, *args) -> str:
    with pytest.raises(TrustRefused) as info:
        call(*args)
    db.session.rollback()
    return info.value.reason


def run_at_once(app, count, work):
    return factories.run_at_once(app, count, work, refusals=(TrustRefused,))


# --- quote ------------------------------------------------------------------------------------

@pytest.mark.parametrize("location, spent_3m, amount, fee, days", [
    ("home", 0, 3000, 1500, 3),
    ("home", 9999, 3000, 1500, 3),
    ("home", 10000, 10000, 1500, 3),
    ("home", 45000, 30000, 2500, 3),
    ("home", 150000, 45000, 4000, 3),
    ("home", 300000, 45000, 4000, 3),
    ("home", 300001, 75000, 7000, 3),
    ("roaming", 45000, 75000, 7000, 7),
    ("roaming", 150000, 100000, 7000, 7),
    ("roaming", 300001, 150000, 13000, 7),
    ("crimea", 45000, 75000, 7000, 7),
    ("crimea", 9999, 3000, 1500, 7),
])
def test_quote_shows_amount_fee_term_and_due_date(app, location, spent_3m, amount, fee, days):
    make_subscriber(location=location, spent_3m=spent_3m)
    quote = trust.quote(PHONE)
    assert (quote.phone, quote.amount, quote.fee, quote.refusal) == (PHONE, amount, fee, None)
    assert quote.term == timedelta(days=days)
    assert quote.due_at == FIXED_NOW + timedelta(days=days)
    auto = trust.quote(PHONE, AUTO)
    assert (auto.amount, auto.fee, auto.refusal) == (amount, 0, None)
    assert count(TrustCredit) == 0
    assert entries() == []


def test_quote_on_a_monthly_fee_tariff_is_the_monthly_fee(app):
    make_subscriber(tariff_kind="monthly_fee", tariff_name="VSYO 2", monthly_fee=65000,
                    spent_3m=60000)
    quote = trust.quote(PHONE)
    assert (quote.amount, quote.fee, quote.refusal) == (65000, 7000, None)


def test_only_the_last_three_months_count_for_the_amount(app):
    make_subscriber(spent_3m=0, spent_before=500000)  # 5 000 ₽, but 200 days ago
    assert trust.quote(PHONE).amount == 3000
    ledger.post(sub(), "service_charge", -45000, FIXED_NOW - timedelta(days=89))
    db.session.commit()
    assert trust.quote(PHONE).amount == 30000


def test_quote_tells_why_it_would_be_refused(app):
    make_subscriber(activated_on=date(2026, 9, 23))
    quote = trust.quote(PHONE)
    assert (quote.amount, quote.fee, quote.refusal) == (30000, 2500, "first_months")


def test_unknown_number(app):
    assert refused(trust.quote, PHONE) == "unknown_number"
    assert refused(trust.request_one_off, PHONE, "web") == "unknown_number"
    assert refused(trust.connect_auto, PHONE) == "unknown_number"


# --- one-off trust payment --------------------------------------------------------------------

def test_one_off_is_credited_at_once_and_a_second_is_refused(app):
    make_subscriber(balance=10000)
    credit = trust.request_one_off(PHONE, "web")
    assert (credit.kind, credit.channel, credit.amount, credit.fee, credit.status) == (
        ONE_OFF, "web", 30000, 2500, "outstanding")
    assert credit.granted_at == FIXED_NOW
    assert credit.due_at == FIXED_NOW + 3 * DAY
    assert credit.repaid_at is None
    assert entries() == [("trust_credit", 30000, FIXED_NOW, f"trust:{credit.id}:credit")]
    assert sql_balance() == 40000 == sub().balance()

    at(timedelta(hours=1))
    assert refused(trust.request_one_off, PHONE, "ussd") == "outstanding"
    assert trust.quote(PHONE).refusal == "outstanding"
    assert count(TrustCredit) == 1
    assert sql_balance() == 40000


@pytest.mark.parametrize("location, days, amount, fee", [
    ("home", 3, 30000, 2500), ("roaming", 7, 75000, 7000), ("crimea", 7, 75000, 7000)])
def test_debited_with_its_fee_at_the_end_of_the_term_not_a_second_before(
        app, location, days, amount, fee):
    make_subscriber(balance=10000, location=location)
    credit_id = trust.request_one_off(PHONE, "account").id
    due = FIXED_NOW + days * DAY
    assert sql_balance() == 10000 + amount

    at(days * DAY - timedelta(seconds=1))
    trust.settle_due()
    assert entries("trust_repayment") == entries("fee") == []
    assert credits()[0].status == "outstanding"
    assert sql_balance() == 10000 + amount

    at(days * DAY)
    trust.settle_due()
    assert entries()[1:] == [
        ("trust_repayment", -amount, due, f"trust:{credit_id}:repay"),
        ("fee", -fee, due, f"trust:{credit_id}:fee"),
    ]
    assert sql_balance() == 10000 - fee == sub().balance()
    credit = credits()[0]
    assert (credit.status, credit.repaid_at) == ("repaid", due)
    assert sub().suspended is False
    # Repaid: a new one may be asked for.
    assert trust.request_one_off(PHONE, "web").amount == amount
    assert sql_balance() == 10000 - fee + amount


def test_settle_late_debits_once_dated_at_the_due_date(app):
    make_subscriber(balance=10000)
    trust.request_one_off(PHONE, "web")
    at(10 * DAY)
    trust.settle_due()
    assert [(k, a, t) for k, a, t, _ in entries()[1:]] == [
        ("trust_repayment", -30000, FIXED_NOW + 3 * DAY), ("fee", -2500, FIXED_NOW + 3 * DAY)]
    assert sql_balance() == 7500


def test_settle_subscriber_debits_only_that_subscriber(app):
    make_subscriber(balance=10000)
    make_subscriber("+79037654321", balance=10000)
    trust.request_one_off(PHONE, "web")
    trust.request_one_off("+79037654321", "web")
    at(3 * DAY)
    trust.settle_subscriber(PHONE)
    assert sql_balance() == 7500
    assert sql_balance("+79037654321") == 40000
    assert [c.status for c in credits("+79037654321")] == ["outstanding"]


def test_settle_due_twice_changes_nothing_the_second_time(app):
    make_subscriber(balance=10000)
    trust.request_one_off(PHONE, "web")
    at(3 * DAY)
    trust.settle_due()
    after_first = entries()
    assert len(after_first) == 3
    assert sql_balance() == 7500
    assert trust.settle_due() == 0
    assert entries() == after_first
    assert sql_balance() == 7500
    at(4 * DAY)
    assert trust.settle_due() == 0
    assert entries() == after_first


def test_settle_due_counts_the_subscribers_it_changed(app):
    make_subscriber(balance=10000)
    make_subscriber("+79037654321", balance=10000)
    trust.request_one_off(PHONE, "web")
    trust.request_one_off("+79037654321", "web")
    at(3 * DAY)
    assert trust.settle_subscriber(PHONE) is True
    assert trust.settle_subscriber(PHONE) is False
    assert trust.settle_due() == 1
    assert trust.settle_due() == 0


def test_concurrent_settlements_debit_once(app):
    make_subscriber(balance=10000)
    make_subscriber("+79037654321", balance=10000, location="roaming")
    trust.request_one_off(PHONE, "web")
    trust.request_one_off("+79037654321", "web")
    at(7 * DAY)
    results = run_at_once(app, 4, lambda i: trust.settle_due())
    assert all(isinstance(result, int) for result in results), results
    assert count(LedgerEntry, LedgerEntry.kind == "trust_repayment") == 2
    assert count(LedgerEntry, LedgerEntry.kind == "fee") == 2
    assert count(TrustCredit, TrustCredit.status == "repaid") == 2
    assert sql_balance() == 7500
    assert sql_balance("+79037654321") == 10000 - 7000


def test_concurrent_requests_give_one_credit(app):
    make_subscriber(balance=10000)
    results = run_at_once(app, 4, lambda i: trust.request_one_off(PHONE, "web").amount)
    assert sorted(results, key=str) == [30000] + ["outstanding"] * 3
    assert count(TrustCredit) == 1
    assert count(LedgerEntry, LedgerEntry.kind == "trust_credit") == 1
    assert sql_balance() == 40000


# --- suspension -------------------------------------------------------------------------------

def suspend_by_debit(balance: int) -> None:
    """A credit of 300 ₽ (fee 25 ₽) on `balance`, nothing spent, debited: balance − 25 ₽."""
    make_subscriber(balance=balance)
    trust.request_one_off(PHONE, "web")
    at(3 * DAY)
    trust.settle_due()


@pytest.mark.parametrize("balance, after, suspended", [
    (2499, -1, True), (2500, 0, False), (2501, 1, False)])
def test_below_zero_after_the_debit_suspends(app, balance, after, suspended):
    suspend_by_debit(balance)
    assert sql_balance() == after
    assert sub().suspended is suspended


def test_a_suspended_number_gets_no_credit_and_cannot_spend(app):
    suspend_by_debit(1500)
    assert sql_balance() == -1000
    assert sub().suspended is True
    assert refused(trust.request_one_off, PHONE, "web") == "suspended"
    assert refused(trust.connect_auto, PHONE) == "suspended"
    assert refused(trust.spend, PHONE, 100) == "suspended"
    assert trust.quote(PHONE).refusal == "suspended"
    assert trust.quote(PHONE, AUTO).refusal == "suspended"
    assert count(TrustCredit) == 1
    assert sql_balance() == -1000
    assert sub().auto_trust is False


@pytest.mark.parametrize("topup, after, suspended", [
    (999, -1, True), (1000, 0, False), (1001, 1, False)])
def test_a_positive_entry_back_to_zero_restores(app, topup, after, suspended):
    suspend_by_debit(1500)
    subscriber = sub()
    ledger.post(subscriber, "topup", topup, clock.now())
    trust.update_suspension(subscriber)
    db.session.commit()
    assert sql_balance() == after
    assert sub().suspended is suspended


@pytest.mark.parametrize("start, after, suspended", [
    (1499, -1, True), (1500, 0, False)])
def test_a_top_up_order_back_to_zero_restores(app, start, after, suspended):
    suspend_by_debit(start)
    assert sql_balance() == after - 1000
    draft_order = place_other(10)
    pay(draft_order)
    db.session.commit()
    assert db.session.scalar(select(Order.status).where(Order.id == draft_order.id)) == (
        "credited")
    assert sql_balance() == after
    assert sub().suspended is suspended
    if not suspended:
        trust.spend(PHONE, 1)
        assert sql_balance() == after - 1


def place_other(rubles: int):
    """A top-up order of `rubles` (the "other amount" field) for PHONE at Beeline."""
    draft = read_draft(rules().market("RU"), PHONE, "beeline", OTHER, str(rubles),
                       complete=True)
    assert draft.ok, draft.errors
    return place_order(draft, "ru")


# --- spending ---------------------------------------------------------------------------------

def test_spend_below_zero_suspends_and_stops_spending(app):
    make_subscriber(balance=1000)
    trust.spend(PHONE, 1000)
    assert (sql_balance(), sub().suspended) == (0, False)
    trust.spend(PHONE, 1)
    assert (sql_balance(), sub().suspended) == (-1, True)
    assert refused(trust.spend, PHONE, 1) == "suspended"
    assert sql_balance() == -1


# --- auto trust payment -----------------------------------------------------------------------

def fees() -> list[tuple[int, str]]:
    return [(amount, ref.rsplit(":", 1)[1]) for _, amount, _, ref in entries("fee")]


def test_auto_trust_payment_over_a_week(app):
    make_subscriber(balance=20000, spent_3m=45000)  # table amount at home: 300 ₽
    subscriber_id = sub().id

    # Day 0 (Sun 22 Nov, 09:00 Moscow): connected, 0.50 ₽ taken at once.
    trust.connect_auto(PHONE)
    assert (sub().auto_trust, sub().auto_trust_since) == (True, date(2026, 11, 22))
    assert entries() == [("fee", -50, FIXED_NOW, f"autotrust:{subscriber_id}:2026-11-22")]
    assert sql_balance() == 19950
    trust.connect_auto(PHONE)  # connecting again changes nothing
    at(timedelta(hours=14, minutes=59, seconds=59))  # 23:59:59 Moscow, still day 0
    trust.settle_due()
    assert sql_balance() == 19950
    assert fees() == [(-50, "2026-11-22")]

    # Day 1: 0.75 ₽ when settlement runs, from Moscow midnight (21:00 UTC).
    at(timedelta(hours=15))
    trust.settle_due()
    assert sql_balance() == 19875
    assert entries()[-1] == ("fee", -75, FIXED_NOW + timedelta(hours=15),
                             f"autotrust:{subscriber_id}:2026-11-23")
    at(DAY)  # Mon 09:00 Moscow
    trust.settle_due()
    assert sql_balance() == 19875

    # Spending down to exactly 50 ₽ triggers nothing; below 50 ₽ the credit comes at once.
    trust.spend(PHONE, 14875)
    assert sql_balance() == 5000
    assert count(TrustCredit) == 0
    trust.spend(PHONE, 1)
    [credit] = credits()
    assert (credit.kind, credit.channel, credit.amount, credit.fee) == (AUTO, "auto", 30000, 0)
    assert credit.granted_at == FIXED_NOW + DAY
    assert credit.due_at == FIXED_NOW + 4 * DAY
    assert entries()[-1] == ("trust_credit", 30000, FIXED_NOW + DAY, f"trust:{credit.id}:credit")
    assert sql_balance() == 34999

    # Settlement only runs on day 4, a second before the debit: days 2, 3 and 4 charged once each.
    at(4 * DAY - timedelta(seconds=1))
    trust.settle_due()
    trust.settle_due()
    assert fees() == [(-50, "2026-11-22"), (-75, "2026-11-23"), (-75, "2026-11-24"),
                      (-75, "2026-11-25"), (-75, "2026-11-26")]
    assert sql_balance() == 34999 - 225 == 34774
    assert credits()[0].status == "outstanding"

    # Day 4, 09:00: the auto credit is debited, without a fee; below 50 ₽ but no new credit yet.
    at(4 * DAY)
    trust.settle_due()
    assert entries("trust_repayment") == [("trust_repayment", -30000, FIXED_NOW + 4 * DAY,
                                           f"trust:{credit.id}:repay")]
    assert len(fees()) == 5
    assert sql_balance() == 4774
    assert sub().suspended is False
    assert count(TrustCredit) == 1

    # 23:59 after the debit (day 5, 08:59 Moscow): day 5's fee, still no credit.
    at(5 * DAY - timedelta(minutes=1))
    trust.spend(PHONE, 100)
    trust.settle_due()
    assert sql_balance() == 4774 - 75 - 100 == 4599
    assert count(TrustCredit) == 1
    # 24:00 after the debit: the next auto credit.
    at(5 * DAY)
    trust.settle_due()
    assert count(TrustCredit) == 2
    second = credits()[1]
    assert (second.kind, second.amount, second.fee) == (AUTO, 30000, 0)
    assert second.granted_at == FIXED_NOW + 5 * DAY
    assert second.due_at == FIXED_NOW + 8 * DAY
    assert sql_balance() == 34599

    # Day 6: disconnected; the day's fee is still taken, no more after it.
    at(6 * DAY)
    trust.disconnect_auto(PHONE)
    assert sub().auto_trust is False
    assert sql_balance() == 34524
    for day in (7, 8, 9, 12):
        at(day * DAY)
        trust.settle_due()
    assert fees() == [(-50, "2026-11-22")] + [(-75, f"2026-11-{d}") for d in range(23, 29)]
    assert sum(amount for amount, _ in fees()) == -500
    # The outstanding credit is still debited on its date (day 8), and no new one comes.
    assert entries("trust_repayment")[1][1:3] == (-30000, FIXED_NOW + 8 * DAY)
    assert count(TrustCredit) == 2
    assert sql_balance() == 4524 == sub().balance()
    assert sub().suspended is False
    assert count(LedgerEntry, LedgerEntry.kind == "trust_credit") == 2


def test_one_auto_credit_at_a_time(app):
    make_subscriber(balance=5000, spent_3m=45000)
    trust.connect_auto(PHONE)  # 50 ₽ − 0.50 ₽: below 50 ₽ at once
    assert sql_balance() == 4950 + 30000
    trust.spend(PHONE, 34950)
    assert sql_balance() == 0
    at(DAY)
    trust.settle_due()
    assert count(TrustCredit) == 1
    assert sql_balance() == -75
    assert sub().suspended is True


def test_connecting_below_fifty_credits_at_once(app):
    make_subscriber(balance=5049, spent_3m=10000)  # table amount: 100 ₽
    trust.connect_auto(PHONE)
    assert [(k, a) for k, a, _, _ in entries()] == [("fee", -50), ("trust_credit", 10000)]
    assert sql_balance() == 4999 + 10000


def test_auto_credit_in_roaming_is_due_after_seven_days(app):
    make_subscriber(balance=5100, spent_3m=45000, location="roaming")
    trust.connect_auto(PHONE)
    trust.spend(PHONE, 51)  # 50.49 → 49.99 ₽
    [credit] = credits()
    assert (credit.amount, credit.fee, credit.due_at) == (75000, 0, FIXED_NOW + 7 * DAY)
    assert sql_balance() == 4999 + 75000


def test_auto_fees_missed_for_days_are_charged_once_each(app):
    make_subscriber(balance=20000)
    trust.connect_auto(PHONE)
    at(5 * DAY)
    trust.settle_due()
    assert fees() == [(-50, "2026-11-22")] + [(-75, f"2026-11-{d}") for d in range(23, 28)]
    assert sql_balance() == 20000 - 50 - 5 * 75
    trust.settle_due()
    trust.settle_subscriber(PHONE)
    assert sql_balance() == 19575


def test_concurrent_settlements_charge_each_day_once(app):
    make_subscriber(balance=20000)
    trust.connect_auto(PHONE)
    at(3 * DAY)
    results = run_at_once(app, 4, lambda i: trust.settle_due())
    assert all(isinstance(result, int) for result in results), results
    assert fees() == [(-50, "2026-11-22"), (-75, "2026-11-23"), (-75, "2026-11-24"),
                      (-75, "2026-11-25")]
    assert sql_balance() == 20000 - 275


def test_disconnecting_stops_the_daily_fee(app):
    make_subscriber(balance=20000)
    trust.connect_auto(PHONE)
    at(DAY)
    trust.disconnect_auto(PHONE)
    assert sql_balance() == 20000 - 125
    at(5 * DAY)
    trust.settle_due()
    assert len(fees()) == 2
    assert sql_balance() == 19875
    trust.spend(PHONE, 19875 - 1)  # below 50 ₽ without auto trust: nothing is credited
    assert count(TrustCredit) == 0
    assert sql_balance() == 1


def test_reconnecting_on_a_later_day_charges_that_day_as_the_first(app):
    make_subscriber(balance=20000)
    trust.connect_auto(PHONE)
    trust.disconnect_auto(PHONE)
    at(3 * DAY)
    trust.connect_auto(PHONE)
    at(4 * DAY)
    trust.settle_due()
    assert fees() == [(-50, "2026-11-22"), (-50, "2026-11-25"), (-75, "2026-11-26")]
    assert sql_balance() == 20000 - 175


def test_reconnecting_on_the_same_day(app):
    make_subscriber(balance=20000)
    trust.connect_auto(PHONE)
    at(timedelta(hours=1))
    trust.disconnect_auto(PHONE)
    at(timedelta(hours=2))
    trust.connect_auto(PHONE)
    assert sub().auto_trust is True
    assert fees() == [(-50, "2026-11-22")]
    assert sql_balance() == 19950


@pytest.mark.parametrize("name", ["Welcome", "Добро пожаловать"])
def test_welcome_cannot_connect_auto_but_may_get_a_one_off(app, name):
    make_subscriber(tariff_name=name, balance=10000)
    assert trust.quote(PHONE, AUTO).refusal == "welcome_no_auto"
    assert refused(trust.connect_auto, PHONE) == "welcome_no_auto"
    assert sub().auto_trust is False
    assert entries() == []
    assert trust.request_one_off(PHONE, "web").amount == 30000
    assert sql_balance() == 40000


@pytest.mark.parametrize("changes, reason", [
    ({"operator": "mts"}, "not_operator"),
    ({"tariff_kind": "postpaid"}, "postpaid"),
    ({"activated_on": date(2026, 9, 23)}, "first_months"),
    ({"spent_3m": 0, "spent_before": 14999}, "spent_too_little"),
    ({"tariff_kind": "monthly_fee", "monthly_fee": 50000, "activated_on": date(2026, 8, 22)},
     "monthly_fee_new"),
    ({"tariff_kind": "monthly_fee", "monthly_fee": 50000, "spent_3m": 59999},
     "monthly_fee_low_spend"),
])
def test_refusals_through_the_services(app, changes, reason):
    make_subscriber(**changes)
    assert refused(trust.request_one_off, PHONE, "web") == reason
    assert refused(trust.connect_auto, PHONE) == reason
    assert count(TrustCredit) == 0
    assert entries() == []


@pytest.mark.parametrize("changes, amount", [
    ({"activated_on": date(2026, 9, 22)}, 30000),
    ({"spent_3m": 0, "spent_before": 15000}, 3000),
    ({"tariff_kind": "monthly_fee", "monthly_fee": 50000, "activated_on": date(2026, 8, 21),
      "spent_3m": 60000}, 50000),
    ({"tariff_kind": "corporate", "tariff_name": "My company"}, 30000),
])
def test_allowed_at_the_boundary_through_the_services(app, changes, amount):
    make_subscriber(**changes)
    assert trust.request_one_off(PHONE, "web").amount == amount
    assert trust.connect_auto(PHONE).auto_trust is True


def test_the_daily_fee_can_trigger_the_auto_credit(app):
    make_subscriber(balance=5125, spent_3m=10000)  # table amount: 100 ₽
    trust.connect_auto(PHONE)
    at(timedelta(hours=14, minutes=59, seconds=59))  # 23:59:59 Moscow
    trust.settle_due()
    assert (sql_balance(), count(TrustCredit)) == (5075, 0)
    at(timedelta(hours=15))  # day 1 in Moscow
    trust.settle_due()
    assert (sql_balance(), count(TrustCredit)) == (5000, 0)  # exactly 50 ₽: not below
    at(DAY + timedelta(hours=15))  # day 2
    trust.settle_due()
    [credit] = credits()
    assert (credit.amount, credit.granted_at) == (10000, FIXED_NOW + DAY + timedelta(hours=15))
    assert sql_balance() == 4925 + 10000


def test_the_auto_amount_counts_the_spending_that_triggered_it(app):
    make_subscriber(balance=5051, spent_3m=44999)  # 449.99 ₽ in 3 months: 100 ₽
    trust.connect_auto(PHONE)
    assert trust.quote(PHONE, AUTO).amount == 10000
    trust.spend(PHONE, 1)  # 450.00 ₽ spent, balance exactly 50 ₽
    assert (sql_balance(), count(TrustCredit)) == (5000, 0)
    assert trust.quote(PHONE, AUTO).amount == 30000
    trust.spend(PHONE, 1)
    assert [c.amount for c in credits()] == [30000]
    assert sql_balance() == 4999 + 30000
