"""Mobile payment of a goods order from a Russian phone balance, through the services, with the
database and the clock (SPEC §3.2): quote, the operator's SMS, confirmation by reply or typed
code, the debit once, limits over Moscow calendar periods, expiry, refund to the wallet."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from webapp.clock import clock
from webapp.domain.markets import Operator
from webapp.extensions import db
from webapp.models import (
    LedgerEntry,
    OneTimeCode,
    Order,
    PaymentAttempt,
    SmsMessage,
    Subscriber,
    Wallet,
    WalletEntry,
)
from webapp.refusals import Refused
from webapp.services import (
    balances,
    checkout,
    codes,
    demo,
    ledger,
    mobile,
    replies,
    rules,
    settle,
    shop,
    trust,
)

from .. import factories
from ..conftest import FIXED_NOW
from ..factories import pay, topup_order

MSK = ZoneInfo("Europe/Moscow")
MTS_PHONE = "+79161234567"
BEELINE_PHONE = "+79031112200"
OTHER_PHONE = "+79169876543"
SHORT = {"mts": "6996", "megafon": "117006619", "beeline": "8464", "tele2": "3116"}
CASE = 20000  # the article's 200 ₽ phone case


def msk(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
        year: int = 2026) -> datetime:
    """A Moscow wall-clock moment, as the aware UTC datetime the clock gives."""
    return datetime(year, month, day, hour, minute, second, tzinfo=MSK).astimezone(UTC)


def at(moment: datetime) -> None:
    clock.freeze(moment)


def make_subscriber(phone: str = MTS_PHONE, operator: str = "mts", *, balance: int = 500000,
                    spent: int = 100000, activated_on: date = date(2024, 1, 10),
                    tariff_kind: str = "prepaid", topped_up: bool = True,
                    personal_budget: bool = False) -> Subscriber:
    """A subscriber whose ledger ends at `balance` (minor units): an opening entry 400 days ago
    and `spent` on services 100 days ago."""
    subscriber = Subscriber(phone=phone, market="RU", operator_id=operator,
                            tariff_kind=tariff_kind, tariff_name="Test",
                            activated_on=activated_on, personal_budget=personal_budget)
    db.session.add(subscriber)
    db.session.flush()
    opening = "topup" if topped_up else "starting_balance"
    ledger.post(subscriber, opening, balance + spent, FIXED_NOW - timedelta(days=400),
                description="history")
    if spent:
        ledger.post(subscriber, "service_charge", -spent, FIXED_NOW - timedelta(days=100),
                    description="history")
    db.session.commit()
    return subscriber


def add_entry(phone: str, kind: str, amount: int, moment: datetime | None = None) -> None:
    """A ledger entry written by something else than the mobile payment under test."""
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.phone == phone))
    ledger.post(subscriber, kind, amount, moment or clock.now(), description="history")
    db.session.commit()


def paid_before(phone: str, total: int, moment: datetime, times: int = 1) -> None:
    """Mobile payments already made (total with commission each), for the limits."""
    for _ in range(times):
        add_entry(phone, mobile.DEBIT, -total, moment)


def operator(operator_id: str) -> Operator:
    return rules().market("RU").operator(operator_id)


def goods(amount: int = CASE, locale: str = "en") -> Order:
    return shop.place_goods_order(rules().market("RU"), "custom", amount, locale)


def start(order: Order, phone: str = MTS_PHONE, op: str = "mts",
          locale: str = "en") -> PaymentAttempt:
    return factories.pay_from_balance(order.number, phone, operator(op), locale)


def refused(call, *args) -> str:
    with pytest.raises(Refused) as info:
        call(*args)
    db.session.rollback()
    return info.value.reason


def code_refused(call, *args) -> codes.CodeRefused:
    with pytest.raises(codes.CodeRefused) as info:
        call(*args)
    db.session.rollback()
    return info.value


def outbox(phone: str) -> list[SmsMessage]:
    db.session.commit()
    return list(db.session.scalars(select(SmsMessage).where(
        SmsMessage.phone == phone, SmsMessage.direction == "out").order_by(SmsMessage.id)))


def code_in_sms(phone: str = MTS_PHONE) -> str:
    """The code of the latest SMS to `phone`, read as a person would."""
    return re.match(r"(\d{6})\D", outbox(phone)[-1].body).group(1)


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def reply(text: str, phone: str = MTS_PHONE, op: str = "mts") -> bool:
    return replies.receive(phone, SHORT[op], text)


def pay_by_reply(phone: str = MTS_PHONE, op: str = "mts", amount: int = CASE) -> Order:
    order = goods(amount)
    attempt = start(order, phone, op)
    assert reply(code_in_sms(phone), phone, op) is True
    assert fresh(PaymentAttempt, attempt.id).status == "succeeded"
    return order


def fresh(model, ident):
    db.session.commit()
    row = db.session.get(model, ident)
    db.session.refresh(row)
    return row


def order_status(order: Order) -> str:
    db.session.commit()
    return db.session.scalar(select(Order.status).where(Order.id == order.id))


def debits(phone: str = MTS_PHONE, since: datetime = FIXED_NOW - timedelta(days=1)) -> list:
    """(amount, order_id, ref) of the mobile payment debits of `phone` written by the test."""
    db.session.commit()
    return [tuple(row) for row in db.session.execute(
        select(LedgerEntry.amount, LedgerEntry.order_id, LedgerEntry.ref)
        .join(Subscriber).where(Subscriber.phone == phone, LedgerEntry.kind == mobile.DEBIT,
                                LedgerEntry.description != "history")
        .order_by(LedgerEntry.id))]


def sql_balance(phone: str = MTS_PHONE) -> int:
    """The sum of the ledger by plain SQL, and the model's balance must agree with it."""
    db.session.commit()
    total = int(db.session.execute(text(
        "SELECT COALESCE(SUM(l.amount), 0) FROM ledger_entries l "
        "JOIN subscribers s ON s.id = l.subscriber_id WHERE s.phone = :phone"),
        {"phone": phone}).scalar_one())
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.phone == phone))
    assert subscriber.balance() == total == factories.ledger_balance(phone)
    return total


