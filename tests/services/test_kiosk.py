"""Kiosk sessions and cash (SPEC §3.4, §7) on SQLite and PostgreSQL: the step on the server,
note events counted once (also when they race), the cap, idle completion with cash."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.clock import clock
from webapp.domain import kiosk as steps
from webapp.extensions import db
from webapp.models import KioskNote, KioskSession, LedgerEntry, Order, PaymentAttempt
from webapp.services import kiosk, kiosk_cash, kiosk_screen, settle, transitions
from webapp.services.kiosk import Touch

from .. import factories
from ..conftest import FIXED_NOW

RU, CN = "770101", "860101"


def press(action, step, value="", terminal=RU):
    return kiosk.touch(terminal, Touch(action=action, step=step, value=value))


def to_cash(terminal=RU, operator="beeline", digits="9031234567", amount=None):
    """A session at the cash step for the number, as the customer's touches get there."""
    kiosk.start(terminal, "ru")
    press("operator", steps.OPERATOR, operator, terminal)
    for digit in digits:
        press("key", steps.NUMBER, digit, terminal)
    press("next", steps.NUMBER, terminal=terminal)
    if amount is None:
        press("cash_any", steps.AMOUNT, terminal=terminal)
    else:
        press("amount", steps.AMOUNT, str(amount), terminal)
        press("method", steps.METHOD, "cash", terminal)
    return kiosk.current(terminal)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_cash_top_up_from_first_touch_to_receipt(app):
    session = to_cash()
    assert session.step == steps.CASH
    assert kiosk_cash.insert_note(RU, "ev-1", 100_00).inserted == 100_00
    answer = kiosk_cash.insert_note(RU, "ev-2", 200_00)
    assert (answer.accepted, answer.inserted, answer.currency) == (True, 300_00, "RUB")
    press("pay", steps.CASH)
    session = kiosk.current(RU)
    assert session.step == steps.RESULT
    order = session.order
    assert (order.status, order.price, order.amount) == ("credited", 300_00, 290_00)
    attempt = order.successful_attempt
    assert (attempt.method, attempt.amount) == ("cash", 300_00)
    assert attempt.details == {"terminal": RU, "inserted": 300_00, "commission": 10_00,
                               "credited": 290_00}
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.order_id == order.id))
    assert entry.amount == 290_00 and entry.kind == "topup"
    receipt = kiosk_screen.screen(RU).receipt
    assert (receipt.terminal.id, receipt.paid, receipt.commission, receipt.credited,
            receipt.operator.support_number, receipt.phone) == (
        RU, 300_00, 10_00, 290_00, "0611", "+79031234567")
    press("receipt", steps.RESULT)
    press("finish", steps.RECEIPT)
    assert kiosk.current(RU) is None  # the attract screen
    session = db.session.scalar(select(KioskSession))
    moves = [(event.from_status, event.to_status) for event in transitions.history(session)]
    assert moves == [(None, "operator"), ("operator", "number"), ("number", "amount"),
                     ("amount", "cash"), ("cash", "result"), ("result", "receipt"),
                     ("receipt", "done")]


def test_the_number_is_checked_before_any_payment(app):
    kiosk.start(RU, "en")
    press("operator", steps.OPERATOR, "mts")
    for digit in "495123456":  # too short, then a Moscow landline
        press("key", steps.NUMBER, digit)
    press("next", steps.NUMBER)
    session = kiosk.current(RU)
    assert (session.step, session.notice) == (steps.NUMBER, "phone_invalid")
    press("key", steps.NUMBER, "7")
    press("next", steps.NUMBER)
    assert kiosk.current(RU).notice == "phone_not_mobile"
    press("clear", steps.NUMBER)
    for digit in "98212345678":  # the 11th digit is not taken
        press("key", steps.NUMBER, digit)
    assert kiosk.current(RU).digits == "9821234567"
    press("backspace", steps.NUMBER)
    assert kiosk.current(RU).digits == "982123456"


def test_a_touch_on_a_step_the_session_left_changes_nothing(app):
    to_cash()
    before = kiosk.current(RU).revision
    press("key", steps.NUMBER, "5")  # a second tab still showing the keypad
    press("operator", steps.OPERATOR, "mts")
    session = kiosk.current(RU)
    assert (session.step, session.digits, session.operator_id, session.revision) == (
        steps.CASH, "9031234567", "beeline", before)


