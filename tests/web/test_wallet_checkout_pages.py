"""The wallet on the checkout (SPEC §3.3): offered on every checkout (China first, Russia
after the card), a phone's redirect to the cashier and the return page that checks the trade,
a QR code polled every 2 s that moves on by itself, "pay another way", "make a new code", the
notify endpoint and the sandbox dispute."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.clock import clock
from webapp.domain import orders as states
from webapp.domain import wallet as w
from webapp.extensions import db
from webapp.models import Order, PaymentAttempt, WalletTrade
from webapp.services import checkout, rules, wallet_notify, wallet_trades, wallets

from ..factories import mine, topup_order

CN = "+8613812345678"
RU = "+79031234567"
HX = {"HX-Request": "true"}


@pytest.fixture
def demo(app):
    wallets.seed_demo()


def text(response) -> str:
    return response.get_data(as_text=True)


def key(page: str) -> str:
    return re.search(r'name="attempt_key" value="([^"]+)"', page).group(1)


def cn_order(client):
    return topup_order(phone=CN, operator="china_mobile", amount="10000", market="CN",
                       client=client)


def goods_order(client, market="RU"):
    response = client.post(f"/shop/{market}/buy", data={"product": "phone-case"})
    number = response.headers["Location"].rsplit("/", 1)[1]
    return db.session.scalar(select(Order).where(Order.number == number))


def pay_with(client, order, brand, display, lang="en"):
    page = text(client.get(f"/orders/{order.number}?lang={lang}&method=wallet"))
    return client.post(f"/orders/{order.number}/pay/wallet?lang={lang}",
                       data={"brand": brand, "display": display, "attempt_key": key(page)})


def latest_attempt():
    db.session.expire_all()
    return db.session.scalars(select(PaymentAttempt).order_by(PaymentAttempt.id.desc())).first()


def test_china_offers_the_wallet_first_russia_after_the_card(client):
    cn = cn_order(client)
    assert checkout.offered(cn) == ("wallet", "card")
    page = text(client.get(f"/orders/{cn.number}?lang=zh"))
    assert "仿支付宝付款" in page and "仿微信支付付款" in page and "显示仿支付宝付款码" in page
    assert 'id="card-number"' not in page  # the wallet is the chosen method at first
    ru = topup_order(client=client)
    assert checkout.offered(ru) == ("card", "wallet")
    page = text(client.get(f"/orders/{ru.number}?lang=ru"))
    assert 'id="card-number"' in page and "Кошелёк в стиле Alipay / WeChat Pay" in page
    assert checkout.offered(goods_order(client)) == ("card", "wallet", "mobile_balance")
    assert checkout.offered(goods_order(client, "CN"))[0] == "wallet"


def test_phone_redirects_to_the_cashier_and_the_return_page_checks(client, demo):
    order = cn_order(client)
    response = pay_with(client, order, "alipay", "h5", lang="zh")
    attempt = latest_attempt()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/orders/{order.number}/wallet/{attempt.id}/go"
    go = client.get(response.headers["Location"])
    token = checkout.details(attempt).token
    assert go.status_code == 303 and go.headers["Location"] == f"/wallet/pay/{token}"
    # Back before paying (as WeChat Pay's H5 allows): "checking…", polled every 2 s.
    back = client.get(db.session.scalar(select(WalletTrade.return_url)) + "?lang=zh")
    assert back.status_code == 303
    waiting = client.get(back.headers["Location"])
    body = text(waiting)
    assert "正在向仿支付宝查询支付结果…" in body and 'hx-trigger="every 2s"' in body
    fragment = client.get(f"/orders/{order.number}/wallet/{attempt.id}/status", headers=HX)
    assert text(fragment).lstrip().startswith('<section id="wallet-status"')
    # Paid on the cashier: the cashier goes back to the shop's return page, which moves on.
    paid = client.post(f"/wallet/pay/{token}", data={"phone": CN, "pin": "111111",
                                                     "action": "pay"})
    assert paid.headers["Location"] == db.session.scalar(select(WalletTrade.return_url))
    fragment = client.get(f"/orders/{order.number}/wallet/{attempt.id}/status", headers=HX)
    assert fragment.headers["HX-Redirect"] == f"/orders/{order.number}"
    receipt = text(client.get(f"/orders/{order.number}?lang=zh"))
    assert "仿支付宝钱包" in receipt and checkout.details(latest_attempt()).trade_no in receipt


def test_desktop_qr_page_shows_the_code_and_moves_on_when_paid(client, demo):
    order = goods_order(client)
    response = pay_with(client, order, "wechat", "qr", lang="ru")
    attempt = latest_attempt()
    assert response.headers["Location"] == f"/orders/{order.number}/wallet/{attempt.id}"
    page = text(client.get(response.headers["Location"] + "?lang=ru"))
    details = checkout.details(attempt)
    assert "<svg" in page and f"http://localhost/wallet/pay/{details.token}" in page
    assert "Код действует ещё 1 час." in page and 'hx-trigger="every 2s"' in page
    assert "Отсканируйте код приложением кошелька в стиле WeChat Pay" in page
    wallet_trades.pay(details.token, RU, "111111")
    fragment = client.get(f"/orders/{order.number}/wallet/{attempt.id}/status", headers=HX)
    assert fragment.headers["HX-Redirect"] == f"/orders/{order.number}"
    plain = client.get(f"/orders/{order.number}/wallet/{attempt.id}")
    assert plain.status_code == 303 and plain.headers["Location"] == f"/orders/{order.number}"
    assert db.session.scalar(select(Order.status).where(Order.id == order.id)) == states.PAID


def test_expired_qr_offers_a_new_code_while_the_order_is_payable(app, client, demo,
                                                                 monkeypatch):
    shorter = replace(rules(), wallet=replace(rules().wallet,
                                              trade_valid_for=timedelta(minutes=10)))
    monkeypatch.setitem(app.extensions, "topup_rules", shorter)
    order = cn_order(client)
    pay_with(client, order, "alipay", "qr")
    attempt = latest_attempt()
    clock.freeze(clock.now() + timedelta(minutes=10))
    fragment = client.get(f"/orders/{order.number}/wallet/{attempt.id}/status?lang=en",
                          headers=HX)
    body = text(fragment)
    assert "This code has expired." in body and "Make a new code" in body
    assert "hx-trigger" not in body  # polling stops
    renewed = client.post(f"/orders/{order.number}/wallet/{attempt.id}/renew")
    fresh = latest_attempt()
    assert fresh.id != attempt.id and fresh.status == states.PENDING
    assert renewed.headers["Location"] == f"/orders/{order.number}/wallet/{fresh.id}"
    assert "The code is valid for 10 minutes." in text(client.get(
        renewed.headers["Location"] + "?lang=en"))
    # Once the order itself is over, its page says so instead.
    clock.freeze(order.deadline)
    moved = client.get(f"/orders/{order.number}/wallet/{fresh.id}/status", headers=HX)
    assert moved.headers["HX-Redirect"] == f"/orders/{order.number}"
    assert "has expired" in text(client.get(f"/orders/{order.number}?lang=en"))


def test_pay_another_way_closes_the_trade_and_shows_the_methods(client, demo):
    order = cn_order(client)
    pay_with(client, order, "alipay", "qr")
    attempt = latest_attempt()
    response = client.post(f"/orders/{order.number}/wallet/{attempt.id}/cancel")
    assert response.headers["Location"] == f"/orders/{order.number}"
    assert wallet_trades.query(checkout.details(attempt).trade_no).status == w.TRADE_CLOSED
    assert 'id="card-number"' in text(client.get(f"/orders/{order.number}?method=card"))


def test_a_bad_brand_is_refused_on_the_form(client):
    order = cn_order(client)
    response = pay_with(client, order, "paypal", "h5")
    assert response.status_code == 422
    assert "Choose Alipay-style or WeChat Pay-style." in text(response)
    assert db.session.scalar(select(PaymentAttempt.id)) is None


def test_pages_of_someone_elses_order_are_404(client, app, demo):
    order = cn_order(client)
    pay_with(client, order, "alipay", "qr")
    attempt = latest_attempt()
    stranger = app.test_client()
    for path in (f"/orders/{order.number}/wallet/{attempt.id}",
                 f"/orders/{order.number}/wallet/{attempt.id}/status",
                 f"/orders/{order.number}/wallet/{attempt.id}/go"):
        assert stranger.get(path).status_code == 404
    assert stranger.post(f"/orders/{order.number}/wallet/{attempt.id}/cancel").status_code \
        == 404


def test_notify_endpoint_answers_success_once_verified(client, demo):
    order = cn_order(client)
    pay_with(client, order, "alipay", "h5")
    attempt = latest_attempt()
    trade = wallet_trades.query(checkout.details(attempt).trade_no)
    wallet_notify.fail_next(trade.trade_no, 20)
    wallet_trades.pay(trade.token, CN, "111111")
    body = db.session.scalar(select(WalletTrade.id)) and \
        f'{{"trade_no": "{trade.trade_no}"}}'.encode()
    forged = client.post("/payments/wallet/notify", data=body,
                         headers={"X-Wallet-Timestamp": "1", "X-Wallet-Signature": "x"})
    assert (forged.status_code, text(forged)) == (403, "fail")
    assert latest_attempt().status == states.PENDING
    answer = client.post("/payments/wallet/notify", data=body,
                         headers=wallet_notify.signed_headers(body),
                         content_type="application/json")
    assert (answer.status_code, text(answer)) == (200, "success")
    assert latest_attempt().status == states.SUCCEEDED


def test_sandbox_dispute_refunds_a_wallet_payment(client, demo):
    order = goods_order(client)
    pay_with(client, order, "wechat", "h5")
    attempt = latest_attempt()
    wallet_trades.pay(checkout.details(attempt).token, RU, "111111")
    page = text(client.get(f"/orders/{order.number}?lang=en"))
    assert "Sandbox: the payer wins a dispute (refund to the wallet)" in page
    client.post(f"/orders/{order.number}/wallet/dispute")
    assert wallets.find(RU, w.WECHAT, "RUB").balance() == 1000000
    page = text(client.get(f"/orders/{order.number}?lang=en"))
    assert "WeChat Pay-style wallet" in page and "+7 903 123-45-67" in page


def test_kiosk_embeds_the_qr_partial(app, client, demo):
    from flask import render_template_string

    order = cn_order(client)
    pay_with(client, order, "alipay", "qr")
    attempt = latest_attempt()
    with app.test_request_context("/?lang=zh"):
        html = render_template_string(
            '{% with qr=wallet_qr(attempt) %}{% include "wallet/_qr.html" %}{% endwith %}',
            attempt=attempt)
    assert "<svg" in html and "请使用仿支付宝扫一扫付款" in html
    assert mine(client, order)