def count(model, *where) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def the_code(attempt: PaymentAttempt) -> OneTimeCode:
    db.session.commit()
    return db.session.scalar(select(OneTimeCode).where(
        OneTimeCode.purpose == mobile.PURPOSE,
        OneTimeCode.subject == f"attempt:{attempt.id}").order_by(OneTimeCode.id.desc()))


def run_at_once(app, count, work):
    return factories.run_at_once(app, count, work, refusals=(Refused, codes.CodeRefused))


# --- reading the number ------------------------------------------------------------------------

def test_read_number_as_typed_and_the_operator_chosen_or_guessed(app):
    assert mobile.read_number("8 (916) 123-45-67", "mts") == (MTS_PHONE, operator("mts"))
    # A number ported from MTS to Beeline: the guess is MTS, the payer's choice stands.
    assert mobile.read_number("+7 982 555-12-34", None) == ("+79825551234", operator("mts"))
    assert mobile.read_number("+7 982 555-12-34", "beeline") == ("+79825551234",
                                                                  operator("beeline"))


# --- quote -------------------------------------------------------------------------------------

@pytest.mark.parametrize("op, phone, amount, fee, left", [
    ("mts", MTS_PHONE, 20000, 0, (2_980_000, 4, None, None, 3_980_000, None)),
    ("beeline", BEELINE_PHONE, 20000, 780,
     (1_479_220, 9, 3_979_220, 19, 3_979_220, 49)),
    ("beeline", BEELINE_PHONE, 1500, 59, (1_498_441, 9, 3_998_441, 19, 3_998_441, 49)),
    ("megafon", "+79261110000", 3000, 59, (None, None, None, None, 3_996_941, None)),
    ("megafon", "+79261110000", 20000, 390, (None, None, None, None, 3_979_610, None)),
    ("tele2", "+79771110000", 1000, 25, (None,) * 6),
    ("tele2", "+79771110000", 100000, 2450, (None,) * 6),
])
def test_quote_shows_amount_commission_total_and_limits_left(app, op, phone, amount, fee, left):
    make_subscriber(phone, op, personal_budget=True)
    order = goods(amount)
    quote = mobile.quote(order.number, phone, operator(op))
    assert (quote.phone, quote.operator.id, quote.amount, quote.commission, quote.total,
            quote.refusal) == (phone, op, amount, fee, amount + fee, None)
    remaining = quote.remaining
    assert (remaining.day_sum, remaining.day_count, remaining.week_sum, remaining.week_count,
            remaining.month_sum, remaining.month_count) == left
    # Nothing is sent, started or debited by a quote.
    assert outbox(phone) == []
    assert count(PaymentAttempt) == 0
    assert sql_balance(phone) == 500000


@pytest.mark.parametrize("phone, op, amount, reason", [
    ("+79826543210", "mts", CASE, None),
    ("+79821234567", "mts", CASE, "funds"),            # 209.99 ₽: a kopeck short
    ("+79831234567", "mts", CASE, "daily_count"),      # 5 payments today
    ("+79871234567", "mts", CASE, "banned"),
    ("+79031234567", "beeline", CASE, None),
    ("+79037000013", "beeline", CASE, "not_activated"),  # under 150 ₽ ever spent
    ("+79037000017", "beeline", CASE, "trust_outstanding"),
    ("+79037000018", "beeline", CASE, "corporate"),
    ("+79037000020", "beeline", 9625, None),           # 96.25 + 3.75 = exactly 15 000 ₽ today
    ("+79037000020", "beeline", 9626, "daily_sum"),    # 96.26 + 3.75: 15 000.01 ₽
    ("+79261234567", "megafon", CASE, None),
    ("+79267654321", "megafon", CASE, "not_activated"),  # no personal budget
    ("+79201234567", "megafon", CASE, "corporate"),
    ("+79771234567", "tele2", 100000, None),            # 1 000.00 ₽
    ("+79771234567", "tele2", 100001, "over_cap"),      # 1 000.01 ₽
    ("+79511234567", "tele2", CASE, "not_activated"),   # a month old, never topped up
])
def test_quote_with_the_demo_numbers(app, phone, op, amount, reason):
    demo.seed()
    assert mobile.quote(goods(amount).number, phone, operator(op)).refusal == reason


def test_demo_number_paying_its_tenth_payment_today_has_nothing_left(app):
    demo.seed()
    quote = mobile.quote(goods(9625).number, "+79037000020", operator("beeline"))
    assert (quote.commission, quote.total) == (375, 10000)
    assert (quote.remaining.day_sum, quote.remaining.day_count) == (0, 0)
    assert (quote.remaining.week_sum, quote.remaining.week_count) == (2_500_000, 10)