def test_the_same_note_event_twice_counts_once(app):
    to_cash()
    first = kiosk_cash.insert_note(RU, "acceptor-17", 500_00)
    again = kiosk_cash.insert_note(RU, "acceptor-17", 500_00)
    assert (first.accepted, first.duplicate, again.accepted, again.duplicate) == (
        True, False, True, True)
    assert kiosk.current(RU).inserted == again.inserted == 500_00
    assert count(KioskNote) == 1


def test_a_note_past_the_cap_is_given_back(app):
    to_cash()
    for index in range(3):
        assert kiosk_cash.insert_note(RU, f"n{index}", 5000_00).accepted
    over = kiosk_cash.insert_note(RU, "n3", 10_00)
    assert (over.accepted, over.reason, over.inserted) == (False, "over_cap", 15000_00)
    session = kiosk.current(RU)
    assert (session.inserted, session.notice) == (15000_00, "over_cap")
    assert kiosk_cash.insert_note(RU, "n4", 20_00).reason == "unknown_note"  # no 20 ₽ note


def test_no_note_is_taken_off_the_cash_step(app):
    answer = kiosk_cash.insert_note(RU, "early", 100_00)  # attract screen: nobody is paying
    assert (answer.accepted, answer.reason) == (False, "not_accepting")
    kiosk.start(RU, "ru")
    assert kiosk_cash.insert_note(RU, "early-2", 100_00).reason == "not_accepting"
    assert kiosk.current(RU).inserted == 0


def test_cash_in_keeps_the_customer_on_the_cash_step(app):
    to_cash(amount=30000)
    kiosk_cash.insert_note(RU, "a", 10_00)
    press("back", steps.CASH)
    press("cancel", steps.CASH)
    session = kiosk.current(RU)
    assert (session.step, session.notice, session.inserted) == (
        steps.CASH, "cash_inserted", 10_00)
    press("pay", steps.CASH)  # 10 ₽ is all commission: nothing would reach the number
    assert kiosk.current(RU).notice == "cash_too_little"
    assert count(Order) == 0


def test_walking_away_with_cash_pays_it_in_and_keeps_the_receipt(app):
    session = to_cash()
    token = session.token
    kiosk_cash.insert_note(RU, "w1", 500_00)
    clock.freeze(FIXED_NOW + timedelta(seconds=79))
    assert kiosk_screen.screen(RU).phase == steps.WARNING
    assert count(Order) == 0
    clock.freeze(FIXED_NOW + timedelta(seconds=80))
    assert kiosk.current(RU) is None  # back to the attract screen
    session = db.session.scalar(select(KioskSession).where(KioskSession.token == token))
    assert session.step == steps.DONE and session.order.status == "credited"
    assert session.order.amount == 500_00
    receipt = kiosk_screen.kept_receipt(RU, token)
    assert (receipt.paid, receipt.credited) == (500_00, 500_00)
    assert transitions.history(session)[-1].actor == "idle"


def test_settlement_pays_in_cash_of_a_kiosk_whose_screen_went_quiet(app):
    to_cash(terminal=CN, operator="china_mobile", digits="13812345678")
    kiosk_cash.insert_note(CN, "c1", 100_00)
    kiosk_cash.insert_note(CN, "c2", 5_00)
    clock.freeze(FIXED_NOW + timedelta(minutes=5))
    assert settle.settle_all().kiosks == 1
    assert settle.settle_all().kiosks == 0
    order = db.session.scalar(select(Order))
    assert (order.currency, order.price, order.amount, order.status) == (
        "CNY", 105_00, 105_00, "credited")


def test_idle_without_cash_just_starts_over(app):
    kiosk.start(RU, "ru")
    press("operator", steps.OPERATOR, "mts")
    clock.freeze(FIXED_NOW + timedelta(seconds=60))
    press("still_here", steps.NUMBER)  # "Yes, I am here" restarts the minute
    clock.freeze(FIXED_NOW + timedelta(seconds=139))
    assert kiosk.current(RU).step == steps.NUMBER
    clock.freeze(FIXED_NOW + timedelta(seconds=140))
    assert kiosk.current(RU) is None
    assert db.session.scalar(select(KioskSession.step)) == steps.ABANDONED
    assert count(Order) == 0


