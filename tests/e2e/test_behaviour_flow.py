"""What a person meets in a real browser (issue 8, items 15–19): fields that keep what is
typed under a slow network, one choice of card, a refund that says so, pages that stop
waiting and say what to do next; with screenshots of those screens in ru and zh.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, Route, expect

from .conftest import ARTIFACTS
from .test_topup_flow import (
    ORDER_URL,
    assert_no_horizontal_overflow,
    open_card_form,
    place_order,
    radio,
    text,
)

pytestmark = pytest.mark.e2e

LATENCY = 0.4  # seconds added to every htmx answer of the top-up form


def slow_htmx(page: Page) -> list[str]:
    """Delay each htmx request of the top-up form by LATENCY (a phone on a slow network);
    returns the list of delayed URLs, for the test to see that the delay was applied."""
    delayed: list[str] = []

    def handle(route: Route) -> None:
        if route.request.headers.get("hx-request") == "true":
            delayed.append(route.request.url)
            time.sleep(LATENCY)
        route.continue_()

    page.route(re.compile(r"/topup/(RU|CN)\?"), handle)
    return delayed


def screenshot(page: Page, name: str) -> None:
    """A full-page PNG in test-artifacts/. caret="initial": hiding the caret would leave an
    empty style attribute on every input, which htmx then copies on a swap (a CSP report)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, caret="initial")


# --- 15. the other amount keeps what is typed and chooses its tile -----------------------------

def test_other_amount_typed_under_latency_is_kept_and_chosen(page: Page, live_server):
    page.goto(f"{live_server.url}/topup/RU?lang=ru")
    delayed = slow_htmx(page)
    page.locator("#phone").click()
    page.locator("#phone").press_sequentially("903 123-45-67", delay=20)
    # Straight on to the amount, while the number's refresh is still on its way: the answers
    # to the number and to each digit land while the person is typing.
    field = page.locator("#other_amount")
    field.click()
    field.press_sequentially("1500", delay=250)

    expect(field).to_have_value("1500")
    expect(radio(page, "amount", "other")).to_be_checked()
    expect(page.locator("#summary .total")).to_contain_text("1 500 ₽", use_inner_text=True)
    expect(radio(page, "operator", "beeline")).to_be_checked()  # the guess still arrives
    expect(field).to_have_value("1500")  # still, once every answer has landed
    expect(field).to_be_focused()
    assert delayed, "the htmx answers were not delayed"
    assert_no_horizontal_overflow(page)

    place_order(page)
    assert "1 500 ₽" in text(page.locator("dl.summary"))  # the top-up amount


def test_other_amount_too_large_says_so_while_typing(page: Page, live_server):
    page.goto(f"{live_server.url}/topup/RU?lang=en")
    slow_htmx(page)
    page.locator("#phone").press_sequentially("903 123-45-67", delay=10)
    field = page.locator("#other_amount")
    field.click()
    field.press_sequentially("99999", delay=60)

    expect(radio(page, "amount", "other")).to_be_checked()
    errors = page.locator("#amount-errors")
    expect(errors).to_contain_text("The amount is above the maximum of ₽1,500.")
    expect(page.locator("#summary .total")).to_have_count(0)
    expect(field).to_have_value("99999")

    # Placing it anyway answers with the same reason, not "Choose an amount".
    page.locator("#topup-form").get_by_role("button").click()
    expect(page.locator("#amount-errors")).to_contain_text("above the maximum")
    expect(page.locator("#amount-errors")).not_to_contain_text("Choose an amount")
    assert not ORDER_URL.search(page.url)


def screens(page: Page, name: str, lang: str) -> None:
    """Look at what a person sees: the screenshot for this language, and nothing wider than
    the phone."""
    assert_no_horizontal_overflow(page)
    screenshot(page, f"behaviour-{name}-{lang}")


# --- 17. one card choice: a saved card or a new one, one form ----------------------------------