def test_mts_case_refused_on_209_99_accepted_on_210_00(app):
    make_subscriber(balance=20999)
    order = goods()
    assert mobile.quote(order.number, MTS_PHONE, operator("mts")).refusal == "funds"
    assert refused(start, order) == "funds"
    assert outbox(MTS_PHONE) == []
    add_entry(MTS_PHONE, "topup", 1)
    assert mobile.quote(order.number, MTS_PHONE, operator("mts")).refusal is None


def test_beeline_case_costs_207_80_and_needs_257_80(app):
    make_subscriber(BEELINE_PHONE, "beeline", balance=25779)
    order = goods()
    quote = mobile.quote(order.number, BEELINE_PHONE, operator("beeline"))
    assert (quote.commission, quote.total, quote.refusal) == (780, 20780, "funds")
    add_entry(BEELINE_PHONE, "topup", 1)
    assert mobile.quote(order.number, BEELINE_PHONE, operator("beeline")).refusal is None
    start(order, BEELINE_PHONE, "beeline")
    assert reply(code_in_sms(BEELINE_PHONE), BEELINE_PHONE, "beeline") is True
    assert debits(BEELINE_PHONE) == [(-20780, order.id, f"mcommerce:{order.attempts[0].id}")]
    assert sql_balance(BEELINE_PHONE) == 5000  # the reserve stays on the account


@pytest.mark.parametrize("spent, reason", [(15000, "not_activated"), (15001, None)])
def test_beeline_activation_counts_every_service_charge_ever(app, spent, reason):
    make_subscriber(BEELINE_PHONE, "beeline", spent=spent)
    assert mobile.quote(goods().number, BEELINE_PHONE, operator("beeline")).refusal == reason


@pytest.mark.parametrize("activated_on, reason", [
    (date(2026, 9, 22), None),              # 2 calendar months on the network today
    (date(2026, 9, 23), "not_activated"),
])
def test_tele2_activation_by_months_on_the_network(app, activated_on, reason):
    make_subscriber("+79771110000", "tele2", activated_on=activated_on, topped_up=False)
    assert mobile.quote(goods().number, "+79771110000", operator("tele2")).refusal == reason


def test_tele2_activation_by_the_first_top_up(app):
    demo.seed()
    phone, tele2 = "+79511234567", operator("tele2")
    assert mobile.quote(goods().number, phone, tele2).refusal == "not_activated"
    pay(topup_order(phone=phone, operator="tele2", amount="10000"))
    assert mobile.quote(goods().number, phone, tele2).refusal is None


def test_quote_refusals_of_the_use_case(app):
    make_subscriber()
    make_subscriber("+79825551234", "beeline")
    case = goods().number
    # The number's own refusals come back with the quote (amount, commission and total are
    # public); those of the order are raised.
    unknown = mobile.quote(case, OTHER_PHONE, operator("mts"))
    assert (unknown.refusal, unknown.total, unknown.remaining) == ("unknown_number", CASE, None)
    assert mobile.quote(case, "+79825551234", operator("mts")).refusal == "wrong_operator"
    assert refused(mobile.quote, "G-000000-000000", MTS_PHONE, operator("mts")) == "not_found"
    topup = topup_order(phone=MTS_PHONE, operator="mts").number
    assert refused(mobile.quote, topup, MTS_PHONE, operator("mts")) == "not_goods"
    cn = shop.place_goods_order(rules().market("CN"), "custom", 3900, "zh").number
    assert refused(mobile.quote, cn, MTS_PHONE, operator("mts")) == "not_goods"


def test_funds_exclude_an_outstanding_trust_credit(app):
    make_subscriber(BEELINE_PHONE, "beeline", balance=30000)
    credit = trust.request_one_off(BEELINE_PHONE, "web")
    assert sql_balance(BEELINE_PHONE) == 30000 + credit.amount
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.phone == BEELINE_PHONE))
    payer = balances.payer(subscriber)
    assert (payer.has_outstanding_trust, payer.balance_without_trust) == (True, 30000)
    order = goods()
    assert mobile.quote(order.number, BEELINE_PHONE, operator("beeline")).refusal == \
        "trust_outstanding"
    assert refused(start, order, BEELINE_PHONE, "beeline") == "trust_outstanding"


# --- start: the operator's SMS -----------------------------------------------------------------

@pytest.mark.parametrize("op, phone, locale, amount, fee, shown", [
    ("beeline", BEELINE_PHONE, "en", 20000, 780, ("₽200", "₽7.80")),
    ("beeline", BEELINE_PHONE, "ru", 1500, 59, ("15\xa0₽", "0,59\xa0₽")),
    ("mts", MTS_PHONE, "ru", 20000, 0, ("200\xa0₽", "0\xa0₽")),
    ("megafon", "+79261110000", "en", 3000, 59, ("₽30", "₽0.59")),
    ("tele2", "+79771110000", "en", 1000, 25, ("₽10", "₽0.25")),
])
def test_start_sends_an_sms_from_the_short_number_and_debits_nothing(
        app, op, phone, locale, amount, fee, shown):
    make_subscriber(phone, op, personal_budget=True)
    order = goods(amount, locale)
    attempt = start(order, phone, op, locale)
    assert (attempt.status, attempt.method, attempt.amount, attempt.payer_phone,
            attempt.details["operator_id"], attempt.order_id) == (
        "pending", "mobile_balance", amount, phone, op, order.id)
    assert attempt.details["commission"] == fee
    [sms] = outbox(phone)
    assert (sms.peer, sms.phone) == (SHORT[op], phone)
    assert order.number in sms.body
    assert SHORT[op] in sms.body
    for money in shown:
        assert money in sms.body.replace(" ", "\xa0").replace("\u202f", "\xa0")
    code = the_code(attempt)
    assert (code.phone, code.reply_to, code.status) == (phone, SHORT[op], "active")
    # Nothing is debited before the reply.
    assert debits(phone) == []
    assert sql_balance(phone) == 500000
    assert order_status(order) == "awaiting_payment"


