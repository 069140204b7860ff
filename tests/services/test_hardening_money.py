"""Money under concurrency (issue 8, items 12 and 14): one lock order for mobile payments, and
the first top-up discount on one order of a number only. Run on SQLite and PostgreSQL; the
races only bite on PostgreSQL, where rows are locked one by one."""

from __future__ import annotations

import re
import time

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import LedgerEntry, OneTimeCode, Order, PaymentAttempt, SmsMessage
from webapp.refusals import Refused
from webapp.services import codes, mobile, replies, rules, shop
from webapp.services.topup import PriceChanged, place_order, read_draft

from .. import factories
from .test_mobile import make_subscriber

RACERS = 5
# A deadlock needs an unlucky interleaving: each round lets the starts set off a little later
# than the replies (which do more before they lock anything), so that some rounds hit it.
ROUNDS = 6
STAGGER = 0.003  # seconds, times the round's number
SHORT_MTS = "6996"


def phone_of(round_: int, i: int) -> str:
    return f"+791612345{round_}{i}"


def code_sent_to(phone: str) -> str:
    body = db.session.scalars(select(SmsMessage.body).where(
        SmsMessage.phone == phone, SmsMessage.direction == "out")
        .order_by(SmsMessage.id.desc())).first()
    return re.match(r"(\d{6})\D", body).group(1)


def count(model, *where) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- item 12: starting a mobile payment races the reply to the waiting one ---------------------

def _race_round(app, round_: int) -> tuple[list, list[int], list[str]]:
    """Each number has a payment waiting for its reply (order B); a new payment of the same
    number (order A) starts while the reply to B arrives. Returns the results, the waiting
    attempts and the new orders."""
    mts, market = rules().market("RU").operator("mts"), rules().market("RU")
    waiting, new, code = [], [], []
    for i in range(RACERS):
        phone = phone_of(round_, i)
        make_subscriber(phone, "mts")
        order = shop.place_goods_order(market, "custom", 10000 + i, "en")
        waiting.append(factories.pay_from_balance(order.number, phone, mts, "en").id)
        code.append(code_sent_to(phone))
        new.append(shop.place_goods_order(market, "custom", 20000 + i, "en").number)

    def work(i):
        if i < RACERS:
            time.sleep(STAGGER * round_)
            return factories.pay_from_balance(new[i], phone_of(round_, i), mts, "en").status
        j = i - RACERS
        return replies.receive(phone_of(round_, j), SHORT_MTS, code[j])

    results = factories.run_at_once(app, 2 * RACERS, work,
                                    refusals=(Refused, codes.CodeRefused))
    return results, waiting, new


def _check_round(round_: int, results: list, waiting: list[int], new: list[str]) -> int:
    """Every start opened the new payment; each waiting one was paid once or replaced."""
    starts, replied = results[:RACERS], results[RACERS:]
    assert starts == ["pending"] * RACERS, results
    assert all(r in (True, False) for r in replied), results
    for i in range(RACERS):
        phone, old = phone_of(round_, i), db.session.get(PaymentAttempt, waiting[i])
        db.session.refresh(old)
        debited = count(LedgerEntry, LedgerEntry.kind == mobile.DEBIT,
                        LedgerEntry.ref == f"mcommerce:{old.id}")
        if replied[i]:  # the reply got there first: B is paid, once
            assert (old.status, debited) == ("succeeded", 1)
        else:  # the new payment got there first: B's request is replaced, its code dead
            assert (old.status, old.decline_code, debited) == ("canceled", "replaced", 0)
            old_code = db.session.scalar(select(OneTimeCode).where(
                OneTimeCode.subject == f"attempt:{old.id}"))
            assert old_code.status == "superseded"
        pending = db.session.scalars(select(PaymentAttempt).where(
            PaymentAttempt.payer_phone == phone, PaymentAttempt.status == "pending")).all()
        assert [p.order.number for p in pending] == [new[i]]
    return sum(1 for r in replied if r)


def test_five_starts_racing_five_replies_never_deadlock(app):
    """Starting used to lock order A, then the subscriber, then the waiting order B; the reply
    locks B, then the subscriber: DeadlockDetected on PostgreSQL. With one lock order
    everywhere (webapp/services/db_locks.py) every request ends cleanly, and each waiting
    payment is either paid once or replaced."""
    rounds = [_race_round(app, round_) for round_ in range(ROUNDS)]
    errors = [r for results, _, _ in rounds for r in results if "Error" in str(r)]
    assert errors == []
    paid = sum(_check_round(n, *found) for n, found in enumerate(rounds))
    assert count(LedgerEntry, LedgerEntry.kind == mobile.DEBIT,
                 LedgerEntry.description != "history") == paid


# --- item 14: the first top-up discount ---------------------------------------------------------

FIRST = "ru-first-5pct"
NEW_NUMBER = "+79031110077"  # never topped up: its first top-up is 5 % off


def draft(amount="10000", phone=NEW_NUMBER):
    return read_draft(rules().market("RU"), phone, "beeline", amount, "", complete=True)


def discounted() -> list[str]:
    db.session.commit()
    return list(db.session.scalars(select(Order.number).where(Order.promotion_id == FIRST)))


def test_five_orders_placed_at_once_carry_the_first_top_up_discount_once(app):
    drafts = [draft() for _ in range(RACERS)]
    assert all(d.price.promotion.id == FIRST and d.price.to_pay == 9500 for d in drafts)

    def work(i):
        return place_order(drafts[i], "ru").price

    results = factories.run_at_once(app, RACERS, work, refusals=(PriceChanged,))
    assert sorted(results, key=str) == [9500] + ["price_changed"] * (RACERS - 1), results
    assert len(discounted()) == 1
    assert count(Order) == 1


def test_an_open_order_holds_the_discount_and_a_new_draft_shows_the_full_price(app):
    first = place_order(draft(), "ru")
    assert (first.promotion_id, first.price) == (FIRST, 9500)
    again = draft()
    assert (again.price.promotion, again.price.to_pay) == (None, 10000)
    assert all(tile.promotion is None or tile.promotion.id != FIRST for tile in again.tiles)
    second = place_order(again, "ru")
    assert (second.promotion_id, second.price) == (None, 10000)
    assert discounted() == [first.number]


def test_a_stale_draft_with_the_discount_is_refused_once_another_order_took_it(app):
    stale = draft()
    place_order(draft(), "ru")
    try:
        place_order(stale, "ru")
    except PriceChanged as changed:
        assert changed.code == "price_changed"
    else:
        raise AssertionError("a second order got the first top-up discount")
    assert count(Order) == 1


def test_the_discount_comes_back_when_the_open_order_expires(app):
    from datetime import timedelta

    from webapp.clock import clock

    from ..conftest import FIXED_NOW

    first = place_order(draft(), "ru")
    clock.freeze(FIXED_NOW + timedelta(minutes=59, seconds=59))
    assert draft().price.promotion is None
    clock.freeze(FIXED_NOW + timedelta(hours=1))  # its payment window is over
    later = place_order(draft(), "ru")
    assert (later.promotion_id, later.price) == (FIRST, 9500)
    assert first.number != later.number


def test_a_paid_top_up_ends_the_discount_for_good(app):
    first = place_order(draft(), "ru")
    factories.pay(first)
    assert draft().price.promotion is None
    assert draft("50000").price.promotion.id == "ru-500-minus-15"