def test_a_card_tapped_on_the_reader(app):
    to_cash(amount=20000)
    press("back", steps.CASH)
    press("method", steps.METHOD, "card")
    session = kiosk.current(RU)
    assert session.step == steps.CARD and session.order.price == 200_00
    kiosk_cash.tap_card(RU, steps.CARD, session.revision, "4000000000009995")
    session = kiosk.current(RU)
    assert (session.step, session.notice) == (steps.CARD, "insufficient_funds")
    revision = session.revision
    kiosk_cash.tap_card(RU, steps.CARD, revision, "4242424242424242")
    kiosk_cash.tap_card(RU, steps.CARD, revision, "4242424242424242")  # the same tap again
    session = kiosk.current(RU)
    assert session.step == steps.RESULT and session.order.status == "credited"
    assert count(PaymentAttempt, PaymentAttempt.status == "succeeded") == 1
    receipt = kiosk_screen.screen(RU).receipt
    assert (receipt.method, receipt.paid, receipt.commission, receipt.card_last4) == (
        "card", 200_00, 0, "4242")


def test_the_three_ds_card_is_not_on_the_reader(app):
    to_cash(amount=10000)
    press("back", steps.CASH)
    press("method", steps.METHOD, "card")
    kiosk_cash.tap_card(RU, steps.CARD, kiosk.current(RU).revision, "4000002760003184")
    assert count(PaymentAttempt) == 0


def test_language_changes_keep_the_step(app):
    to_cash()
    kiosk.set_language(RU, "zh")
    session = kiosk.current(RU)
    assert (session.step, session.locale) == (steps.CASH, "zh")


# --- at once ---------------------------------------------------------------------------------

def test_notes_at_once_are_counted_one_by_one_against_the_cap(app):
    to_cash()
    results = factories.run_at_once(
        app, 6, lambda i: kiosk_cash.insert_note(RU, f"race-{i}", 5000_00).accepted)
    assert sorted(results) == [False] * 3 + [True] * 3
    assert kiosk.current(RU).inserted == 15000_00
    assert count(KioskNote, KioskNote.accepted.is_(True)) == 3


def test_the_same_event_at_once_counts_once(app):
    to_cash()
    results = factories.run_at_once(
        app, 6, lambda i: kiosk_cash.insert_note(RU, "twin", 100_00).duplicate)
    assert sorted(results) == [False] + [True] * 5
    assert kiosk.current(RU).inserted == 100_00


def test_the_same_event_at_once_with_no_session_is_recorded_once(app):
    results = factories.run_at_once(
        app, 4, lambda i: kiosk_cash.insert_note(RU, "orphan", 100_00).reason)
    assert results == ["not_accepting"] * 4
    assert count(KioskNote) == 1


def test_pay_pressed_twice_at_once_pays_once(app):
    to_cash()
    kiosk_cash.insert_note(RU, "p", 1000_00)
    factories.run_at_once(app, 4, lambda i: press("pay", steps.CASH) and None)
    assert count(Order) == 1
    assert db.session.scalar(select(func.sum(LedgerEntry.amount))) == 1000_00


def test_two_first_touches_at_once_open_one_session(app):
    factories.run_at_once(app, 4, lambda i: kiosk.start(RU, "ru") and None)
    assert count(KioskSession) == 1


@pytest.mark.parametrize("terminal", ["nope", "", "7701011"])
def test_an_unknown_terminal(app, terminal):
    with pytest.raises(kiosk.KioskRefused):
        kiosk.start(terminal, "ru")


def test_a_card_tapped_after_the_orders_hour_pays_a_new_order(app):
    to_cash(amount=10000)
    press("back", steps.CASH)
    press("method", steps.METHOD, "card")
    first = kiosk.current(RU).order
    first.deadline = clock.now()  # its hour is over (a customer touching for an hour)
    db.session.commit()
    kiosk_cash.tap_card(RU, steps.CARD, kiosk.current(RU).revision, "4242424242424242")
    session = kiosk.current(RU)
    assert (session.step, session.notice) == (steps.CARD, "expired")
    assert db.session.get(Order, first.id).status == "expired"
    assert session.order.id != first.id and session.order.status == "awaiting_payment"
    kiosk_cash.tap_card(RU, steps.CARD, session.revision, "4242424242424242")
    session = kiosk.current(RU)
    assert session.step == steps.RESULT and session.order.status == "credited"