def test_start_refused_sends_nothing_and_leaves_no_attempt(app):
    demo.seed()
    for phone, op, reason in [("+79871234567", "mts", "banned"),
                              ("+79821234567", "mts", "funds"),
                              ("+79267654321", "megafon", "not_activated")]:
        assert refused(start, goods(), phone, op) == reason
        assert outbox(phone) == []
    assert count(PaymentAttempt) == 0


def test_a_newer_payment_of_the_number_replaces_the_waiting_one(app):
    make_subscriber()
    make_subscriber(OTHER_PHONE)
    first, second = goods(), goods(15000)
    attempt = start(first)
    old_code = code_in_sms()
    # The same order again (a double click): the same attempt, no second SMS.
    assert start(first).id == attempt.id
    assert len(outbox(MTS_PHONE)) == 1
    # Another goods order from the same number while the first waits: it takes its place
    # (issue 8: a waiting payment started by anyone must not hold the number for an hour).
    newer = start(second)
    assert newer.order_id == second.id
    assert len(outbox(MTS_PHONE)) == 2
    old = fresh(PaymentAttempt, attempt.id)
    assert (old.status, old.decline_code) == ("canceled", mobile.REPLACED)
    assert the_code(attempt).status == "superseded"
    assert count(PaymentAttempt, PaymentAttempt.status == "pending") == 1
    # The first one's code confirms nothing now; the newer one's does.
    assert refused(factories.confirm_balance, first.number, attempt.id, old_code) == "not_pending"
    assert reply(old_code) is False  # a wrong try at the newer code
    assert order_status(first) == "awaiting_payment" and debits() == []
    # Another number is not held up by it.
    other = start(first, OTHER_PHONE)
    assert other.id not in (attempt.id, newer.id)
    assert reply(code_in_sms()) is True
    assert debits() == [(-15000, second.id, f"mcommerce:{newer.id}")]
    third = goods(10000)
    assert start(third).order_id == third.id


def test_a_failed_request_does_not_hold_the_number(app):
    make_subscriber(balance=21000)
    first = goods()
    attempt = start(first)
    add_entry(MTS_PHONE, "service_charge", -1)
    reply(code_in_sms())
    assert fresh(PaymentAttempt, attempt.id).status == "failed"
    add_entry(MTS_PHONE, "topup", 1)
    second = goods()
    assert start(second).order_id == second.id


# --- confirming by reply -------------------------------------------------------------------------

def test_reply_from_the_paying_number_debits_amount_and_commission_once(app):
    make_subscriber(BEELINE_PHONE, "beeline", balance=100000)
    order = goods()
    attempt = start(order, BEELINE_PHONE, "beeline")
    code = code_in_sms(BEELINE_PHONE)
    at(FIXED_NOW + timedelta(minutes=3))
    assert replies.receive(BEELINE_PHONE, "8464", code) is True
    assert debits(BEELINE_PHONE) == [(-20780, order.id, f"mcommerce:{attempt.id}")]
    assert sql_balance(BEELINE_PHONE) == 100000 - 20780
    row = fresh(PaymentAttempt, attempt.id)
    assert (row.status, row.decline_code, row.finished_at) == (
        "succeeded", None, FIXED_NOW + timedelta(minutes=3))
    paid = fresh(Order, order.id)
    assert (paid.status, paid.paid_at) == ("paid", FIXED_NOW + timedelta(minutes=3))
    assert paid.successful_attempt.id == attempt.id
    assert the_code(attempt).status == "used"
    # The reply is kept on the virtual phone.
    incoming = db.session.scalars(select(SmsMessage).where(SmsMessage.direction == "in")).all()
    assert [(m.phone, m.peer, m.body) for m in incoming] == [(BEELINE_PHONE, "8464", code)]
    # A replay of the same reply does nothing.
    assert replies.receive(BEELINE_PHONE, "8464", code) is False
    assert len(debits(BEELINE_PHONE)) == 1
    assert sql_balance(BEELINE_PHONE) == 100000 - 20780


def test_a_replayed_reply_does_nothing(app):
    make_subscriber()
    order = goods()
    start(order)
    code = code_in_sms()
    assert reply(code) is True
    assert reply(code) is False
    assert reply(code) is False
    assert debits() == [(-20000, order.id, f"mcommerce:{order.attempts[0].id}")]
    assert sql_balance() == 500000 - 20000
    assert order_status(order) == "paid"


def test_reply_to_another_short_number_does_nothing(app):
    make_subscriber()
    attempt = start(goods())
    code = code_in_sms()
    assert replies.receive(MTS_PHONE, SHORT["beeline"], code) is False
    assert (fresh(PaymentAttempt, attempt.id).status, the_code(attempt).wrong_tries) == (
        "pending", 0)
    assert debits() == []
    assert reply(code) is True


