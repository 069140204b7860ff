"""Paying a goods order from the phone balance (SPEC §3.2) in a real browser, at a phone's size:
the demo shop, the live quote, the operator's SMS read on the virtual phone, confirmation by an
SMS reply or by the typed code, the sandbox refund, refusals before any SMS, and the quote
without JavaScript. What is left of the limits, and a refusal's reason, are shown only to a
payer signed in as the number (SPEC §3.2.2); anyone else is told the reason went to the number
by SMS, and the tests read it there.

Each success uses its own demo number once: the live server's database lives for the whole
session, and codes have per-number limits (60 s between codes, 5 an hour).

Sentences are asserted in English only (the ru and zh catalogs may still be filling in); in
Russian and Chinese the tests read what Babel formats (money, numbers) and character classes.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import ARTIFACTS
from .test_codes_flow import (
    SIGN_IN_SENDER,
    bodies,
    open_phone,
    request_sign_in_code,
    submit_code,
    thread,
    wait_for_new_code,
)
from .test_topup_flow import assert_no_horizontal_overflow, radio, text, tile
from .test_trust_flow import sandbox_subscriber

pytestmark = pytest.mark.e2e

GOODS_ORDER_URL = re.compile(r"/orders/(G-\d{6}-\d{6})$")
WAITING_URL = re.compile(r"/orders/G-\d{6}-\d{6}/mobile/\d+$")
LEADING_CODE = re.compile(r"^(\d{6})(?!\d)")
CJK = re.compile(r"[\u4e00-\u9fff]")
SHORT_NUMBERS = {"beeline": "8464", "mts": "6996", "megafon": "117006619", "tele2": "3116"}
HTML_LANG = {"zh": "zh-Hans"}


# --- the shop and the checkout -----------------------------------------------------------------

def sign_in_as(page: Page, base: str, lang: str, typed: str, e164: str) -> None:
    """Sign in as the paying number, reading the code on its virtual phone like a person."""
    phone = open_phone(page, base, e164)
    seen = bodies(phone, SIGN_IN_SENDER).count()
    request_sign_in_code(page, base, lang, typed)
    code = wait_for_new_code(phone, SIGN_IN_SENDER, seen)
    phone.close()
    submit_code(page, code)
    page.wait_for_url(f"{base}/account")


def buy(page: Page, base: str, lang: str, product: str = "phone-case") -> str:
    """Open the Russian shop, press "Buy" on `product` and land on its checkout; returns the
    goods order number."""
    page.goto(f"{base}/shop/RU?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG.get(lang, lang))
    product_form = page.locator("form", has=page.locator(
        f'input[name="product"][value="{product}"]'))
    product_form.get_by_role("button").click()
    page.wait_for_url(GOODS_ORDER_URL)
    number = GOODS_ORDER_URL.search(page.url).group(1)
    expect(page.locator("h1.order-no")).to_contain_text(number)
    # One method at a time: the card's form first, the chooser's link opens this one.
    page.locator('nav.method-chooser a[href*="method=mobile_balance"]').click()
    expect(page.locator("form.pay-mobile")).to_be_visible()
    return number


def mobile_form(page: Page) -> Locator:
    return page.locator("form.pay-mobile")


def choose_operator(page: Page, operator: str) -> None:
    """Tap the operator's tile (a label around a hidden radio)."""
    tile(page, "operator", operator).click()
    expect(radio(page, "operator", operator)).to_be_checked()


def type_number(page: Page, typed: str) -> None:
    field = page.locator("#mobile-phone")
    field.fill("")  # a signed-in payer finds the field filled with their own number
    field.click()
    field.press_sequentially(typed, delay=20)


def quote_values(page: Page) -> list[str]:
    """Amount, commission and total of the live quote, in that order (labels are translated,
    their order is not)."""
    values = page.locator("#mobile-quote dl.summary > dd")
    expect(values).to_have_count(3)
    return [text(value).strip() for value in values.all()]


def wait_for_quote(page: Page, total: str) -> list[str]:
    """Wait until htmx has brought the quote whose total is `total` (typing the number sends a
    quote per pause; only the last one is for the whole number)."""
    expect(page.locator("#mobile-quote dl.summary > dd.price")).to_have_text(
        re.compile(r"^\s*" + re.escape(total).replace(r"\ ", r"\s") + r"\s*$"),
        timeout=10_000)
    return quote_values(page)


def limits_left(page: Page) -> Locator:
    """The lines of the quote saying what is left of the limits after this payment."""
    return page.locator("#mobile-quote .limits li")


def quote_error(page: Page) -> Locator:
    return page.locator("#mobile-quote p.error")


