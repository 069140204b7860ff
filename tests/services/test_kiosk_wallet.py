"""The wallet QR on a kiosk (SPEC §3.3, §7) on SQLite and PostgreSQL: a tile pressed twice at
once makes one trade, screens asking at once after the phone paid move the session once,
"pay another way" racing the payment ends in exactly one of the two, and a customer who
walks away from a code still gets what they pay with it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.clock import clock
from webapp.domain import kiosk as steps
from webapp.domain import orders as states
from webapp.domain import wallet as w
from webapp.extensions import db
from webapp.models import KioskSession, Order, PaymentAttempt, WalletTrade
from webapp.services import kiosk, kiosk_screen, kiosk_wallet, wallet_trades, wallets
from webapp.services.kiosk import Touch

from .. import factories

CN = "860101"
PHONE = "138 1234 5678"


@pytest.fixture(autouse=True)
def demo_wallets(app):
    wallets.seed_demo()


def press(action, step, value=""):
    return kiosk.touch(CN, Touch(action=action, step=step, value=value))


def to_method(amount="10000"):
    kiosk.start(CN, "zh")
    press("operator", steps.OPERATOR, "china_mobile")
    for digit in "13812345678":
        press("key", steps.NUMBER, digit)
    press("next", steps.NUMBER)
    press("amount", steps.AMOUNT, amount)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def trade() -> WalletTrade:
    db.session.expire_all()
    return db.session.scalars(select(WalletTrade).order_by(WalletTrade.id.desc())).first()


def balance() -> int:
    return wallets.find("+8613812345678", "alipay", "CNY").balance()


@pytest.mark.parametrize("value", ["wallet:paypal", "wallet", "wallet:", "alipay"])
def test_a_tile_that_is_no_brand_changes_nothing(app, value):
    to_method()
    press("method", steps.METHOD, value)
    assert kiosk.current(CN).step == steps.METHOD
    assert count(WalletTrade) == 0 and count(PaymentAttempt) == 0


def test_the_tile_pressed_twice_at_once_makes_one_trade(app):
    to_method()
    results = factories.run_at_once(
        app, 4, lambda i: press("method", steps.METHOD, "wallet:alipay") and None)
    assert results == [None] * 4
    assert kiosk.current(CN).step == steps.WALLET
    assert count(WalletTrade) == 1 and count(PaymentAttempt) == 1


def test_screens_asking_at_once_after_the_phone_paid_move_once(app):
    to_method()
    press("method", steps.METHOD, "wallet:alipay")
    before = balance()
    wallet_trades.pay(trade().token, PHONE, "111111")
    results = factories.run_at_once(app, 4, lambda i: kiosk_screen.screen(CN) and None)
    assert results == [None] * 4
    session = kiosk.current(CN)
    assert session.step == steps.RESULT
    assert count(PaymentAttempt, PaymentAttempt.status == states.SUCCEEDED) == 1
    assert session.order.status in (states.PAID, states.CREDITING, states.CREDITED)
    assert balance() == before - 10000
    receipt = kiosk_screen.screen(CN).receipt
    assert (receipt.method, receipt.wallet_brand, receipt.wallet_payer) == \
        ("wallet", "alipay", "+86 138 **** 5678")
    assert (receipt.paid, receipt.commission, receipt.credited) == (10000, 0, 10000)


def test_pay_another_way_racing_the_payment_ends_in_one_of_them(app):
    to_method()
    press("method", steps.METHOD, "wallet:alipay")
    token, before = trade().token, balance()

    def race(i):
        if i == 0:
            try:
                wallet_trades.pay(token, PHONE, "111111")
            except wallet_trades.TradeRefused:
                db.session.rollback()
        else:
            press("back", steps.WALLET)

    assert factories.run_at_once(app, 2, race) == [None, None]
    kiosk_screen.screen(CN)
    session = kiosk.current(CN)
    order = db.session.get(Order, session.order_id)
    if trade().status == w.TRADE_SUCCESS:  # paid first: that payment stands
        assert session.step == steps.RESULT and order.status != states.AWAITING_PAYMENT
        assert balance() == before - 10000
    else:  # closed first: nothing was taken, the customer picks another way
        assert trade().status == w.TRADE_CLOSED
        assert session.step == steps.METHOD and order.status == states.AWAITING_PAYMENT
        assert balance() == before


def test_a_code_paid_after_the_customer_walked_away_still_tops_up(app):
    to_method()
    press("method", steps.METHOD, "wallet:wechat")
    order_id = kiosk.current(CN).order_id
    clock.advance(timedelta(seconds=81))  # the idle question went unanswered
    assert kiosk.current(CN) is None
    assert db.session.scalar(select(KioskSession.step)) == steps.ABANDONED
    # The code on the customer's phone can still be paid: the money reaches the number.
    wallets.seed_demo()
    wallet_trades.pay(trade().token, PHONE, "111111")
    db.session.expire_all()
    assert db.session.get(Order, order_id).status in (states.PAID, states.CREDITING,
                                                      states.CREDITED)



def test_an_order_whose_hour_ran_out_as_the_code_was_made_gets_a_new_order(app):
    to_method()
    press("method", steps.METHOD, "wallet:alipay")
    session = kiosk.current(CN)
    first, first_trade = session.order, trade()
    first.deadline = clock.now()  # its hour ends just as a new code is asked for
    db.session.commit()
    kiosk_wallet.open_qr(CN, kiosk_wallet.QrToOpen(session.id, session.revision, "alipay"))
    session = kiosk.current(CN)
    assert session.step == steps.WALLET and session.notice is None
    assert db.session.get(Order, first.id).status == states.EXPIRED
    assert db.session.get(WalletTrade, first_trade.id).status == w.TRADE_CLOSED
    assert session.order.id != first.id
    assert session.order.status == states.AWAITING_PAYMENT
    assert trade().id != first_trade.id and trade().status == w.WAIT_BUYER_PAY
    assert kiosk_screen.screen(CN).wallet.live