def test_reply_from_another_number_does_nothing(app):
    make_subscriber()
    make_subscriber(OTHER_PHONE)
    order = goods()
    attempt = start(order)
    code = code_in_sms()
    assert replies.receive(OTHER_PHONE, "6996", code) is False
    assert fresh(PaymentAttempt, attempt.id).status == "pending"
    assert debits() == [] and debits(OTHER_PHONE) == []
    assert sql_balance() == sql_balance(OTHER_PHONE) == 500000
    # Replies are matched by the number they come from: another number's reply does not reach
    # this code at all (its tries are untouched), and the payer's own reply still works.
    assert the_code(attempt).wrong_tries == 0
    assert reply(code) is True
    assert debits() == [(-20000, order.id, f"mcommerce:{attempt.id}")]


def test_the_code_given_from_another_number_counts_a_try(app):
    # The guard inside the code check for a reply that does reach it from the wrong number.
    make_subscriber()
    attempt = start(goods())
    code = code_in_sms()
    refusal = code_refused(codes.use, mobile.PURPOSE, f"attempt:{attempt.id}", code,
                           OTHER_PHONE)
    assert (refusal.reason, refusal.tries_left) == ("wrong", 4)
    assert the_code(attempt).wrong_tries == 1
    assert debits() == []
    assert reply(code) is True


def test_a_wrong_code_by_reply_counts_a_try_and_does_nothing_else(app):
    make_subscriber()
    order = goods()
    attempt = start(order)
    code = code_in_sms()
    for tries in (1, 2, 3, 4):
        assert reply(wrong(code)) is False
        assert the_code(attempt).wrong_tries == tries
    assert fresh(PaymentAttempt, attempt.id).status == "pending"
    assert debits() == []
    assert order_status(order) == "awaiting_payment"
    assert reply(code) is True  # the fifth try, the right code
    assert len(debits()) == 1


def test_five_wrong_codes_kill_it(app):
    make_subscriber()
    order = goods()
    attempt = start(order)
    code = code_in_sms()
    for _ in range(4):
        assert reply(wrong(code)) is False
    refusal = code_refused(factories.confirm_balance, order.number, attempt.id, wrong(code))
    assert (refusal.reason, refusal.tries_left) == ("dead", 0)
    assert reply(code) is False
    assert code_refused(factories.confirm_balance, order.number, attempt.id, code).reason == "dead"
    assert debits() == []
    assert the_code(attempt).status == "dead"


# --- confirming by the code typed on the page --------------------------------------------------

def test_typed_code_debits_once_and_pays_the_order(app):
    make_subscriber("+79261110000", "megafon", balance=100000, personal_budget=True)
    order = goods()
    attempt = start(order, "+79261110000", "megafon")
    code = code_in_sms("+79261110000")
    refusal = code_refused(factories.confirm_balance, order.number, attempt.id, wrong(code))
    assert (refusal.reason, refusal.tries_left) == ("wrong", 4)
    assert debits("+79261110000") == []
    done = factories.confirm_balance(order.number, attempt.id, f" {code[:3]} {code[3:]} ")
    assert done.status == "succeeded"
    assert debits("+79261110000") == [(-20390, order.id, f"mcommerce:{attempt.id}")]
    assert sql_balance("+79261110000") == 100000 - 20390
    assert order_status(order) == "paid"
    # Typed again, or replied after it was typed: nothing more.
    assert factories.confirm_balance(order.number, attempt.id, code).status == "succeeded"
    assert reply(code, "+79261110000", "megafon") is False
    assert len(debits("+79261110000")) == 1
    assert sql_balance("+79261110000") == 100000 - 20390


def test_typed_code_must_belong_to_the_attempt_and_the_order(app):
    make_subscriber()
    make_subscriber(OTHER_PHONE)
    mine, theirs = goods(), goods()
    attempt = start(mine)
    other = start(theirs, OTHER_PHONE)
    code = code_in_sms()
    assert refused(factories.confirm_balance, theirs.number, attempt.id, code) == "not_found"
    # My code does not confirm the other payment (codes are bound to what they confirm).
    assert code_refused(factories.confirm_balance, theirs.number, other.id, code).reason == "wrong"
    assert refused(factories.confirm_balance, "G-000000-000000", attempt.id, code) == "not_found"
    assert debits() == [] and debits(OTHER_PHONE) == []
    assert factories.confirm_balance(mine.number, attempt.id, code).status == "succeeded"
    assert debits(OTHER_PHONE) == []


# --- what changed between the SMS and the reply ------------------------------------------------

def test_balance_gone_before_the_reply_fails_the_attempt_without_a_debit(app):
    make_subscriber(balance=21000)
    order = goods()
    attempt = start(order)
    add_entry(MTS_PHONE, "service_charge", -1)  # 209.99 ₽ left when the reply comes
    reply(code_in_sms())
    row = fresh(PaymentAttempt, attempt.id)
    assert (row.status, row.decline_code) == ("failed", "funds")
    assert debits() == []
    assert sql_balance() == 20999
    assert order_status(order) == "awaiting_payment"
    assert the_code(attempt).status == "used"


def test_limit_reached_before_the_typed_code_fails_the_attempt(app):
    make_subscriber()
    paid_before(MTS_PHONE, 10000, msk(11, 22, 8), times=4)
    order = goods()
    attempt = start(order)  # the fifth payment today: allowed when the SMS goes
    paid_before(MTS_PHONE, 10000, msk(11, 22, 9, 1))  # another fifth one got in first
    factories.confirm_balance(order.number, attempt.id, code_in_sms())
    row = fresh(PaymentAttempt, attempt.id)
    assert (row.status, row.decline_code) == ("failed", "daily_count")
    assert debits() == []
    assert order_status(order) == "awaiting_payment"