def sign_in(page: Page, base: str, lang: str, e164: str) -> None:
    """Sign in like a person: the code from the newest SMS on the virtual phone."""
    page.goto(f"{base}/signin?lang={lang}")
    page.locator("#phone").fill(e164)
    page.locator("form", has=page.locator("#phone")).get_by_role("button").click()
    page.wait_for_url(re.compile(r"/signin/code$"))
    phone = page.context.new_page()
    phone.goto(f"{base}/phone/{e164.lstrip('+')}")
    newest = phone.locator("article.thread .bubble .body").first
    code = re.search(r"\d{6}", newest.inner_text()).group(0)
    phone.close()
    page.locator("#code").fill(code)
    page.locator("form", has=page.locator("#code")).get_by_role("button").click()
    page.wait_for_url(f"{base}/account")


def order_to_pay(page: Page, base: str, lang: str, market: str, phone: str) -> str:
    """A top-up order of the first tile for `phone` (placed without the live refresh)."""
    page.goto(f"{base}/topup/{market}?lang={lang}")
    page.locator("#phone").fill(phone)
    page.locator("label.tile.op").first.click()
    page.locator("label.tile.amount").first.click()
    number = place_order(page)
    open_card_form(page)
    return number


CARD_CASES = [  # lang, market, signed-in payer, number topped up, JavaScript
    ("ru", "RU", "+79161230101", "+79031234567", True),
    ("zh", "CN", "+79161230102", "+8613812345678", True),
    ("en", "RU", "+79161230103", "+79031234567", False),
]


@pytest.mark.parametrize("lang, market, payer, phone, javascript", CARD_CASES)
def test_one_card_choice_shows_only_the_chosen_cards_fields(open_page, live_server, lang,
                                                            market, payer, phone, javascript):
    base = live_server.url
    page = open_page(locale={"zh": "zh-CN", "ru": "ru-RU"}.get(lang, "en-US"),
                     javascript=javascript)
    sign_in(page, base, lang, payer)

    # First payment: no saved card yet, so no choice; the card is saved.
    order_to_pay(page, base, lang, market, phone)
    expect(page.locator('input[name="card_choice"]')).to_have_count(0)
    expect(page.locator("#card-number")).to_be_visible()
    page.locator("#card-number").fill("5555 5555 5555 4444")
    page.locator("#card-expiry").fill("12/30")
    page.locator("#card-cvc").fill("123")
    page.locator('input[name="save_card"]').check()
    page.locator("form.pay-card > button[type=submit]").click()
    page.wait_for_url(ORDER_URL)
    expect(page.locator("section.receipt")).to_contain_text("•••• 4444")

    # Second payment: one choice. The saved card is chosen: only its CVC shows.
    order_to_pay(page, base, lang, market, phone)
    choices = page.locator("fieldset.card-choice input[name=card_choice]")
    expect(choices).to_have_count(2)
    expect(page.locator("#card-saved-1")).to_be_checked()
    expect(page.locator("#saved-cvc")).to_be_visible()
    expect(page.locator("#card-number")).to_be_hidden()
    expect(page.locator('input[name="save_card"]')).to_be_hidden()
    screens(page, "card-saved", lang)

    # "Add a new card": its fields show, the saved card's CVC goes.
    page.locator("label.choice", has=page.locator("#card-new")).click()
    expect(page.locator("#card-new")).to_be_checked()
    expect(page.locator("#card-number")).to_be_visible()
    expect(page.locator("#saved-cvc")).to_be_hidden()
    page.locator("#card-number").fill("4242 4242 4242 4242")
    page.locator("#card-expiry").fill("12/30")
    page.locator("#card-cvc").fill("123")
    screens(page, "card-new", lang)
    page.locator("form.pay-card > button[type=submit]").click()
    page.wait_for_url(ORDER_URL)
    expect(page.locator("section.receipt")).to_contain_text("•••• 4242")

    # Back to the saved card: the new card's fields hide again, and it pays.
    order_to_pay(page, base, lang, market, phone)
    page.locator("label.choice", has=page.locator("#card-new")).click()
    page.locator("label.choice", has=page.locator("#card-saved-1")).click()
    expect(page.locator("#card-number")).to_be_hidden()
    page.locator("#saved-cvc").fill("123")
    page.locator("form.pay-card > button[type=submit]").click()
    page.wait_for_url(ORDER_URL)
    expect(page.locator("section.receipt")).to_contain_text("•••• 4444")


# --- 18. a refunded top-up: the refund, and a retry with another operator ----------------------

