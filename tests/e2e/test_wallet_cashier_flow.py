"""The wallet's cashier in Chromium (SPEC §3.3): the 6-digit pad used by touch alone, a wrong
password (tries left) then the right one, with and without JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from webapp.extensions import db
from webapp.services import wallet_trades, wallets

CN = "+8613812345678"


@pytest.fixture(scope="module")
def demo_wallets(live_server):
    with live_server.app.app_context():
        wallets.seed_demo()
        db.session.remove()


def new_trade(live_server, ref: str, brand: str = "alipay"):
    with live_server.app.app_context():
        made = wallet_trades.create(wallet_trades.TradeRequest(
            brand=brand, channel="qr", merchant="e2e", merchant_name="Topup Sandbox",
            out_trade_no=ref, order_number=ref, subject="China Mobile 100", amount=9800,
            currency="CNY", order_deadline=datetime.now(UTC) + timedelta(hours=1),
            notify_url="/nowhere", payer_hint=CN))
        db.session.remove()
    return made


def tap(page, digits: str) -> None:
    for digit in digits:
        page.locator(".pin-pad").get_by_role("button", name=digit, exact=True).tap()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_wrong_password_then_the_right_one_by_touch(live_server, demo_wallets, open_page,
                                                     javascript):
    from playwright.sync_api import expect

    made = new_trade(live_server, f"E2E-PAD-{javascript}")
    page = open_page(locale="zh-CN", javascript=javascript, has_touch=True, is_mobile=True)
    page.goto(f"{live_server.url}/wallet/pay/{made.token}?lang=zh")
    expect(page.get_by_text("仿支付宝").first).to_be_visible()
    expect(page.locator(".cashier-amount")).to_have_text("¥98")
    expect(page.get_by_label("钱包账号（手机号）")).to_have_value("138 1234 5678")
    expect(page.get_by_role("button", name="忘记密码？")).to_be_disabled()
    tap(page, "123456")
    expect(page.get_by_role("alert")).to_contain_text("支付密码错误，还可以再试 4 次")
    expect(page.locator("#pin")).to_have_value("")
    tap(page, "11111")
    expect(page.locator("#pin")).to_have_value("11111")
    tap(page, "1")
    expect(page.get_by_role("heading", name="支付成功")).to_be_visible()
    expect(page.locator(".cashier-amount")).to_have_text("¥98")
    with live_server.app.app_context():
        assert wallet_trades.query(made.trade_no).status == "TRADE_SUCCESS"
        db.session.remove()