def test_trust_credit_taken_before_the_reply_fails_the_attempt(app):
    make_subscriber(BEELINE_PHONE, "beeline", balance=100000)
    order = goods()
    attempt = start(order, BEELINE_PHONE, "beeline")
    trust.request_one_off(BEELINE_PHONE, "web")
    reply(code_in_sms(BEELINE_PHONE), BEELINE_PHONE, "beeline")
    row = fresh(PaymentAttempt, attempt.id)
    assert (row.status, row.decline_code) == ("failed", "trust_outstanding")
    assert debits(BEELINE_PHONE) == []


def test_operator_ban_before_the_reply_fails_the_attempt(app):
    subscriber = make_subscriber()
    attempt = start(goods())
    subscriber.mobile_payments_enabled = False
    db.session.commit()
    reply(code_in_sms())
    row = fresh(PaymentAttempt, attempt.id)
    assert (row.status, row.decline_code) == ("failed", "banned")
    assert debits() == []


# --- expiry ------------------------------------------------------------------------------------

@pytest.mark.parametrize("by", ["reply", "typed"])
@pytest.mark.parametrize("after, status, order_after", [
    (timedelta(minutes=59, seconds=59), "succeeded", "paid"),
    (timedelta(minutes=60), "canceled", "expired"),
])
def test_an_expired_order_cannot_be_confirmed(app, by, after, status, order_after):
    make_subscriber()
    order = goods()  # placed at FIXED_NOW, payable for one hour
    at(FIXED_NOW + timedelta(minutes=55))
    attempt = start(order)
    code = code_in_sms()
    at(FIXED_NOW + after)  # the code (10 minutes) is still valid
    if by == "reply":
        reply(code)
    else:
        factories.confirm_balance(order.number, attempt.id, code)
    row = fresh(PaymentAttempt, attempt.id)
    assert row.status == status
    assert order_status(order) == order_after
    if status == "canceled":
        assert row.decline_code == "expired"
        assert debits() == []
        assert sql_balance() == 500000
    else:
        assert debits() == [(-20000, order.id, f"mcommerce:{attempt.id}")]


def test_an_expired_order_cannot_be_started(app):
    make_subscriber()
    order = goods()
    at(FIXED_NOW + timedelta(hours=1))
    assert refused(start, order) == "expired"
    assert outbox(MTS_PHONE) == []


def test_an_expired_code_confirms_nothing_and_a_new_one_does(app):
    make_subscriber()
    order = goods()
    attempt = start(order)
    code = code_in_sms()
    at(FIXED_NOW + timedelta(minutes=10))
    assert reply(code) is False
    assert code_refused(factories.confirm_balance, order.number, attempt.id,
                        code).reason == "expired"
    assert debits() == []
    checkout.resend(order.number, attempt.id, "en", mobile.METHOD)
    new = code_in_sms()
    assert len(outbox(MTS_PHONE)) == 2
    assert reply(new) is True
    assert debits() == [(-20000, order.id, f"mcommerce:{attempt.id}")]


@pytest.mark.parametrize("settled", [True, False], ids=["after-settle", "deadline-passed"])
def test_a_request_on_an_expired_order_does_not_hold_the_number(app, settled):
    make_subscriber()
    first = goods()
    start(first)
    at(FIXED_NOW + timedelta(hours=1, minutes=1))  # first order expired, its code long dead
    if settled:
        settle.settle_all()
        assert order_status(first) == "expired"
    second = goods()
    try:
        attempt = start(second)
    except Refused as refusal:
        db.session.rollback()
        pytest.fail(f"refused: {refusal.reason}")
    assert attempt.order_id == second.id
    assert count(PaymentAttempt, PaymentAttempt.status == "pending") == 1


# --- limits over Moscow calendar periods --------------------------------------------------------

def _left(order: Order, phone: str = MTS_PHONE, op: str = "mts") -> tuple:
    quote = mobile.quote(order.number, phone, operator(op))
    r = quote.remaining
    return quote.refusal, r.day_sum, r.day_count, r.week_sum, r.week_count, r.month_sum, \
        r.month_count


def test_daily_limit_across_moscow_midnight(app):
    make_subscriber()
    paid_before(MTS_PHONE, 10000, msk(11, 21, 23, 59, 59))  # yesterday
    paid_before(MTS_PHONE, 10000, msk(11, 22, 0, 0, 0))     # today from 00:00:00
    paid_before(MTS_PHONE, 10000, msk(11, 22, 8, 59), times=3)
    at(msk(11, 22, 23, 59))  # 20:59 UTC
    order = goods()
    assert _left(order) == (None, 2_940_000, 0, None, None, 3_930_000, None)
    pay_by_reply()  # the fifth today, at 23:59 Moscow
    at(msk(11, 22, 23, 59, 30))
    assert _left(goods()) == ("daily_count", 2_920_000, -1, None, None, 3_910_000, None)
    at(msk(11, 23, 0, 0))  # 21:00 UTC, still Nov 22 in UTC: a new day in Moscow
    order = goods()
    assert _left(order) == (None, 2_980_000, 4, None, None, 3_910_000, None)
    pay_by_reply()
    at(msk(11, 23, 0, 1))
    assert _left(goods()) == (None, 2_960_000, 3, None, None, 3_890_000, None)
    assert len(debits()) == 2