def send_sms_button(page: Page) -> Locator:
    return mobile_form(page).locator("button.primary[type=submit]")


def show_cost_button(page: Page) -> Locator:
    return mobile_form(page).locator("button[type=submit][formaction$='/mobile/quote']")


def send_the_sms(page: Page) -> str:
    """Press "Get a code by SMS" and land on the waiting page; returns its URL."""
    send_sms_button(page).click()
    page.wait_for_url(WAITING_URL)
    expect(page.locator("#code")).to_be_visible()
    expect(page.locator("#mobile-status")).to_be_visible()
    return page.url


def newest_sms(phone: Page, sender: str, order_number: str) -> str:
    """The newest message from `sender` once it is the one about `order_number` (the inbox
    refreshes itself every 3 s)."""
    newest = bodies(phone, sender).first
    expect(newest).to_contain_text(order_number, timeout=15_000)
    return text(newest)


def leading_code(sms: str) -> str:
    match = LEADING_CODE.match(sms.strip())
    assert match, f"the SMS does not start with a 6-digit code: {sms!r}"
    return match.group(1)


def reply_from_phone(phone: Page, to: str, body: str) -> None:
    """Answer the short number with the virtual phone's reply form."""
    phone.bring_to_front()
    form = phone.locator("form.reply")
    phone.locator("#to").fill(to)
    phone.locator("#text").click()
    phone.locator("#text").press_sequentially(body, delay=15)
    with phone.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").click()
    # The reply shows in the conversation with the short number, as the phone's own bubble.
    expect(thread(phone, to).locator(".bubble.mine .body").first).to_have_text(body)


# --- 1. Beeline, confirmed by replying to the SMS, in Russian ---------------------------------

def test_beeline_payment_confirmed_by_sms_reply_in_russian(page: Page, live_server):
    base, digits = live_server.url, "79031234567"
    before, _ = sandbox_subscriber(page, base, digits)
    sign_in_as(page, base, "ru", "903 123-45-67", "+" + digits)

    number = buy(page, base, "ru")
    assert "200 ₽" in text(page.locator("dl.summary .price"))
    form = mobile_form(page)
    expect(form.locator("input[name=operator]")).to_have_count(4)
    expect(page.locator("#mobile-quote dl.summary")).to_have_count(0)  # nothing chosen yet
    assert_no_horizontal_overflow(page)

    choose_operator(page, "beeline")
    type_number(page, "903 123-45-67")
    amount, commission, total = wait_for_quote(page, "207,80 ₽")
    assert (amount, commission, total) == ("200 ₽", "7,80 ₽", "207,80 ₽")
    # What is left of the limits after this payment (sums include the commission):
    # 15 000 ₽ a day, 40 000 ₽ a week and a month, 10 / 20 / 50 payments.
    # One line per period: today, this week, this month.
    lines = [text(line) for line in limits_left(page).all()]
    assert len(lines) == 3, lines
    for line, left, count in zip(lines, ("14 792,20 ₽", "39 792,20 ₽", "39 792,20 ₽"),
                                 (9, 19, 49), strict=True):
        amount_part, count_part = line.split("·")
        assert left in amount_part, lines
        assert re.findall(r"\d+", count_part) == [str(count)], lines
    expect(quote_error(page)).to_have_count(0)
    assert_no_horizontal_overflow(page)
    ARTIFACTS.mkdir(exist_ok=True)
    # caret="initial": hiding the caret writes style attributes the page's CSP reports on
    # htmx's next swap.
    page.screenshot(path=str(ARTIFACTS / "mobile-checkout-ru.png"), full_page=True,
                    caret="initial")

    waiting_url = send_the_sms(page)
    summary = text(page.locator("section.card-box dl.summary"))
    assert number in summary and "7,80 ₽" in summary and "207,80 ₽" in summary, summary
    assert "8464" in text(page.locator("section.card-box > p").first)
    assert_no_horizontal_overflow(page)

    # The virtual phone, a second page of the same context: the operator's SMS.
    phone = open_phone(page, base, "+" + digits)
    sms = newest_sms(phone, SHORT_NUMBERS["beeline"], number)
    code = leading_code(sms)
    assert "200 ₽" in sms and "7,80 ₽" in sms and "8464" in sms, sms
    assert_no_horizontal_overflow(phone)

    reply_from_phone(phone, SHORT_NUMBERS["beeline"], code)
    page.bring_to_front()
    assert page.url == waiting_url
    # Nobody touches the first page: its poll takes it to the order once the payment is in.
    page.wait_for_url(f"{base}/orders/{number}", timeout=15_000)
    expect(page.locator("#status.status-paid")).to_be_visible()
    expect(page.locator("form.pay-mobile")).to_have_count(0)
    expect(page.locator("form.pay-card")).to_have_count(0)
    receipt = page.locator("section.receipt")
    expect(receipt).to_contain_text(number)
    expect(receipt).to_contain_text("+7 903 123-45-67")
    receipt_values = [text(dd).strip() for dd in receipt.locator("dd").all()]
    assert "7,80 ₽" in receipt_values, receipt_values  # the commission
    assert "200 ₽" in receipt_values, receipt_values  # the price paid
    assert_no_horizontal_overflow(page)

    # Debited once, the commission included.
    after, _ = sandbox_subscriber(page, base, digits)
    assert before - after == Decimal("207.80"), (before, after)
    phone.close()


