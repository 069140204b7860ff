"""Wallet payments in Chromium (SPEC §3.3), walked like a person:

1. a China Mobile top-up paid on a phone with the Alipay-style cashier, in Chinese, by touch;
2. a Russian goods order paid by a WeChat Pay-style QR code at desktop size: a second page
   (the "phone") opens the code's URL and pays, and the first page moves on by itself;
3. a QR code that expires while the order can still be paid: "make a new code".
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from webapp.clock import clock
from webapp.extensions import db
from webapp.services import wallets

from .conftest import ARTIFACTS
from .test_mobile_flow import GOODS_ORDER_URL
from .test_topup_flow import ORDER_URL, choose_amount, place_order, start_topup, text

DESKTOP = {"width": 1280, "height": 900}
WAITING_URL = re.compile(r"/orders/[\w-]+/wallet/\d+$")
# Time left is rounded down and real seconds pass: 10 minutes reads "10" or "9 minutes".
VALID_FOR_10 = re.compile(r"The code is valid for (10|9) minutes")


@pytest.fixture(scope="module", autouse=True)
def demo_wallets(live_server):
    with live_server.app.app_context():
        wallets.seed_demo()
        db.session.remove()


def tap(page, digits: str) -> None:
    for digit in digits:
        page.locator(".pin-pad").get_by_role("button", name=digit, exact=True).tap()


def test_cn_topup_paid_on_a_phone_with_the_alipay_style_cashier(open_page, live_server):
    page = open_page(locale="zh-CN", has_touch=True, is_mobile=True)
    start_topup(page, live_server.url, "CN", "zh", "138 1234 5678", "china_mobile")
    choose_amount(page, "10000")
    number = place_order(page)
    # China: the wallet comes first, chosen already.
    wallet = page.locator("section.pay-wallet")
    expect(wallet).to_be_visible()
    expect(page.locator("#card-number")).to_have_count(0)
    wallet.get_by_role("button", name="仿支付宝付款", exact=True).tap()

    # The wallet's own cashier: its colours, the shop's name, the order, the amount.
    page.wait_for_url(re.compile(r"/wallet/pay/[\w-]+"))
    expect(page.locator("body")).to_have_class(re.compile(r"brand-alipay"))
    expect(page.locator(".wallet-name")).to_have_text("仿支付宝")
    expect(page.locator(".merchant")).to_have_text("Topup Sandbox")
    expect(page.locator(".cashier-amount")).to_have_text("¥98")
    expect(page.locator(".summary")).to_contain_text(number)
    expect(page.get_by_label("钱包账号（手机号）")).to_have_value("138 1234 5678")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "wallet-cashier-zh.png"), full_page=True)
    tap(page, "111111")  # the sixth digit pays

    # Back at the shop, which asked the wallet rather than trusting the redirect.
    page.wait_for_url(ORDER_URL)
    expect(page.locator(".status-credited")).to_be_visible()
    receipt = text(page.locator("section.receipt"))
    assert "仿支付宝钱包" in receipt and "138 1234 5678" in receipt and "¥98" in receipt
    with live_server.app.app_context():
        assert wallets.find("+8613812345678", "alipay", "CNY").balance() < 500000
        db.session.remove()


def test_ru_goods_paid_by_a_wechat_style_qr_from_a_second_page(open_page, live_server):
    desk = open_page(locale="ru-RU", viewport=DESKTOP)
    desk.goto(f"{live_server.url}/shop/RU?lang=ru")
    desk.locator("form", has=desk.locator('input[name="product"][value="phone-case"]')) \
        .get_by_role("button").click()
    desk.wait_for_url(GOODS_ORDER_URL)
    # Russia: the card first; the wallet after it, one tab away.
    expect(desk.locator("#card-number")).to_be_visible()
    desk.locator("nav.method-chooser").get_by_text("Кошелёк в стиле Alipay / WeChat Pay").click()
    qr_button = desk.get_by_role("button", name="QR-код кошелька в стиле WeChat Pay")
    expect(qr_button).to_be_visible()
    qr_button.click()

    desk.wait_for_url(WAITING_URL)
    figure = desk.locator("figure.wallet-qr")
    expect(figure.locator("svg")).to_be_visible()
    expect(figure).to_contain_text(re.compile(r"Код действует ещё (1 час|59 минут)"))
    ARTIFACTS.mkdir(exist_ok=True)
    desk.screenshot(path=str(ARTIFACTS / "wallet-qr-ru.png"), full_page=True)
    cashier_url = figure.locator("a.qr-link").get_attribute("href")

    # The "phone" scans the code: the same cashier, paid there.
    phone = open_page(locale="ru-RU", has_touch=True, is_mobile=True)
    phone.goto(cashier_url)
    expect(phone.locator(".wallet-name")).to_have_text("Кошелёк в стиле WeChat Pay")
    expect(phone.locator(".cashier-amount")).to_have_text("200 ₽")
    phone.get_by_label("Аккаунт кошелька (номер телефона)").fill("903 123-45-67")
    tap(phone, "111111")
    expect(phone.get_by_role("heading", name="Оплата прошла")).to_be_visible()

    # The desktop page moves on by itself (it polls every 2 s).
    desk.wait_for_url(GOODS_ORDER_URL, timeout=15_000)
    expect(desk.locator("section.receipt")).to_contain_text("Кошелёк в стиле WeChat Pay")
    expect(desk.locator("section.receipt")).to_contain_text("+7 903 123-45-67")


def test_an_expired_qr_code_and_a_new_one(open_page, live_server, monkeypatch):
    # A code valid 10 minutes (the data file says 2 h), so that it ends before the order.
    current = live_server.app.extensions["topup_rules"]
    shorter = replace(current, wallet=replace(current.wallet,
                                              trade_valid_for=timedelta(minutes=10)))
    monkeypatch.setitem(live_server.app.extensions, "topup_rules", shorter)
    desk = open_page(locale="en-US", viewport=DESKTOP)
    start_topup(desk, live_server.url, "CN", "en", "130 1234 5678", "china_unicom")
    choose_amount(desk, "5000")
    place_order(desk)
    desk.get_by_role("button", name="Show a WeChat Pay-style QR code").click()
    desk.wait_for_url(WAITING_URL)
    expect(desk.locator("figure.wallet-qr")).to_contain_text(VALID_FOR_10)
    first_url = desk.url

    with live_server.app.app_context():
        clock.advance(timedelta(minutes=10))
        db.session.remove()
    # The next poll finds it expired: it says so and stops polling; a new code can be made.
    expect(desk.get_by_text("This code has expired.")).to_be_visible(timeout=10_000)
    expect(desk.locator("figure.wallet-qr svg")).to_have_count(0)
    desk.get_by_role("button", name="Make a new code").click()
    desk.wait_for_url(WAITING_URL)
    assert desk.url != first_url
    expect(desk.locator("figure.wallet-qr svg")).to_be_visible()
    expect(desk.locator("figure.wallet-qr")).to_contain_text(VALID_FOR_10)