def test_monthly_limit_across_the_month_end(app):
    make_subscriber(balance=6_000_000)
    paid_before(MTS_PHONE, 500000, msk(10, 31, 23, 59, 59))  # October
    paid_before(MTS_PHONE, 2_000_000, msk(11, 1, 0, 0, 0))   # November from its first second
    paid_before(MTS_PHONE, 1_980_000, msk(11, 15, 12))
    at(msk(11, 30, 23, 59))
    assert _left(goods()) == (None, 2_980_000, 4, None, None, 0, None)
    pay_by_reply()  # exactly 40 000 ₽ this month
    at(msk(11, 30, 23, 59, 30))
    assert _left(goods()) == ("monthly_sum", 2_960_000, 3, None, None, -20000, None)
    at(msk(12, 1, 0, 0))  # 21:00 UTC on Nov 30: December in Moscow
    assert _left(goods()) == (None, 2_980_000, 4, None, None, 3_980_000, None)
    pay_by_reply()
    assert len(debits()) == 2
    assert sql_balance() == 6_000_000 - 500000 - 2_000_000 - 1_980_000 - 2 * 20000


def test_weekly_limit_across_the_iso_week(app):
    make_subscriber(BEELINE_PHONE, "beeline", balance=2_000_000)
    paid_before(BEELINE_PHONE, 10000, msk(11, 15, 23, 59, 59), times=5)  # Sunday, last week
    paid_before(BEELINE_PHONE, 10000, msk(11, 16, 0, 0, 0), times=10)    # Monday 00:00
    paid_before(BEELINE_PHONE, 10000, msk(11, 21, 12), times=9)          # Saturday
    at(msk(11, 22, 23, 59))  # Sunday
    assert _left(goods(), BEELINE_PHONE, "beeline") == (
        None, 1_479_220, 9, 3_789_220, 0, 3_739_220, 25)
    pay_by_reply(BEELINE_PHONE, "beeline")  # the 20th payment this week
    at(msk(11, 22, 23, 59, 30))
    assert _left(goods(), BEELINE_PHONE, "beeline") == (
        "weekly_count", 1_458_440, 8, 3_768_440, -1, 3_718_440, 24)
    at(msk(11, 23, 0, 0))  # Monday: a new week (and day), the same month
    assert _left(goods(), BEELINE_PHONE, "beeline") == (
        None, 1_479_220, 9, 3_979_220, 19, 3_718_440, 24)
    pay_by_reply(BEELINE_PHONE, "beeline")
    assert len(debits(BEELINE_PHONE)) == 2


def test_a_week_that_began_last_month(app):
    make_subscriber(BEELINE_PHONE, "beeline", balance=2_000_000)
    paid_before(BEELINE_PHONE, 10000, msk(11, 29, 23, 59, 59))            # Sunday: last week
    paid_before(BEELINE_PHONE, 10000, msk(11, 30, 12), times=10)           # Monday: this week
    at(msk(12, 1, 0, 0))  # Tuesday, a new month; the week began on Monday, Nov 30
    assert _left(goods(), BEELINE_PHONE, "beeline") == (
        None, 1_479_220, 9, 3_879_220, 9, 3_979_220, 49)
    paid_before(BEELINE_PHONE, 10000, msk(11, 30, 23, 59, 59), times=10)  # 20 this week now
    assert _left(goods(), BEELINE_PHONE, "beeline")[0::4] == ("weekly_count", -1)


@pytest.mark.parametrize("today, reason", [(1_489_611, "daily_sum"), (1_489_610, None)])
def test_limits_count_the_commission(app, today, reason):
    make_subscriber(BEELINE_PHONE, "beeline", balance=2_000_000)
    # 14 896.10 ₽ already today: the 100 ₽ goods order is 103.90 ₽ with the commission.
    paid_before(BEELINE_PHONE, today, msk(11, 22, 8))
    order = goods(10000)
    assert mobile.quote(order.number, BEELINE_PHONE, operator("beeline")).refusal == reason
    if reason:
        assert refused(start, order, BEELINE_PHONE, "beeline") == reason
        return
    attempt = start(order, BEELINE_PHONE, "beeline")
    assert reply(code_in_sms(BEELINE_PHONE), BEELINE_PHONE, "beeline") is True
    assert debits(BEELINE_PHONE) == [(-10390, order.id, f"mcommerce:{attempt.id}")]
    # Exactly 15 000 ₽ paid today now: not a kopeck more.
    assert _left(goods(1), BEELINE_PHONE, "beeline")[0:3] == ("daily_sum", -1, 7)


# --- refund after a dispute --------------------------------------------------------------------

def wallet_entries(phone: str) -> list[tuple]:
    db.session.commit()
    return [tuple(row) for row in db.session.execute(
        select(WalletEntry.kind, WalletEntry.amount, WalletEntry.currency, WalletEntry.order_id)
        .join(Wallet).where(Wallet.phone == phone).order_by(WalletEntry.id))]


