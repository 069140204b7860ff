"""The top-up flow in a real browser, walked like a person: type, click tiles, pay by card.

Selectors are names, ids and roles rather than words (the catalogs may still be filling in),
but every test reads at least one thing Babel formatted for the page's language.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import ARTIFACTS, PHONE

pytestmark = pytest.mark.e2e

ORDER_URL = re.compile(r"/orders/(T-\d{6}-\d{6})$")
ORDER_NUMBER = re.compile(r"T-\d{6}-\d{6}")


def text(locator) -> str:
    """Visible text with Babel's non-breaking spaces made plain."""
    return locator.inner_text().replace("\u00a0", " ").replace("\u202f", " ")


def assert_no_horizontal_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at a {PHONE['width']}px screen"


def tile(page: Page, name: str, value: str):
    """The label (the visible tile) wrapping the hidden radio name=value."""
    return page.locator("label.tile").filter(
        has=page.locator(f'input[name="{name}"][value="{value}"]'))


def radio(page: Page, name: str, value: str):
    return page.locator(f'input[name="{name}"][value="{value}"]')


def start_topup(page: Page, base: str, market: str, lang: str, phone: str,
                operator: str) -> None:
    """Open the top-up screen, type the number and wait for htmx to pre-select its operator."""
    page.goto(f"{base}/topup/{market}?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", {"zh": "zh-Hans"}.get(lang, lang))
    page.locator("#phone").click()
    page.locator("#phone").press_sequentially(phone, delay=20)
    expect(radio(page, "operator", operator)).to_be_checked()
    expect(page.locator("#phone-help")).to_contain_text(
        "+7" if market == "RU" else "+86")


def choose_amount(page: Page, value: str) -> None:
    tile(page, "amount", value).click()
    expect(radio(page, "amount", value)).to_be_checked()
    # The swap after the change brings the total to pay.
    expect(page.locator("#details .total")).to_be_visible()


def place_order(page: Page) -> str:
    """Press the form's only button and land on the order page; returns the order number."""
    page.locator("#topup-form").get_by_role("button").click()
    page.wait_for_url(ORDER_URL)
    number = ORDER_URL.search(page.url).group(1)
    expect(page.locator("h1.order-no")).to_contain_text(number)
    return number


def open_card_form(page: Page) -> None:
    """The card's form on the order page: China opens on the wallet (SPEC §3.3), the card is
    one tab away; Russia opens on the card."""
    if not page.locator("form.pay-card").is_visible():
        page.locator('nav.method-chooser a[href*="method=card"]').click()
    expect(page.locator("form.pay-card")).to_be_visible()


def pay_by_card(page: Page, number: str, expiry: str = "12/30", cvc: str = "123",
                brand: str | None = None) -> None:
    field = page.locator("#card-number")
    field.fill("")
    field.click()
    field.press_sequentially(number, delay=10)
    if brand is not None:
        expect(page.locator("#card-brand")).to_have_text(brand)
    page.locator("#card-expiry").fill(expiry)
    page.locator("#card-cvc").fill(cvc)
    page.locator("form.pay-card").get_by_role("button").click()


def new_topup(page: Page, base: str) -> str:
    """A Beeline 100 ₽ order in English; returns its number."""
    start_topup(page, base, "RU", "en", "903 123-45-67", "beeline")
    choose_amount(page, "10000")
    return place_order(page)


