"""The wallet QR on a kiosk in Chromium at 1080×1920 (SPEC §3.3, §7): a CN top-up in Chinese
paid by scanning the kiosk's QR with a "phone" (a second page on the code's URL); the kiosk
reaches its result and receipt by itself. Every wallet screen is measured like the kiosk's
other steps, and photographed in ru, en and zh."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from webapp.clock import clock
from webapp.extensions import db
from webapp.models import KioskSession
from webapp.services import wallets

from .conftest import ARTIFACTS
from .test_kiosk_flow import CN, KIOSK, RU, kiosk_page, measure, step, text, touch, type_number
from .test_wallet_flow import tap


@pytest.fixture(scope="module", autouse=True)
def demo_wallets(live_server):
    with live_server.app.app_context():
        wallets.seed_demo()
        db.session.remove()


def to_method(page, lang, operator, digits, country, amount=None):
    """From the attract screen to the methods for the first amount tile (or `amount`)."""
    page.locator(f"button[name=lang][value={lang}]").click()
    touch(page, "operator", operator)
    type_number(page, digits, country)
    touch(page, "next")
    step(page, "amount")
    touch(page, "amount", amount or page.locator(
        "form.touch:has(input[value=amount]) input[name=value]").first.get_attribute("value"))
    step(page, "method")


def test_a_cn_wallet_qr_top_up_in_chinese(open_page, live_server):
    page = kiosk_page(open_page, live_server, CN)
    to_method(page, "zh", "china_mobile", "13812345678", "86", amount="10000")
    # China: the wallet's two brands come first, then cash and the card.
    values = page.locator("form.touch:has(input[name=action][value=method]) input[name=value]")
    assert [values.nth(i).get_attribute("value") for i in range(values.count())] == \
        ["wallet:alipay", "wallet:wechat", "cash", "card"]
    measure(page, "zh method with the wallet")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kiosk-wallet-methods-zh.png"))
    touch(page, "method", "wallet:alipay")
    step(page, "wallet")
    figure = page.locator("figure.wallet-qr")
    expect(figure.locator("svg.qr-svg")).to_be_visible()
    expect(figure).to_contain_text("请使用仿支付宝扫一扫付款")
    expect(page.locator("h1")).to_have_text("仿支付宝付款")
    box = figure.locator(".qr-frame").bounding_box()
    assert box["width"] >= 540 and box["height"] >= 540, box  # big enough to scan
    measure(page, "zh wallet QR")

    # The "phone" scans the code: the wallet's cashier, paid with the password by touch.
    url = figure.locator("a.qr-link").get_attribute("href")
    assert re.search(r"/wallet/pay/[\w-]+$", url)
    phone = open_page(locale="zh-CN", has_touch=True, is_mobile=True)
    phone.goto(url)
    expect(phone.locator(".wallet-name")).to_have_text("仿支付宝")
    expect(phone.locator(".cashier-amount")).to_have_text("¥100")
    phone.get_by_label("钱包账号（手机号）").fill("138 1234 5678")
    tap(phone, "111111")
    expect(phone.locator(".paid-box")).to_be_visible()

    # The kiosk moves on by itself (its screen asks every 2 s), to the result and receipt.
    step_result = page.locator("#screen.step-result")
    expect(step_result).to_be_visible(timeout=15_000)
    assert "¥100" in text(page.locator(".result"))
    assert "+86 138 1234 5678" in text(page.locator(".result"))
    measure(page, "zh wallet result")
    touch(page, "receipt")
    step(page, "receipt")
    receipt = text(page.locator("#receipt"))
    for expected in ("终端", CN, "+86 138 1234 5678", "中国移动", "¥100",
                     "仿支付宝钱包 +86 138 **** 5678", "10086"):
        assert expected in receipt, expected
    measure(page, "zh wallet receipt")
    one_page(page, "zh")
    touch(page, "finish")
    step(page, "attract")


def one_page(page, lang) -> None:
    """The receipt, with its wallet line, still prints on one 80 mm page."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"kiosk-wallet-receipt-{lang}.png"))
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1


def test_a_ru_wallet_receipt_in_russian(open_page, live_server):
    page = kiosk_page(open_page, live_server, RU)
    to_method(page, "ru", "beeline", "9031234567", "7", amount="50000")
    touch(page, "method", "wallet:wechat")
    step(page, "wallet")
    phone = open_page(locale="ru-RU", has_touch=True, is_mobile=True)
    phone.goto(page.locator("figure.wallet-qr a.qr-link").get_attribute("href"))
    expect(phone.locator(".cashier-amount")).to_have_text("500 ₽")
    phone.get_by_label("Аккаунт кошелька (номер телефона)").fill("903 123-45-67")
    tap(phone, "111111")
    expect(page.locator("#screen.step-result")).to_be_visible(timeout=15_000)
    touch(page, "receipt")
    receipt = text(page.locator("#receipt"))
    for expected in ("Кошелёк в стиле WeChat Pay +7 903 *** 4567", "500 ₽", "Билайн", "0611"):
        assert expected in receipt, expected
    measure(page, "ru wallet receipt")
    one_page(page, "ru")


@pytest.mark.parametrize(("lang", "terminal", "operator", "digits", "country", "brand"), [
    ("ru", RU, "beeline", "9031234567", "7", "wechat"),
    ("en", RU, "mts", "9821234567", "7", "alipay"),
    ("zh", CN, "china_unicom", "13012345678", "86", "wechat")])
def test_the_wallet_step_fits_in_every_language(open_page, live_server, lang, terminal,
                                                operator, digits, country, brand):
    page = kiosk_page(open_page, live_server, terminal)
    to_method(page, lang, operator, digits, country)
    touch(page, "method", f"wallet:{brand}")
    step(page, "wallet")
    expect(page.locator("figure.wallet-qr svg")).to_be_visible()
    measure(page, f"{lang} wallet QR")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"kiosk-wallet-{lang}.png"))
    # Pay another way: back on the methods (the trade closed: the seam's tests prove it).
    touch(page, "back")
    step(page, "method")
    assert page.viewport_size == KIOSK


def test_an_expired_code_and_a_new_one_on_the_kiosk(open_page, live_server):
    page = kiosk_page(open_page, live_server, CN)
    to_method(page, "en", "china_telecom", "13312345678", "86")
    touch(page, "method", "wallet:alipay")
    expect(page.locator("figure.wallet-qr svg")).to_be_visible()
    with live_server.app.app_context():  # the order's hour passes; the customer is still here
        clock.advance(timedelta(hours=1))
        db.session.execute(update(KioskSession).where(KioskSession.ended_at.is_(None))
                           .values(last_touch_at=clock.now()))
        db.session.commit()
    # The screen's next look at the wallet finds the code expired, without a touch.
    expect(page.get_by_text("This code has expired.")).to_be_visible(timeout=8_000)
    expect(page.locator("figure.wallet-qr svg")).to_have_count(0)
    measure(page, "en expired code")
    page.screenshot(path=str(ARTIFACTS / "kiosk-wallet-expired-en.png"))
    touch(page, "new_code")
    expect(page.locator("figure.wallet-qr svg")).to_be_visible()
    expect(page.locator("figure.wallet-qr")).to_contain_text("The code is valid for")