def test_refund_goes_to_the_wallet_of_the_number_once(app):
    make_subscriber(BEELINE_PHONE, "beeline", balance=100000)
    assert mobile.wallet_balance(BEELINE_PHONE) is None
    order = pay_by_reply(BEELINE_PHONE, "beeline")
    before = sql_balance(BEELINE_PHONE)
    at(FIXED_NOW + timedelta(days=2))
    assert factories.dispute(order.number).status == "refunded"
    assert order_status(order) == "refunded"
    assert mobile.wallet_balance(BEELINE_PHONE) == 20000
    assert mobile.wallet_balance(mobile.SHOP_WALLET) == -20000
    assert wallet_entries(BEELINE_PHONE) == [("refund", 20000, "RUB", order.id)]
    assert wallet_entries(mobile.SHOP_WALLET) == [("refund", -20000, "RUB", order.id)]
    # The phone balance is not touched by the refund.
    assert sql_balance(BEELINE_PHONE) == before == 100000 - 20780
    # Once.
    assert refused(factories.dispute, order.number) == "not_refundable"
    assert mobile.wallet_balance(BEELINE_PHONE) == 20000
    assert mobile.wallet_balance(mobile.SHOP_WALLET) == -20000
    assert count(WalletEntry) == 2


def test_a_second_refund_reuses_the_wallet(app):
    make_subscriber()
    first = pay_by_reply()
    at(FIXED_NOW + timedelta(minutes=5))
    second = pay_by_reply(amount=1234)
    factories.dispute(first.number)
    factories.dispute(second.number)
    assert count(Wallet, Wallet.phone == MTS_PHONE) == 1
    assert count(Wallet, Wallet.phone == mobile.SHOP_WALLET) == 1
    assert mobile.wallet_balance(MTS_PHONE) == 21234
    assert mobile.wallet_balance(mobile.SHOP_WALLET) == -21234


def test_only_a_paid_mobile_payment_is_refunded(app):
    make_subscriber()
    unpaid = goods()
    start(unpaid)
    assert refused(factories.dispute, unpaid.number) == "not_refundable"
    by_card = goods()
    pay(by_card)
    assert order_status(by_card) == "paid"
    assert refused(factories.dispute, by_card.number) == "not_refundable"
    assert count(Wallet) == 0


# --- at the same moment ------------------------------------------------------------------------

def test_twenty_typed_confirmations_at_once_debit_once(app):
    make_subscriber()
    order = goods()
    attempt = start(order)
    code, number, attempt_id = code_in_sms(), order.number, attempt.id
    results = run_at_once(
        app, 20, lambda i: factories.confirm_balance(number, attempt_id, code).status)
    assert results == ["succeeded"] * 20
    assert debits() == [(-20000, order.id, f"mcommerce:{attempt_id}")]
    assert sql_balance() == 500000 - 20000
    assert order_status(order) == "paid"


def test_twenty_replies_at_once_debit_once(app):
    make_subscriber()
    order = goods()
    start(order)
    code = code_in_sms()
    results = run_at_once(app, 20, lambda i: replies.receive(MTS_PHONE, "6996", code))
    assert sorted(results) == [False] * 19 + [True]
    assert len(debits()) == 1
    assert sql_balance() == 500000 - 20000
    assert count(SmsMessage, SmsMessage.direction == "in") == 20


def test_twenty_starts_from_one_number_at_once_leave_one_request(app):
    make_subscriber()
    numbers = [goods().number for _ in range(20)]
    mts = operator("mts")
    results = run_at_once(
        app, 20, lambda i: factories.pay_from_balance(numbers[i], MTS_PHONE, mts, "en").status)
    # One at a time, each newer one replaces the one before, until the number's hourly cap
    # of codes stops the rest (and those change nothing).
    cap = rules().codes.max_per_hour
    assert sorted(results) == ["hourly_limit"] * (20 - cap) + ["pending"] * cap
    assert count(PaymentAttempt) == cap
    assert count(PaymentAttempt, PaymentAttempt.status == "pending") == 1
    assert count(PaymentAttempt, PaymentAttempt.decline_code == mobile.REPLACED) == cap - 1
    assert count(OneTimeCode, OneTimeCode.status == "active") == 1
    assert len(outbox(MTS_PHONE)) == cap


def test_a_reply_and_the_typed_code_at_the_same_moment(app, backend, request, monkeypatch):
    """The payer answers the SMS and types the code on the page at once. Both paths lock the
    order and then the code (services/db_locks.py): the second waits and finds it paid."""
    assert backend in ("sqlite", "postgresql")
    make_subscriber()
    order = goods()
    attempt = start(order)
    code, number, attempt_id = code_in_sms(), order.number, attempt.id
    roles: dict[int, str] = {}
    reply_has_code, typed_has_order = threading.Event(), threading.Event()
    real_use, real_locked_order = codes.use, checkout.locked_order

    def use(*args, **kwargs):
        if roles.get(threading.get_ident()) == "typed":
            typed_has_order.set()  # confirm_typed holds the order row by now
            return real_use(*args, **kwargs)
        used = real_use(*args, **kwargs)
        reply_has_code.set()  # the reply holds the code row
        return used

    def locked_order(number):
        if roles.get(threading.get_ident()) == "typed":
            reply_has_code.wait(3)
        else:
            typed_has_order.wait(1)
        return real_locked_order(number)

    monkeypatch.setattr(codes, "use", use)
    monkeypatch.setattr(checkout, "locked_order", locked_order)

    def work(i):
        roles[threading.get_ident()] = ("reply", "typed")[i]
        if i == 0:
            return replies.receive(MTS_PHONE, "6996", code)
        return factories.confirm_balance(number, attempt_id, code).status

    results = run_at_once(app, 2, work)
    assert len(debits()) == 1
    assert results[1] == "succeeded" and results[0] in (True, False), results