def test_beeline_topup_in_russian(page: Page, live_server):
    start_topup(page, live_server.url, "RU", "ru", "903 123-45-67", "beeline")
    expect(tile(page, "operator", "beeline")).to_contain_text("Билайн")
    assert_no_horizontal_overflow(page)

    choose_amount(page, "10000")
    # Babel's Russian money format: comma decimals, the sign after a (non-breaking) space.
    assert "100 ₽" in text(tile(page, "amount", "10000"))
    assert "100 ₽" in text(page.locator("#details .total"))
    assert_no_horizontal_overflow(page)

    number = place_order(page)
    assert ORDER_NUMBER.fullmatch(text(page.locator("h1.order-no")).split()[-1])
    # The order number heads the page, before the summary and the card form.
    assert page.locator("main > *").first.evaluate("e => e.classList.contains('order-no')")
    expect(page.locator(".status-awaiting_payment")).to_be_visible()
    deadline = text(page.locator(".deadline"))
    assert re.search(r"\d+ мин", deadline), deadline  # "59 минут", formatted by Babel
    assert "100 ₽" in text(page.locator(".summary .price"))
    assert_no_horizontal_overflow(page)

    pay_by_card(page, "4242 4242 4242 4242", brand="Visa")

    page.wait_for_url(ORDER_URL)
    expect(page.locator(".status-credited")).to_be_visible()
    expect(page.locator("#card-number")).to_have_count(0)
    receipt = page.locator("section.receipt")
    expect(receipt).to_contain_text(number)
    expect(receipt).to_contain_text("•••• 4242")
    assert "100 ₽" in text(receipt)
    assert_no_horizontal_overflow(page)


def test_china_mobile_topup_in_chinese(open_page, live_server):
    page = open_page(locale="zh-CN")
    start_topup(page, live_server.url, "CN", "zh", "138 1234 5678", "china_mobile")
    expect(tile(page, "operator", "china_mobile")).to_contain_text("中国移动")
    assert_no_horizontal_overflow(page)

    hundred = tile(page, "amount", "10000")
    # 满减: 2 元 off from 100 元, shown on the tile before it is even chosen.
    assert "¥100" in text(hundred)
    expect(hundred.locator(".pay")).to_contain_text("¥98")
    choose_amount(page, "10000")
    assert "¥98" in text(page.locator("#details .total"))
    assert_no_horizontal_overflow(page)

    place_order(page)
    expect(page.locator(".summary .price")).to_have_text("¥98")
    open_card_form(page)
    expect(page.locator("form.pay-card").get_by_role("button")).to_contain_text("¥98")
    assert_no_horizontal_overflow(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "checkout-zh.png"), full_page=True)

    # The brand as labels.card_brand names it in Chinese.
    pay_by_card(page, "6200 0000 0000 0005", brand="银联")

    page.wait_for_url(ORDER_URL)
    expect(page.locator(".status-credited")).to_be_visible()
    receipt = page.locator("section.receipt")
    expect(receipt).to_contain_text("•••• 0005")
    receipt_text = text(receipt)
    assert "¥98" in receipt_text and "¥100" in receipt_text, receipt_text
    assert_no_horizontal_overflow(page)


def test_declined_card_then_a_good_one(page: Page, live_server):
    new_topup(page, live_server.url)
    order_url = page.url

    pay_by_card(page, "4000 0000 0000 0002", brand="Visa")

    # Declined: the same order, still payable, with the bank's reason.
    expect(page.get_by_role("alert")).to_contain_text("Your bank declined the payment")
    expect(page.locator(".status-awaiting_payment")).to_be_visible()
    expect(page.locator("#card-number")).to_be_visible()
    expect(page.locator("section.receipt")).to_have_count(0)
    assert page.url == order_url + "/card"  # the POST's answer, no redirect

    pay_by_card(page, "5555 5555 5555 4444", brand="Mastercard")

    page.wait_for_url(order_url)
    expect(page.locator(".status-credited")).to_be_visible()
    expect(page.locator("section.receipt")).to_contain_text("•••• 4444")
    expect(page.get_by_role("alert")).to_have_count(0)


def test_unpaid_order_expires_after_an_hour(page: Page, live_server):
    new_topup(page, live_server.url)
    order_url = page.url
    expect(page.locator(".status-awaiting_payment")).to_be_visible()

    page.goto(f"{live_server.url}/sandbox/")
    page.locator('#clock button[name="step"][value="1h"]').click()
    page.wait_for_url(f"{live_server.url}/sandbox/")
    expect(page.locator("#clock .hint")).to_be_visible()  # "ahead of real time by 1 hour"

    page.goto(order_url)
    expect(page.locator(".status-expired")).to_be_visible()
    expect(page.locator("#card-number")).to_have_count(0)
    expect(page.locator("form.pay-card")).to_have_count(0)
    expect(page.locator(".status-expired a.button")).to_have_attribute(
        "href", re.compile(r"/topup/RU\?.*phone="))

    page.goto(f"{live_server.url}/sandbox/")
    page.locator('#clock button[name="step"][value="reset"]').click()
    page.wait_for_url(f"{live_server.url}/sandbox/")
    expect(page.locator("#clock .hint")).to_have_count(0)