# --- 2. MTS, confirmed by typing the code, in English; then refunded to the wallet ------------

def test_mts_payment_by_typed_code_then_refund_in_english(open_page, live_server):
    base, digits = live_server.url, "79826543210"
    page = open_page(locale="en-US")
    before, _ = sandbox_subscriber(page, base, digits)
    sign_in_as(page, base, "en", "982 654-32-10", "+" + digits)

    number = buy(page, base, "en")
    expect(mobile_form(page).get_by_role("heading", level=2)).to_have_text(
        "Pay from the phone balance")
    choose_operator(page, "mts")
    type_number(page, "982 654-32-10")
    amount, commission, total = wait_for_quote(page, "₽200")
    assert (amount, commission, total) == ("₽200", "₽0", "₽200")
    expect(page.locator("#mobile-quote dl.summary")).to_contain_text("MTS fee")
    # MTS: 30 000 ₽ and 5 payments a day, 40 000 ₽ a month, no weekly limit.
    expect(limits_left(page)).to_have_text([
        re.compile(r"^\s*Left today after this payment: ₽29,800 · 4 payments\s*$"),
        re.compile(r"^\s*This month: ₽39,800\s*$")])
    expect(show_cost_button(page)).to_have_text("Show the cost")
    expect(send_sms_button(page)).to_have_text("Get a code by SMS")
    assert_no_horizontal_overflow(page)

    waiting_url = send_the_sms(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm by SMS")
    expect(page.locator("section.card-box > p").first).to_have_text(
        "MTS sent an SMS to +7 982 654-32-10 from 6996. Reply to it with the code, or type "
        "the code here.")
    expect(page.locator("#mobile-status")).to_have_text("Waiting for your reply…")

    phone = open_phone(page, base, "+" + digits)
    sms = newest_sms(phone, SHORT_NUMBERS["mts"], number)
    code = leading_code(sms)
    assert sms == (f"{code}: reply with this code to 6996 to pay ₽200 plus a fee of "
                   f"₽0 for order {number} from your balance. If you did not ask for "
                   "this, do not reply."), sms

    page.bring_to_front()
    assert page.url == waiting_url
    submit_code(page, code)
    page.wait_for_url(f"{base}/orders/{number}")
    expect(page.locator("#status.status-paid")).to_have_text("Paid. Thank you for your order!")
    receipt = page.locator("section.receipt")
    expect(receipt).to_contain_text("Phone balance +7 982 654-32-10")
    receipt_values = [text(dd).strip() for dd in receipt.locator("dd").all()]
    assert "₽0" in receipt_values and "₽200" in receipt_values, receipt_values
    assert_no_horizontal_overflow(page)

    paid, _ = sandbox_subscriber(page, base, digits)
    assert before - paid == Decimal("200.00"), (before, paid)

    # The payer wins a dispute: the sandbox refunds the order to the number's wallet.
    page.goto(f"{base}/orders/{number}?lang=en")
    refund = receipt.get_by_role(
        "button", name="Sandbox: the payer wins a dispute (refund to the wallet)")
    refund.click()
    page.wait_for_url(f"{base}/orders/{number}")
    expect(page.locator("#status.status-refunded")).to_have_text(
        "After a dispute this order was refunded to the wallet of the number that paid.")
    expect(receipt.get_by_role("button", name=re.compile("dispute"))).to_have_count(0)
    assert_no_horizontal_overflow(page)

    # The refund went to the wallet, not back to the phone balance.
    refunded, _ = sandbox_subscriber(page, base, digits)
    assert refunded == paid, (paid, refunded)
    phone.close()


# --- 3. two refusals in Chinese: the page says the number got the reason, and it did ----------

def refusal(page: Page, base: str, operator: str, typed: str) -> tuple[str, str]:
    """A new order for the phone case, the operator and number: (the refusal in the live
    quote, the refusal after pressing "Get a code by SMS" anyway)."""
    buy(page, base, "zh")
    choose_operator(page, operator)
    type_number(page, typed)
    live = quote_error(page)
    expect(live).to_contain_text("短信")  # "…the reason has been sent to the number by SMS"
    expect(live).to_have_attribute("role", "alert")
    shown = text(live).strip()
    expect(limits_left(page)).to_have_count(0)  # a stranger never sees the limits
    order_url = page.url.split("?")[0]  # the order, without the chooser's ?method=

    send_sms_button(page).click()  # the form comes back (422) with the same message
    page.wait_for_url(re.compile(r"/orders/G-\d{6}-\d{6}/mobile$"))
    assert page.url == order_url + "/mobile"
    expect(quote_error(page)).to_be_visible()
    expect(page.locator("#mobile-phone")).to_have_value(typed)
    expect(radio(page, "operator", operator)).to_be_checked()
    expect(page.locator("#code")).to_have_count(0)
    assert_no_horizontal_overflow(page)
    return shown, text(quote_error(page)).strip()


def test_two_refusals_in_chinese_go_to_the_number_by_sms(open_page, live_server):
    base = live_server.url
    page = open_page(locale="zh-CN")

    # MTS has switched mobile payments off on the number; Beeline's daily limit is reached.
    banned, sent = refusal(page, base, "mts", "987 123-45-67")
    assert CJK.search(banned) and "0890" not in banned, banned
    assert sent == banned, (banned, sent)
    limit, sent = refusal(page, base, "beeline", "903 700-00-20")
    assert "15,000" not in limit and sent == limit, (limit, sent)
    # Nothing on the page tells one refusal from the other.
    assert limit == banned, (banned, limit)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "mobile-private-refusal-zh.png"), full_page=True,
                    caret="initial")

    # Each number got its reason once, in Chinese, from its operator; no code was sent.
    for digits, operator, sender, reason in (
            ("79871234567", "mts", "MTS", "0890"),
            ("79037000020", "beeline", "Beeline", "15,000")):
        page.goto(f"{base}/phone/{digits}?lang=zh")
        expect(page.locator("#inbox")).to_be_attached()
        expect(thread(page, SHORT_NUMBERS[operator])).to_have_count(0)
        expect(bodies(page, sender)).to_have_count(1)
        told = text(bodies(page, sender).first)
        assert reason in told and CJK.search(told), told


