"""The wallet's own pages (SPEC §3.3): the cashier with its 6-digit pad (plain posts and htmx),
each refusal, the paid page, the sandbox wallets form and a trade's notifications page."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.clock import clock
from webapp.domain import wallet as w
from webapp.extensions import db
from webapp.models import Wallet, WalletEntry, WalletTrade
from webapp.services import wallet_notify, wallet_trades, wallets

from ..conftest import FIXED_NOW

CN = "+8613812345678"
HX = {"HX-Request": "true"}


@pytest.fixture
def merchant(monkeypatch):
    posts = []

    def answer(url, body, headers):
        posts.append(json.loads(body))
        return wallet_notify.Answer(200, "success")

    monkeypatch.setattr(wallet_notify, "transport", answer)
    return posts


def open_wallet(phone=CN, brand=w.ALIPAY, balance=500000):
    wallets.open_wallet(wallets.NewWallet(phone, brand, "CNY", balance, "111111"))


def trade(brand=w.ALIPAY, channel=w.H5, ref="CN-1001", amount=9800):
    return wallet_trades.create(wallet_trades.TradeRequest(
        brand=brand, channel=channel, merchant="shop", merchant_name="Topup Sandbox",
        out_trade_no=ref, order_number=ref, subject="China Mobile 100", amount=amount,
        currency="CNY", order_deadline=FIXED_NOW + timedelta(hours=1), notify_url="/n",
        return_url="/orders/CN-1001", payer_hint=CN))


def text(response):
    return response.get_data(as_text=True)


def press(client, token, keys, phone=CN, headers=None):
    """Type `keys` on the pad one press at a time, as a finger would; the last response."""
    pin, response = "", None
    for key in keys:
        response = client.post(f"/wallet/pay/{token}", data={"phone": phone, "pin": pin,
                                                             "key": key}, headers=headers)
        if response.status_code == 200 and len(pin) < 5:
            pin += key
    return response


@pytest.mark.parametrize(("brand", "lang", "words"), [
    (w.ALIPAY, "zh", ["仿支付宝", "支付密码", "忘记密码", "¥98"]),
    (w.WECHAT, "en", ["WeChat Pay-style", "Payment password", "Forgot password?", "CN-1001"]),
    (w.ALIPAY, "ru", ["в стиле Alipay", "Платёжный пароль", "CN-1001"]),
])
def test_cashier_page_per_brand_and_language(client, brand, lang, words):
    page = client.get(f"/wallet/pay/{trade(brand).token}?lang={lang}")
    assert page.status_code == 200
    body = text(page)
    for word in words:
        assert word in body
    assert f"brand-{brand}" in body and "Topup Sandbox" in body  # the merchant's name
    assert 'disabled>' in body  # "forgot password" does nothing in the sandbox
    assert "138 1234 5678" in body  # the payer the shop knows, typed in already


def test_unknown_token_is_404(client):
    assert client.get("/wallet/pay/nope").status_code == 404
    assert client.post("/wallet/pay/nope", data={"key": "1"}).status_code == 404


def test_pad_types_digits_and_the_sixth_pays_then_back_to_the_shop(client, merchant):
    open_wallet()
    token = trade().token
    response = client.post(f"/wallet/pay/{token}", data={"phone": CN, "pin": "11", "key": "1"})
    assert response.status_code == 200 and 'value="111"' in text(response)
    response = client.post(f"/wallet/pay/{token}", data={"phone": CN, "pin": "111",
                                                         "action": "back"})
    assert 'value="11"' in text(response)
    response = client.post(f"/wallet/pay/{token}", data={"phone": CN, "pin": "11111",
                                                         "key": "1"})
    assert response.status_code == 303 and response.headers["Location"] == "/orders/CN-1001"
    assert wallets.find(CN, w.ALIPAY, "CNY").balance() == 500000 - 9800
    assert [p["trade_status"] for p in merchant] == ["TRADE_SUCCESS"]
    # The password posted again: no second payment; the cashier shows the paid page.
    again = client.post(f"/wallet/pay/{token}", data={"phone": CN, "pin": "111111",
                                                      "action": "pay"})
    assert again.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(WalletEntry)
                             .where(WalletEntry.kind == "payment")) == 1
    assert client.get(f"/wallet/pay/{token}").headers["Location"].endswith("/done")


def test_htmx_pad_swaps_the_form_and_redirects_with_a_header(client, merchant):
    open_wallet()
    token = trade().token
    response = client.post(f"/wallet/pay/{token}", data={"phone": CN, "pin": "", "key": "5"},
                           headers=HX)
    body = text(response)
    assert body.lstrip().startswith('<form id="pad"') and "<html" not in body
    response = client.post(f"/wallet/pay/{token}", data={"phone": CN, "pin": "11111",
                                                         "key": "1"}, headers=HX)
    assert response.headers["HX-Redirect"] == "/orders/CN-1001"


def test_qr_payment_ends_on_the_wallets_paid_page(client, merchant):
    open_wallet()
    token = trade(channel=w.QR).token
    response = client.post(f"/wallet/pay/{token}?lang=zh",
                           data={"phone": CN, "pin": "111111", "action": "pay"})
    assert response.headers["Location"] == f"/wallet/pay/{token}/done"
    page = client.get(f"/wallet/pay/{token}/done?lang=zh")
    assert "支付成功" in text(page) and "¥98" in text(page)


def test_wrong_password_says_tries_left_then_locked(client, merchant):
    open_wallet()
    token = trade().token
    data = {"phone": CN, "pin": "222222", "action": "pay"}
    response = client.post(f"/wallet/pay/{token}?lang=en", data=data)
    assert response.status_code == 422
    assert "Wrong payment password. 4 tries left" in text(response)
    assert 'value="222222"' not in text(response)  # the pad starts again empty
    for _ in range(3):
        client.post(f"/wallet/pay/{token}", data=data)
    response = client.post(f"/wallet/pay/{token}?lang=ru", data=data)
    assert response.status_code == 409 and "30 минут" in text(response)
    response = client.post(f"/wallet/pay/{token}?lang=zh", data={**data, "pin": "111111"})
    assert response.status_code == 409 and "锁定" in text(response)
    assert wallets.find(CN, w.ALIPAY, "CNY").balance() == 500000


def test_one_try_left_in_russian(client, merchant):
    open_wallet()
    token = trade().token
    for _ in range(3):
        client.post(f"/wallet/pay/{token}", data={"phone": CN, "pin": "2" * 6,
                                                  "action": "pay"})
    response = client.post(f"/wallet/pay/{token}?lang=ru", data={"phone": CN, "pin": "2" * 6,
                                                                "action": "pay"})
    assert "осталась 1 попытка" in text(response)


def test_insufficient_balance_names_both_amounts_and_the_way_back(client, merchant):
    open_wallet(balance=9799)
    token = trade().token
    response = client.post(f"/wallet/pay/{token}?lang=en",
                           data={"phone": CN, "pin": "111111", "action": "pay"})
    assert response.status_code == 402
    body = text(response)
    assert "Not enough money" in body and "97.99" in body and "98" in body
    assert 'href="/orders/CN-1001"' in body


def test_no_wallet_and_bad_number(client, merchant):
    token = trade().token
    response = client.post(f"/wallet/pay/{token}?lang=en",
                           data={"phone": CN, "pin": "111111", "action": "pay"})
    assert response.status_code == 422 and "has no Alipay-style wallet in CNY" in text(response)
    response = client.post(f"/wallet/pay/{token}?lang=en",
                           data={"phone": "123", "pin": "111111", "action": "pay"})
    assert "Enter the mobile number of your wallet." in text(response)


def test_expired_and_closed_and_paid_by_another(client, merchant):
    open_wallet()
    open_wallet(phone="+8613012345678")
    token = trade().token
    clock.freeze(FIXED_NOW + timedelta(hours=1))
    page = client.get(f"/wallet/pay/{token}?lang=en")
    assert "This payment code has expired" in text(page) and 'name="key"' not in text(page)
    response = client.post(f"/wallet/pay/{token}?lang=en",
                           data={"phone": CN, "pin": "111111", "action": "pay"})
    assert response.status_code == 409 and "expired" in text(response)
    clock.freeze(FIXED_NOW)
    closed = trade(ref="CN-1002")
    wallet_trades.close(closed.trade_no)
    db.session.commit()
    assert "closed by the shop" in text(client.get(f"/wallet/pay/{closed.token}?lang=en"))
    paid = trade(ref="CN-1003")
    wallet_trades.pay(paid.token, CN, "111111")
    response = client.post(f"/wallet/pay/{paid.token}?lang=en",
                           data={"phone": "+8613012345678", "pin": "111111", "action": "pay"})
    assert response.status_code == 409 and "already been paid" in text(response)


def test_sandbox_form_creates_a_wallet_of_any_balance(client):
    response = client.post("/wallet/sandbox/wallets", data={
        "phone": "139 1234 5679", "brand": "wechat", "currency": "CNY", "balance": "12 345,67",
        "password": "654321"})
    assert response.status_code == 303
    assert wallets.find("+8613912345679", w.WECHAT, "CNY").balance() == 1234567
    page = text(client.get("/wallet/sandbox/?lang=zh"))
    assert "仿微信支付" in page and "¥12,345.67" in page
    response = client.post("/wallet/sandbox/wallets?lang=en", data={
        "phone": "139 1234 5679", "brand": "wechat", "currency": "CNY", "balance": "1",
        "password": "654321"})
    assert response.status_code == 409 and "already has a wallet" in text(response)
    response = client.post("/wallet/sandbox/wallets?lang=en", data={
        "phone": "12", "brand": "alipay", "currency": "RUB", "balance": "-1",
        "password": "12"})
    body = text(response)
    assert response.status_code == 422 and "6 digits" in body and "0 or more" in body
    assert db.session.scalar(select(func.count()).select_from(Wallet)) == 1


def test_sandbox_lock_button(client):
    open_wallet()
    wallet = wallets.find(CN, w.ALIPAY, "CNY")
    client.post(f"/wallet/sandbox/wallets/{wallet.id}/lock")
    db.session.refresh(wallet)
    assert wallet.locked_until == FIXED_NOW + timedelta(minutes=30)
    assert "30" in text(client.get("/wallet/sandbox/?lang=en"))


def test_trade_page_lists_notifications_and_fails_the_endpoint_n_times(client, merchant):
    open_wallet()
    made = trade()
    client.post(f"/wallet/sandbox/trades/{made.trade_no}/fail", data={"times": "2"})
    wallet_trades.pay(made.token, CN, "111111")
    page = text(client.get(f"/wallet/sandbox/trades/{made.trade_no}?lang=en"))
    assert "TRADE_SUCCESS" in page and "503" in page and "waiting for a retry" in page
    assert "Next post in 15 seconds" in page
    fragment = text(client.get(f"/wallet/sandbox/trades/{made.trade_no}", headers=HX))
    assert fragment.lstrip().startswith('<section id="notifications"')
    clock.freeze(FIXED_NOW + timedelta(seconds=15))
    client.post(f"/wallet/sandbox/trades/{made.trade_no}/settle")
    clock.freeze(FIXED_NOW + timedelta(seconds=30))
    client.post(f"/wallet/sandbox/trades/{made.trade_no}/settle")
    page = text(client.get(f"/wallet/sandbox/trades/{made.trade_no}?lang=en"))
    assert page.count("HTTP 503") == 2 and "HTTP 200 · success" in page
    assert "∅ → WAIT_BUYER_PAY" in page and "WAIT_BUYER_PAY → TRADE_SUCCESS" in page
    assert "answered success" in page
    assert len(merchant) == 1
    response = client.post(f"/wallet/sandbox/trades/{made.trade_no}/fail", data={"times": "x"})
    assert response.status_code == 303


def test_sandbox_pages_absent_outside_sandbox(client_with):
    other = client_with(SANDBOX=False, SECRET_KEY="x" * 40)
    assert other.get("/wallet/sandbox/").status_code == 404
    made = trade()
    assert other.get(f"/wallet/sandbox/trades/{made.trade_no}").status_code == 404
    assert other.get(f"/wallet/pay/{made.token}").status_code == 200
    assert "111111" not in other.get(f"/wallet/pay/{made.token}").get_data(as_text=True)


def test_cashier_never_shows_a_trade_by_its_order_number(client):
    made = trade()
    assert client.get(f"/wallet/pay/{made.out_trade_no}").status_code == 404
    assert client.get(f"/wallet/pay/{made.trade_no}").status_code == 404
    assert len(db.session.scalar(select(WalletTrade.token))) >= 32


def test_htmx_refusal_is_a_swappable_fragment(client, merchant):
    open_wallet()
    token = trade().token
    response = client.post(f"/wallet/pay/{token}?lang=en", data={
        "phone": CN, "pin": "22222", "key": "2"}, headers=HX)
    assert response.status_code == 200  # htmx swaps only a 2xx answer
    assert "4 tries left" in text(response) and "<html" not in text(response)


def test_trade_page_shows_the_qr_of_a_waiting_trade(client):
    made = trade(channel=w.QR)
    page = text(client.get(f"/wallet/sandbox/trades/{made.trade_no}?lang=zh"))
    assert '<svg' in page and 'class="qr-svg"' in page and "style=" not in page.split("<svg")[1]
    assert f"/wallet/pay/{made.token}" in page and "付款码1小时内有效" in page
    assert "请使用仿支付宝扫一扫付款" in page


def test_qr_partial_once_expired_offers_a_new_code_only_where_one_can_be_made(app):
    from flask import render_template

    from webapp.views.wallet_qr import qr_for

    made = trade()
    with app.test_request_context("/?lang=en"):
        qr = qr_for(made.token, w.WECHAT, made.expires_at, now=made.expires_at)
        assert qr.expired and qr.left == timedelta(0)
        html = render_template("wallet/_qr.html", qr=qr, renew_url="/renew")
        assert "This code has expired." in html and 'action="/renew"' in html
        assert "<svg" not in html
        assert 'action="/renew"' not in render_template("wallet/_qr.html", qr=qr)
        live = qr_for(made.token, w.WECHAT, made.expires_at,
                      now=made.expires_at - timedelta(minutes=10))
        assert live.url.endswith(f"/wallet/pay/{made.token}") and live.url.startswith("http")
        assert "10 minutes" in render_template("wallet/_qr.html", qr=live)