def test_language_switcher_keeps_the_checkout_screen(page: Page, live_server):
    number = new_topup(page, live_server.url)
    path = f"/orders/{number}"
    assert text(page.locator(".summary .price")) == "₽100"  # the ruble sign in English too

    languages = page.get_by_role("navigation", name=re.compile("Language|Язык|语言"))
    languages.get_by_role("link", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    assert page.url.split("?")[0] == live_server.url + path
    expect(page.locator("h1.order-no")).to_contain_text(number)
    assert text(page.locator(".summary .price")) == "₽100"

    page.get_by_role("link", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert page.url.split("?")[0] == live_server.url + path
    assert "100 ₽" in text(page.locator(".summary .price"))

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.split("?")[0] == live_server.url + path
    expect(page.locator("h1.order-no")).to_contain_text(number)
    expect(page.locator("#card-number")).to_be_visible()

    # The choice sticks (cookie): the next screen, without ?lang=, is still in English.
    page.goto(f"{live_server.url}/topup/RU")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_language_switcher_after_a_declined_payment(page: Page, live_server):
    """The page rendered by the card POST switches to its GET page, not to a 405."""
    number = new_topup(page, live_server.url)
    pay_by_card(page, "4000 0000 0000 0002")
    expect(page.get_by_role("alert")).to_be_visible()

    page.get_by_role("link", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    assert page.url.split("?")[0] == f"{live_server.url}/orders/{number}"
    expect(page.locator("#card-number")).to_be_visible()


def test_full_topup_without_javascript(open_page, live_server):
    page = open_page(javascript=False)
    page.goto(f"{live_server.url}/topup/RU?lang=ru")
    page.locator("#phone").click()
    page.locator("#phone").press_sequentially("982 123-45-67", delay=10)
    # No htmx: nothing is pre-selected, the person picks the operator and the amount.
    expect(radio(page, "operator", "mts")).not_to_be_checked()
    tile(page, "operator", "mts").click()
    tile(page, "amount", "20000").click()
    expect(radio(page, "operator", "mts")).to_be_checked()
    expect(radio(page, "amount", "20000")).to_be_checked()

    number = place_order(page)
    expect(page.locator(".status-awaiting_payment")).to_be_visible()
    assert "200 ₽" in text(page.locator(".summary .price"))

    pay_by_card(page, "2200 0000 0000 0004")  # Mir; no live brand badge without JS

    page.wait_for_url(ORDER_URL)
    assert number in page.url
    expect(page.locator(".status-credited")).to_be_visible()
    expect(page.locator("section.receipt")).to_contain_text("•••• 0004")


def test_form_errors_without_javascript_keep_what_was_typed(open_page, live_server):
    """A no-JS submit with a bad amount answers with the form again, nothing lost."""
    page = open_page(javascript=False)
    page.goto(f"{live_server.url}/topup/RU?lang=ru")
    page.locator("#phone").press_sequentially("903 123-45-67", delay=10)
    page.locator("label.tile.other").click()
    page.locator("#other_amount").fill("5")
    page.locator("#topup-form").get_by_role("button").click()

    expect(page.locator("#other_amount")).to_have_attribute("aria-invalid", "true")
    error = page.locator("fieldset.amounts .error")
    expect(error).to_be_visible()
    assert "10 ₽" in text(error)  # the minimum, in Russian money format
    assert "/orders/" not in page.url
    expect(page.locator("#phone")).to_have_value("903 123-45-67")
    expect(page.locator("#other_amount")).to_have_value("5")
    expect(radio(page, "amount", "other")).to_be_checked()
    # The server recognised the number and suggests its operator.
    expect(radio(page, "operator", "beeline")).to_be_checked()
