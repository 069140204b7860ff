"""The wallet provider's side (SPEC §3.3): trades paid at most once, the password and its lock,
insufficient balance, expiry, closing, refunds, notifications and their retries, on SQLite and
PostgreSQL (concurrent payments of one trade)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from webapp.clock import clock
from webapp.domain import wallet as w
from webapp.extensions import db
from webapp.models import Wallet, WalletEntry, WalletNotification, WalletTrade
from webapp.services import rules, settle, wallet_notify, wallet_trades, wallets
from webapp.services.wallets import WalletRefused

from .. import factories
from ..conftest import FIXED_NOW

CN = "+8613812345678"
RU = "+79031234567"


class Recorder:
    """A merchant endpoint standing in for the shop: records posts, answers as told."""

    def __init__(self, answers=()):
        self.posts, self.answers = [], list(answers)

    def __call__(self, url, body, headers):
        self.posts.append((url, json.loads(body), headers, body))
        if self.answers:
            return self.answers.pop(0)
        return wallet_notify.Answer(200, "success")


@pytest.fixture
def merchant(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(wallet_notify, "transport", recorder)
    return recorder


def open_wallet(phone=CN, brand=w.ALIPAY, currency="CNY", balance=500000, password="111111"):
    return wallets.open_wallet(wallets.NewWallet(phone, brand, currency, balance, password))


def new_trade(amount=10000, brand=w.ALIPAY, currency="CNY", deadline=None, ref="ORDER-1",
              channel=w.H5):
    return wallet_trades.create(wallet_trades.TradeRequest(
        brand=brand, channel=channel, merchant="shop", merchant_name="Topup Sandbox",
        out_trade_no=ref, order_number=ref, subject="Top-up", amount=amount,
        currency=currency, order_deadline=deadline or FIXED_NOW + timedelta(hours=1),
        notify_url="/notify", return_url="/orders/ORDER-1"))


def balance(phone, brand=w.ALIPAY, currency="CNY"):
    return wallets.find(phone, brand, currency).balance()


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def refusal(call, *args):
    with pytest.raises(WalletRefused) as caught:
        call(*args)
    return caught.value


def test_pay_moves_money_once_and_notifies(app, merchant):
    open_wallet()
    trade = new_trade()
    paid = wallet_trades.pay(trade.token, "138 1234 5678", "111111")
    assert paid.trade.status == w.TRADE_SUCCESS and not paid.repeat
    assert balance(CN) == 490000
    assert balance(wallets.SHOP) == 10000
    assert len(merchant.posts) == 1
    url, body, headers, raw = merchant.posts[0]
    assert url == "/notify" and body["trade_status"] == "TRADE_SUCCESS"
    assert body["trade_no"] == trade.trade_no and body["total_amount"] == 10000
    assert w.check_signature(wallet_notify.secret(), headers["X-Wallet-Timestamp"],
                             headers["X-Wallet-Signature"], raw, datetime.now(UTC),
                             timedelta(minutes=5)) is None
    note = db.session.scalar(select(WalletNotification))
    assert note.status == "delivered" and note.attempts == 1
    # The password posted again: the same payment, nothing moves twice.
    again = wallet_trades.pay(trade.token, CN, "111111")
    assert again.repeat and balance(CN) == 490000 and count(WalletEntry) == 3
    assert len(merchant.posts) == 1


def test_another_wallet_cannot_pay_a_paid_trade(app, merchant):
    open_wallet()
    open_wallet(phone="+8613012345678")
    trade = new_trade()
    wallet_trades.pay(trade.token, CN, "111111")
    assert refusal(wallet_trades.pay, trade.token, "+8613012345678", "111111").code \
        == "already_paid"
    assert balance("+8613012345678") == 500000


def test_wrong_passwords_count_down_then_lock_for_30_minutes(app, merchant):
    open_wallet()
    trade = new_trade()
    for left in (4, 3, 2, 1):
        error = refusal(wallet_trades.pay, trade.token, CN, "222222")
        assert (error.code, error.values) == ("wrong_password", {"tries_left": left})
    error = refusal(wallet_trades.pay, trade.token, CN, "222222")
    assert error.code == "locked" and error.values["until"] == FIXED_NOW + timedelta(minutes=30)
    # Locked: even the right password is refused until the lock ends.
    assert refusal(wallet_trades.pay, trade.token, CN, "111111").code == "locked"
    clock.freeze(FIXED_NOW + timedelta(minutes=29, seconds=59))
    assert refusal(wallet_trades.pay, trade.token, CN, "111111").code == "locked"
    clock.freeze(FIXED_NOW + timedelta(minutes=30))
    assert wallet_trades.pay(trade.token, CN, "111111").trade.status == w.TRADE_SUCCESS
    assert balance(CN) == 490000


def test_a_right_password_resets_the_count(app, merchant):
    open_wallet()
    for _ in range(4):
        refusal(wallet_trades.pay, new_trade(ref="A").token, CN, "222222")
    wallet_trades.pay(new_trade(ref="A").token, CN, "111111")
    for left in (4, 3):
        assert refusal(wallet_trades.pay, new_trade(ref="B").token, CN,
                       "222222").values == {"tries_left": left}


@pytest.mark.parametrize(("have", "price", "ok"), [(9999, 10000, False), (10000, 10000, True)])
def test_insufficient_balance_at_the_boundary(app, merchant, have, price, ok):
    open_wallet(balance=have)
    trade = new_trade(amount=price)
    if ok:
        wallet_trades.pay(trade.token, CN, "111111")
        assert balance(CN) == 0
    else:
        error = refusal(wallet_trades.pay, trade.token, CN, "111111")
        assert (error.code, error.values) == ("insufficient",
                                              {"balance": have, "currency": "CNY"})
        assert balance(CN) == have and count(WalletEntry) == 1
        assert db.session.scalar(select(WalletTrade.status)) == w.WAIT_BUYER_PAY


def test_wallet_of_another_brand_or_currency_or_none(app, merchant):
    open_wallet(brand=w.WECHAT)
    error = refusal(wallet_trades.pay, new_trade().token, CN, "111111")
    assert (error.code, error.values) == ("no_wallet", {"currency": "CNY"})
    assert refusal(wallet_trades.pay, new_trade(ref="X").token, "12345", "111111").code \
        == "bad_number"
    assert refusal(wallet_trades.pay, new_trade(ref="Y").token, CN, "11111").code \
        == "bad_password"


def test_a_russian_number_typed_on_a_chinese_trade(app, merchant):
    open_wallet(phone=RU, currency="CNY")
    wallet_trades.pay(new_trade().token, "+7 903 123-45-67", "111111")
    assert balance(RU) == 490000


def test_expiry_closes_the_trade_and_it_cannot_be_paid(app, merchant):
    open_wallet()
    trade = new_trade(deadline=FIXED_NOW + timedelta(minutes=30))
    assert trade.expires_at == FIXED_NOW + timedelta(minutes=30)
    clock.freeze(FIXED_NOW + timedelta(minutes=30))
    assert refusal(wallet_trades.pay, trade.token, CN, "111111").code == "expired"
    view = wallet_trades.query(trade.trade_no)
    assert (view.status, view.close_reason) == (w.TRADE_CLOSED, w.CLOSED_EXPIRED)
    assert balance(CN) == 500000
    assert [p[1]["trade_status"] for p in merchant.posts] == ["TRADE_CLOSED"]


def test_two_hours_at_most(app, merchant):
    trade = new_trade(deadline=FIXED_NOW + timedelta(hours=5))
    assert trade.expires_at == FIXED_NOW + timedelta(hours=2)


def test_settlement_closes_expired_trades_once(app, merchant):
    trade = new_trade()
    clock.freeze(FIXED_NOW + timedelta(hours=1))
    assert settle.settle_all().trades == 1
    assert settle.settle_all().trades == 0
    assert wallet_trades.query(trade.trade_no).status == w.TRADE_CLOSED


def test_merchant_close_and_repeat_and_paid(app, merchant):
    open_wallet()
    trade = new_trade()
    assert wallet_trades.close(trade.trade_no).status == w.TRADE_CLOSED
    db.session.commit()
    assert wallet_trades.close(trade.trade_no).close_reason == w.CLOSED_BY_MERCHANT
    db.session.commit()
    assert refusal(wallet_trades.pay, trade.token, CN, "111111").code == "closed"
    paid = new_trade(ref="P")
    wallet_trades.pay(paid.token, CN, "111111")
    with pytest.raises(wallet_trades.TradeRefused) as caught:
        wallet_trades.close(paid.trade_no)
    db.session.rollback()
    assert caught.value.code == "already_paid"
    # A trade the shop closed itself is not notified back to it.
    assert [p[1]["trade_status"] for p in merchant.posts] == ["TRADE_SUCCESS"]


def test_create_is_idempotent_on_the_merchant_reference(app):
    first, second = new_trade(), new_trade()
    assert first.trade_no == second.trade_no and count(WalletTrade) == 1


def test_refund_goes_back_to_the_paying_wallet_once(app, merchant):
    open_wallet()
    trade = new_trade()
    wallet_trades.pay(trade.token, CN, "111111")
    view = wallet_trades.refund(trade.trade_no)
    db.session.commit()
    assert (view.status, view.close_reason) == (w.TRADE_CLOSED, w.CLOSED_REFUNDED)
    wallet_trades.refund(trade.trade_no)
    db.session.commit()
    assert balance(CN) == 500000 and balance(wallets.SHOP) == 0
    with pytest.raises(wallet_trades.TradeRefused):
        wallet_trades.refund(new_trade(ref="unpaid").trade_no)
    db.session.rollback()


def test_notification_retries_follow_the_schedule_then_give_up(app, merchant):
    open_wallet()
    merchant.answers = [wallet_notify.Answer(500, "oops")] * 20
    trade = new_trade()
    wallet_trades.pay(trade.token, CN, "111111")
    note = db.session.scalar(select(WalletNotification))
    assert note.attempts == 1 and note.next_at == FIXED_NOW + timedelta(seconds=15)
    now = FIXED_NOW
    for step in w_rules().retry_after:
        clock.freeze(now + step - timedelta(seconds=1))
        assert settle.settle_all().notifications == 0  # not yet
        now += step
        clock.freeze(now)
        assert settle.settle_all().notifications == 1
    db.session.expire_all()
    note = db.session.scalar(select(WalletNotification))
    assert (note.status, note.attempts, note.next_at) == ("gave_up", 16, None)
    assert now - FIXED_NOW == timedelta(hours=24, minutes=4)
    assert len({p[1]["notify_id"] for p in merchant.posts}) == 1  # the same on every retry
    assert len(merchant.posts) == 16


def w_rules():
    return rules().wallet


def test_a_retry_answered_success_stops(app, merchant):
    open_wallet()
    merchant.answers = [wallet_notify.Answer(200, "fail"), wallet_notify.Answer(200, "success")]
    wallet_trades.pay(new_trade().token, CN, "111111")
    clock.freeze(FIXED_NOW + timedelta(seconds=15))
    assert settle.settle_all().notifications == 1
    clock.freeze(FIXED_NOW + timedelta(hours=3))
    assert settle.settle_all().notifications == 0
    note = db.session.scalar(select(WalletNotification))
    assert (note.status, [p.ok for p in note.posts]) == ("delivered", [False, True])


def test_sandbox_makes_the_endpoint_fail_n_times(app, merchant):
    open_wallet()
    trade = new_trade()
    wallet_notify.fail_next(trade.trade_no, 2)
    wallet_trades.pay(trade.token, CN, "111111")
    for seconds in (15, 30):
        clock.freeze(FIXED_NOW + timedelta(seconds=seconds))
        settle.settle_all()
    note = db.session.scalar(select(WalletNotification))
    db.session.refresh(note)
    assert [(p.http_status, p.ok) for p in note.posts] == [(503, False), (503, False),
                                                          (200, True)]
    assert len(merchant.posts) == 1  # the failed posts never reached the shop


def test_demo_wallets(app):
    created = wallets.seed_demo()
    assert created == 22 and wallets.seed_demo() == 0
    assert balance("+8613812345678") == 500000
    assert balance("+79031234567", w.WECHAT, "RUB") == 1000000
    assert balance("+8613912345670") == 0
    locked = wallets.find("+8613912345671", w.ALIPAY, "CNY")
    assert locked.locked_until == FIXED_NOW + timedelta(minutes=30)


def test_sandbox_wallet_refusals(app):
    open_wallet()
    assert refusal(open_wallet).code == "exists"
    assert refusal(open_wallet, "+8613012345678", w.ALIPAY, "CNY", 1, "12345").code \
        == "bad_password"
    assert count(Wallet) == 1


def test_two_phones_paying_one_qr_at_once_pay_once(app, merchant):
    phones = ["+8613812345678", "+8613012345678", "+8613312345678", "+8613912345670"]
    for phone in phones:
        open_wallet(phone=phone)
    trade = new_trade(channel=w.QR)
    results = factories.run_at_once(
        app, 4, lambda i: wallet_trades.pay(trade.token, phones[i], "111111").trade.status,
        refusals=(WalletRefused,))
    assert sorted(results) == ["TRADE_SUCCESS"] + ["already_paid"] * 3
    assert count(WalletEntry, WalletEntry.kind == "payment") == 1
    assert sum(balance(p) for p in phones) == 4 * 500000 - 10000


def test_a_password_posted_twice_at_once_pays_once(app, merchant):
    open_wallet()
    trade = new_trade()
    results = factories.run_at_once(
        app, 4, lambda i: wallet_trades.pay(trade.token, CN, "111111").repeat,
        refusals=(WalletRefused,))
    assert sorted(results) == [False, True, True, True]
    assert balance(CN) == 490000


def test_wrong_passwords_at_once_are_all_counted(app, merchant):
    open_wallet()
    trade = new_trade()
    results = factories.run_at_once(
        app, 5, lambda i: wallet_trades.pay(trade.token, CN, "999999"),
        refusals=(WalletRefused,))
    assert sorted(results) == ["locked"] + ["wrong_password"] * 4
    assert wallets.find(CN, w.ALIPAY, "CNY").locked_until is not None
