"""A wallet payment of an order (SPEC §3.3), end to end through the seam on SQLite and
PostgreSQL: the trade it makes, the notification that pays the order once (repeated, late or
out of order), the shop's own query, closing the trade before paying another way or when the
order ends, and the races: two notifications at once, a card payment against a wallet one."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from webapp.clock import clock
from webapp.domain import orders as states
from webapp.domain import wallet as w
from webapp.extensions import db
from webapp.models import Order, PaymentAttempt, WalletEntry, WalletNotification, WalletTrade
from webapp.payments.wallet import METHOD, WalletChoice
from webapp.refusals import CheckoutRefused
from webapp.services import (
    checkout,
    rules,
    settle,
    shop,
    wallet_checkout,
    wallet_notify,
    wallet_trades,
    wallets,
)

from .. import factories
from ..conftest import FIXED_NOW
from ..factories import topup_order

CN = "+8613812345678"
RU = "+79031234567"


@pytest.fixture
def demo(app):
    wallets.seed_demo()


def start(order, brand=w.ALIPAY, display=w.H5, key=None):
    return checkout.start(order.number, METHOD, WalletChoice(brand, display),
                          idempotency_key=key or secrets.token_urlsafe(18))


def cn_order(amount="10000"):
    return topup_order(phone=CN, operator="china_mobile", amount=amount, market="CN")


def trade_of(attempt):
    return wallet_trades.query(checkout.details(attempt).trade_no)


def balance(phone, brand=w.ALIPAY, currency="CNY"):
    return wallets.find(phone, brand, currency).balance()


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def order_of(number):
    db.session.expire_all()
    return db.session.scalar(select(Order).where(Order.number == number))


def test_starting_makes_a_trade_valid_until_the_order_deadline(app, demo):
    order = cn_order()
    attempt = start(order)
    assert attempt.status == states.PENDING
    assert checkout.action(attempt)["kind"] == "redirect"
    trade = trade_of(attempt)
    assert (trade.status, trade.amount, trade.currency, trade.brand, trade.channel) == (
        w.WAIT_BUYER_PAY, order.price, "CNY", w.ALIPAY, w.H5)
    assert trade.expires_at == order.deadline  # the order's hour is sooner than 2 h
    assert trade.out_trade_no.startswith(order.number + "-")
    row = db.session.scalar(select(WalletTrade))
    assert row.notify_url == "/payments/wallet/notify"
    assert row.return_url == f"/orders/{order.number}/wallet/back/{trade.out_trade_no}"
    assert row.payer_hint == CN
    assert row.subject.endswith(" +86 138 1234 5678")  # what the cashier says is bought
    qr = start(cn_order(), brand=w.WECHAT, display=w.QR)
    assert checkout.action(qr)["kind"] == "qr"


def test_the_notification_pays_the_order_once(app, demo):
    order = cn_order()
    attempt = start(order)
    wallet_trades.pay(trade_of(attempt).token, CN, "111111")  # posts the notification
    db.session.expire_all()
    assert order_of(order.number).status == states.CREDITED
    attempt = db.session.get(PaymentAttempt, attempt.id)
    assert attempt.status == states.SUCCEEDED
    assert checkout.details(attempt).payer == CN
    note = db.session.scalar(select(WalletNotification))
    assert (note.status, [p.answer for p in note.posts]) == ("delivered", ["success"])
    # The same notification again (a retry the shop already answered): nothing twice.
    headers = wallet_notify.signed_headers(note.body.encode())
    answer = wallet_notify.in_process("/payments/wallet/notify", note.body.encode(), headers)
    assert answer == wallet_notify.Answer(200, "success")
    assert count(PaymentAttempt, PaymentAttempt.status == states.SUCCEEDED) == 1
    assert balance(CN) == 500000 - order.price


def test_the_return_page_check_pays_without_a_notification(app, demo):
    order = cn_order()
    attempt = start(order)
    trade = trade_of(attempt)
    wallet_notify.fail_next(trade.trade_no, 20)  # the shop's endpoint is down
    wallet_trades.pay(trade.token, CN, "111111")
    assert order_of(order.number).status == states.AWAITING_PAYMENT
    assert wallet_checkout.sync(attempt.id).status == states.SUCCEEDED
    assert order_of(order.number).status == states.CREDITED
    # The retries come later and change nothing.
    clock.freeze(FIXED_NOW + timedelta(seconds=15))
    wallet_notify.fail_next(trade.trade_no, 0)
    assert settle.settle_all().notifications == 1
    assert count(PaymentAttempt, PaymentAttempt.status == states.SUCCEEDED) == 1


def test_a_waiting_trade_leaves_the_attempt_waiting(app, demo):
    attempt = start(cn_order())
    assert wallet_checkout.sync(attempt.id).status == states.PENDING


def body_for(trade_no, **extra):
    return json.dumps({"trade_no": trade_no, "trade_status": "TRADE_SUCCESS", **extra}).encode()


def test_notifications_are_verified(app, demo):
    attempt = start(cn_order())
    trade = trade_of(attempt)
    body = body_for(trade.trade_no)
    now = datetime.now(UTC)
    good = wallet_notify.signed_headers(body)

    def receive(body, headers, at=now):
        return wallet_checkout.receive(body, headers.get("X-Wallet-Timestamp"),
                                       headers.get("X-Wallet-Signature"), at)

    # A forged "paid" changes nothing: the body is signed wrong, or replayed too late.
    assert receive(body, {**good, "X-Wallet-Signature": "0" * 64}).http_status == 403
    assert receive(body, good, now + timedelta(minutes=5, seconds=1)).http_status == 403
    assert receive(body, {}).http_status == 403
    assert receive(b"[1]", wallet_notify.signed_headers(b"[1]")).http_status == 400
    unknown = body_for("2026112200000000000000")
    assert receive(unknown, wallet_notify.signed_headers(unknown)).http_status == 404
    # Genuine but the trade is not paid (the body says otherwise): the wallet's word counts.
    answer = receive(body, good)
    assert (answer.http_status, answer.answer) == (200, "success")
    assert db.session.get(PaymentAttempt, attempt.id).status == states.PENDING


def test_an_out_of_order_notification_is_processed_once(app, demo):
    """The refund's TRADE_CLOSED arriving before the payment's TRADE_SUCCESS (its first post
    failed; the return page's query paid the order): each is checked against the wallet, the
    order is paid once and refunded once."""
    order = shop.place_goods_order(rules().market("CN"), "phone-case", 3900, "en")
    attempt = start(order)
    trade = trade_of(attempt)
    wallet_notify.fail_next(trade.trade_no, 1)
    wallet_trades.pay(trade.token, CN, "111111")  # the notification's first post fails
    assert wallet_checkout.sync(attempt.id).status == states.SUCCEEDED
    checkout.refund(order.number, actor="sandbox", note="dispute", method=METHOD)
    assert order_of(order.number).status == states.REFUNDED
    wallet_notify.deliver_pending(db.session.scalar(select(WalletTrade.id)))
    clock.freeze(FIXED_NOW + timedelta(seconds=15))
    settle.settle_all()
    assert order_of(order.number).status == states.REFUNDED
    assert balance(CN) == 500000
    assert [n.status for n in db.session.scalars(select(WalletNotification))] == [
        "delivered", "delivered"]


def test_pay_another_way_closes_the_trade_first(app, demo):
    order = cn_order()
    attempt = start(order)
    checkout.cancel(order.number, attempt.id)
    assert trade_of(attempt).status == w.TRADE_CLOSED
    assert trade_of(attempt).close_reason == w.CLOSED_BY_MERCHANT
    assert db.session.get(PaymentAttempt, attempt.id).status == states.CANCELED
    with pytest.raises(wallets.WalletRefused) as refused:
        wallet_trades.pay(trade_of(attempt).token, CN, "111111")
    assert refused.value.code == "closed"
    assert balance(CN) == 500000


def test_pay_another_way_after_the_payer_paid_keeps_the_payment(app, demo):
    order = cn_order()
    attempt = start(order)
    trade = trade_of(attempt)
    wallet_notify.fail_next(trade.trade_no, 20)
    wallet_trades.pay(trade.token, CN, "111111")
    checkout.cancel(order.number, attempt.id)
    assert db.session.get(PaymentAttempt, attempt.id).status == states.SUCCEEDED
    assert order_of(order.number).status == states.CREDITED


def test_a_card_after_a_paid_trade_is_refused_and_not_charged(app, demo):
    order = cn_order()
    attempt = start(order, display=w.QR)
    trade = trade_of(attempt)
    wallet_notify.fail_next(trade.trade_no, 20)
    wallet_trades.pay(trade.token, CN, "111111")
    with pytest.raises(CheckoutRefused) as refused:
        factories.pay(order)
    assert refused.value.code == "already_paid"
    assert count(PaymentAttempt, PaymentAttempt.method == "card") == 0
    assert db.session.get(PaymentAttempt, attempt.id).status == states.SUCCEEDED


def test_a_card_closes_a_waiting_trade(app, demo):
    order = cn_order()
    attempt = start(order)
    factories.pay(order)
    assert trade_of(attempt).status == w.TRADE_CLOSED
    assert db.session.get(PaymentAttempt, attempt.id).status == states.CANCELED
    assert order_of(order.number).status == states.CREDITED


def test_a_new_code_closes_the_old_trade(app, demo):
    order = cn_order()
    first = start(order, display=w.QR)
    second = start(order, display=w.QR)
    assert trade_of(first).status == w.TRADE_CLOSED
    assert trade_of(second).status == w.WAIT_BUYER_PAY
    assert trade_of(first).trade_no != trade_of(second).trade_no


def test_order_expiry_closes_the_trade(app, demo):
    order = cn_order()
    attempt = start(order, display=w.QR)
    clock.freeze(order.deadline)
    settle.settle_all()
    assert order_of(order.number).status == states.EXPIRED
    assert trade_of(attempt).status == w.TRADE_CLOSED
    assert db.session.get(PaymentAttempt, attempt.id).status == states.CANCELED


def test_paid_just_before_the_deadline_pays_the_order_even_if_told_late(app, demo):
    order = cn_order()
    attempt = start(order, display=w.QR)
    trade = trade_of(attempt)
    wallet_notify.fail_next(trade.trade_no, 20)
    clock.freeze(order.deadline - timedelta(seconds=1))
    wallet_trades.pay(trade.token, CN, "111111")
    clock.freeze(order.deadline + timedelta(minutes=1))
    settle.settle_all()  # the order's end asks the wallet first: it was paid in time
    assert order_of(order.number).status == states.CREDITED
    assert db.session.get(PaymentAttempt, attempt.id).status == states.SUCCEEDED


def test_a_payment_the_shop_can_no_longer_take_is_refunded(app, demo):
    """The trade paid, but the attempt was given up meanwhile without asking the wallet (a
    crash between the two, say): the late notification returns the money."""
    order = cn_order()
    attempt = start(order, display=w.QR)
    trade = trade_of(attempt)
    wallet_notify.fail_next(trade.trade_no, 1)
    wallet_trades.pay(trade.token, CN, "111111")
    with db.session.begin_nested():
        row = db.session.get(PaymentAttempt, attempt.id)
        row.status = states.CANCELED  # as if given up without the wallet's word
    db.session.commit()
    clock.freeze(FIXED_NOW + timedelta(seconds=15))
    settle.settle_all()
    assert wallet_trades.query(trade.trade_no).close_reason == w.CLOSED_REFUNDED
    assert balance(CN) == 500000
    assert order_of(order.number).status == states.AWAITING_PAYMENT


def test_sandbox_dispute_refunds_to_the_wallet(app, demo):
    order = shop.place_goods_order(rules().market("RU"), "phone-case", 20000, "en")
    attempt = start(order, brand=w.WECHAT)
    wallet_trades.pay(trade_of(attempt).token, RU, "111111")
    assert balance(RU, w.WECHAT, "RUB") == 1000000 - 20000
    checkout.refund(order.number, actor="sandbox", note="dispute", method=METHOD)
    assert balance(RU, w.WECHAT, "RUB") == 1000000
    assert order_of(order.number).status == states.REFUNDED
    with pytest.raises(CheckoutRefused):
        checkout.refund(order.number, actor="sandbox", note="dispute", method=METHOD)
    assert count(WalletEntry, WalletEntry.kind == "refund") == 2


def test_two_notifications_at_once_pay_once(app, demo):
    order = cn_order()
    attempt = start(order)
    trade = trade_of(attempt)
    wallet_notify.fail_next(trade.trade_no, 20)
    wallet_trades.pay(trade.token, CN, "111111")
    body = body_for(trade.trade_no)

    def notify(i):
        return wallet_checkout.receive(body, *wallet_notify.signed_headers(body).values(),
                                       datetime.now(UTC)).answer

    results = factories.run_at_once(app, 4, notify)
    assert results == ["success"] * 4
    assert count(PaymentAttempt, PaymentAttempt.status == states.SUCCEEDED) == 1
    assert order_of(order.number).status == states.CREDITED


def test_a_card_racing_a_wallet_payment_gives_one_payment(app, demo):
    """The payer pays the QR on a phone while someone presses "pay" with a card: whichever
    the order's lock lets in first, the order is paid once and the other takes no money."""
    for _ in range(3):
        order = cn_order()
        attempt = start(order, display=w.QR)
        token = trade_of(attempt).token

        def work(i, token=token, number=order.number):
            if i == 0:
                return wallet_trades.pay(token, CN, "111111").trade.status
            return factories.pay(order_of(number)).status

        results = factories.run_at_once(app, 2, work,
                                        refusals=(CheckoutRefused, wallets.WalletRefused))
        db.session.expire_all()
        paid = count(PaymentAttempt, PaymentAttempt.order_id == order.id,
                     PaymentAttempt.status == states.SUCCEEDED)
        assert paid == 1, results
        wallet_paid = trade_of(attempt).status == w.TRADE_SUCCESS
        card_paid = count(PaymentAttempt, PaymentAttempt.order_id == order.id,
                          PaymentAttempt.method == "card",
                          PaymentAttempt.status == states.SUCCEEDED) == 1
        assert wallet_paid != card_paid, results
        assert order_of(order.number).status == states.CREDITED