REFUND_CASES = [  # lang, market, number, the wrong operator, its real operator, amount tile
    ("ru", "RU", "903 123-45-67", "mts", "beeline", "20000"),
    ("zh", "CN", "138 1234 5678", "china_unicom", "china_mobile", "5000"),
]


@pytest.mark.parametrize("lang, market, typed, wrong, right, amount", REFUND_CASES)
def test_refunded_topup_shows_the_refund_and_retries_with_another_operator(
        open_page, live_server, lang, market, typed, wrong, right, amount):
    base = live_server.url
    page = open_page(locale={"zh": "zh-CN"}.get(lang, "ru-RU"))
    page.goto(f"{base}/topup/{market}?lang={lang}")
    page.locator("#phone").press_sequentially(typed, delay=10)
    expect(radio(page, "operator", right)).to_be_checked()  # the guess, then a wrong choice
    screens(page, "topup-form", lang)
    page.locator("label.tile", has=radio(page, "operator", wrong)).click()
    page.locator("label.tile", has=radio(page, "amount", amount)).click()
    expect(radio(page, "operator", wrong)).to_be_checked()
    expect(page.locator("#summary .total")).to_be_visible()
    place_order(page)
    open_card_form(page)
    page.locator("#card-number").fill("4242 4242 4242 4242")
    page.locator("#card-expiry").fill("12/30")
    page.locator("#card-cvc").fill("123")
    page.locator("form.pay-card > button[type=submit]").click()
    page.wait_for_url(ORDER_URL)

    expect(page.locator(".status-refunded")).to_be_visible()
    refund = page.locator("section.refund")
    expect(refund).to_contain_text("•••• 4242")
    expect(page.get_by_role("heading", level=2, name={"ru": "Возврат", "zh": "退款"}[lang]))\
        .to_be_visible()
    expect(page.locator("section.receipt:not(.refund)")).to_have_count(0)
    screens(page, "refunded", lang)

    refund.locator("a.button.primary").click()
    page.wait_for_url(re.compile(rf"/topup/{market}\?"))
    expect(page.locator("#phone")).to_have_value(typed)
    expect(radio(page, "amount", amount)).to_be_checked()
    expect(page.locator("#operators input:checked")).to_have_count(0)
    expect(page.locator("#phone-help")).to_contain_text(
        {"mts": "МТС", "china_unicom": "中国联通"}[wrong])
    screens(page, "retry-form", lang)
    page.locator("label.tile", has=radio(page, "operator", right)).click()
    expect(page.locator("#summary .total")).to_be_visible()
    place_order(page)
    open_card_form(page)
    page.locator("#card-number").fill("4242 4242 4242 4242")
    page.locator("#card-expiry").fill("12/30")
    page.locator("#card-cvc").fill("123")
    page.locator("form.pay-card > button[type=submit]").click()
    page.wait_for_url(ORDER_URL)
    expect(page.locator(".status-credited")).to_be_visible()


TRUST_CASES = [("ru", "79037000007", "903 700-00-07"), ("zh", "79037000009", "903 700-00-09")]


@pytest.mark.parametrize("lang, digits, typed", TRUST_CASES)
def test_trust_result_page_says_what_next(open_page, live_server, lang, digits, typed):
    base = live_server.url
    page = open_page(locale={"zh": "zh-CN"}.get(lang, "ru-RU"))
    page.goto(f"{base}/trust?lang={lang}")
    page.locator("#phone").press_sequentially(typed, delay=10)
    page.locator("form.card-box").get_by_role("button").click()
    page.wait_for_url(f"{base}/trust/confirm")
    phone = page.context.new_page()
    phone.goto(f"{base}/phone/{digits}")
    code = re.search(r"\d{6}", phone.locator("article.thread .bubble .body").first
                     .inner_text()).group(0)
    phone.close()
    page.locator("#code").fill(code)
    page.locator("form", has=page.locator("#code")).get_by_role("button").click()
    page.wait_for_url(re.compile(r"/trust/done/"))

    steps = page.locator("nav.next-steps")
    expect(steps.locator("a.button")).to_have_count(3)
    screens(page, "trust-done", lang)
    steps.locator("a.button.primary").click()
    page.wait_for_url(re.compile(r"/topup/RU\?"))
    expect(radio(page, "operator", "beeline")).to_be_checked()
    expect(page.locator("#phone")).to_have_value(typed)