# --- 4. without JavaScript, "Show the cost" posts the form and the quote comes back ---------

def test_show_the_cost_without_javascript(open_page, live_server):
    base = live_server.url
    page = open_page(locale="en-US", javascript=False)
    number = buy(page, base, "en")
    order_url = page.url.split("?")[0]  # the order, without the chooser's ?method=

    choose_operator(page, "megafon")  # the label still checks its radio without scripts
    page.locator("#mobile-phone").fill("926 123-45-67")
    expect(page.locator("#mobile-quote dl.summary")).to_have_count(0)  # nobody quoted yet
    with page.expect_navigation(wait_until="load"):
        show_cost_button(page).click()
    assert page.url == f"{base}/orders/{number}/mobile/quote"
    expect(page.locator("h1.order-no")).to_contain_text(number)
    # MegaFon: 1.95 % of 200 ₽.
    assert quote_values(page) == ["₽200", "₽3.90", "₽203.90"]
    expect(page.locator("#mobile-quote")).to_contain_text("MegaFon fee")
    expect(quote_error(page)).to_have_count(0)
    expect(limits_left(page)).to_have_count(0)  # the number's own business: nobody signed in
    # The form comes back as it was typed, ready for "Get a code by SMS".
    expect(page.locator("#mobile-phone")).to_have_value("926 123-45-67")
    expect(radio(page, "operator", "megafon")).to_be_checked()
    expect(send_sms_button(page)).to_be_enabled()
    assert_no_horizontal_overflow(page)

    # A refusal comes back the same way; its reason (Tele2 allows 1 000 ₽ a payment) goes to
    # the number.
    buy(page, base, "en", "earphones")
    choose_operator(page, "tele2")
    page.locator("#mobile-phone").fill("977 123-45-67")
    with page.expect_navigation(wait_until="load"):
        show_cost_button(page).click()
    expect(quote_error(page)).to_have_text(
        "Mobile payment is not available for this number now. The reason has been sent to "
        "the number by SMS.")
    expect(limits_left(page)).to_have_count(0)
    assert quote_values(page)[0] == "₽1,290"
    assert order_url not in page.url
    page.goto(f"{base}/phone/79771234567?lang=en")
    expect(bodies(page, "Tele2").first).to_contain_text(
        "Tele2 allows at most ₽1,000 per payment.")
