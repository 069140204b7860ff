"""One-time codes in a real browser: 3-D Secure, sign-in by SMS code, saved cards, lockout.

The code is never taken from the database: like a person, the test reads it on the virtual
phone (/phone/<digits>), a second tab of the same browser context that refreshes itself by
htmx. Every test that sends a code uses its own demo number, because the live server's
database lives for the whole session and codes are rate-limited per number (60 s between
codes for the same thing, 5 an hour).

Sentences are asserted in English only (the ru and zh catalogs may still be filling in); in
Russian and Chinese the tests read what Babel formats (money, counts) and the page structure.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from .test_topup_flow import (
    ORDER_NUMBER,
    ORDER_URL,
    assert_no_horizontal_overflow,
    choose_amount,
    open_card_form,
    place_order,
    start_topup,
    text,
)

pytestmark = pytest.mark.e2e

THREE_DS_CARD = "4000 0027 6000 3184"
SIGN_IN_SENDER = "TopupSandbox"
BANK_SENDER = "3-D Secure"
SIX_DIGITS = re.compile(r"(?<!\d)\d{6}(?!\d)")


# --- the virtual phone -----------------------------------------------------------------------

def thread(phone: Page, sender: str) -> Locator:
    """The conversation with one sender: the article whose h2 is exactly its name."""
    return phone.locator("article.thread").filter(
        has=phone.get_by_role("heading", level=2, name=sender, exact=True))


def bodies(phone: Page, sender: str) -> Locator:
    """The message texts from `sender`, newest first."""
    return thread(phone, sender).locator(".bubble .body")


def code_in(sms: str) -> str:
    """The one-time code: the only group of exactly 6 digits once the order number is out
    (T-250101-000001 has 6-digit groups of its own; the code's place differs by language)."""
    found = SIX_DIGITS.findall(ORDER_NUMBER.sub(" ", sms))
    assert len(found) == 1, f"no single 6-digit code in {sms!r}"
    return found[0]


def open_phone(page: Page, base: str, e164: str) -> Page:
    """The virtual phone of `e164` in a new tab of the page's browser context, left in the
    background (its inbox refreshes itself there too); `page` is brought back to the front,
    because Chromium throttles a hidden tab and the person types in the front one."""
    phone = page.context.new_page()
    phone.goto(f"{base}/phone/{e164.lstrip('+')}")
    expect(phone.locator("#inbox")).to_be_attached()
    page.bring_to_front()
    return phone


def wait_for_new_code(phone: Page, sender: str, seen: int) -> str:
    """Wait until the self-refreshing inbox shows one more message from `sender` than `seen`,
    then read the code from the newest one."""
    expect(bodies(phone, sender)).to_have_count(seen + 1, timeout=15_000)
    return code_in(text(bodies(phone, sender).first))


# --- code pages ------------------------------------------------------------------------------

def submit_code(page: Page, code: str) -> None:
    """Type the code like a person, press the button of the form that holds #code and wait
    for the answer page (a refused code comes back as the same page, 422)."""
    field = page.locator("#code")
    field.fill("")
    field.click()
    field.press_sequentially(code, delay=15)
    with page.expect_navigation(wait_until="load"):
        page.locator("form", has=page.locator("#code")).get_by_role("button").click()


def numbers_in(locator: Locator) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text(locator))]


def request_sign_in_code(page: Page, base: str, lang: str, typed: str) -> None:
    page.goto(f"{base}/signin?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.locator("#phone").click()
    page.locator("#phone").press_sequentially(typed, delay=15)
    page.locator("form", has=page.locator("#phone")).get_by_role("button").click()
    page.wait_for_url(re.compile(r"/signin/code$"))
    expect(page.locator("#code")).to_be_visible()


def fill_new_card(page: Page, number: str, expiry: str = "12/30", cvc: str = "123") -> None:
    field = page.locator("#card-number")
    field.click()
    field.press_sequentially(number, delay=10)
    page.locator("#card-expiry").fill(expiry)
    page.locator("#card-cvc").fill(cvc)


def pay_button(page: Page) -> Locator:
    return page.locator("form.pay-card > button[type=submit]")


# --- 1. 3-D Secure, the code read on the virtual phone in a second tab ----------------------

@pytest.mark.parametrize(
    ("lang", "locale", "market", "typed", "operator", "e164", "price"),
    [
        ("ru", "ru-RU", "RU", "903 123-45-67", "beeline", "+79031234567", "100 ₽"),
        # China Mobile's 满减 makes the 100 元 top-up cost ¥98.
        ("zh", "zh-CN", "CN", "138 1234 5678", "china_mobile", "+8613812345678", "¥98"),
    ],
    ids=["ru", "zh"],
)
def test_three_ds_code_from_the_virtual_phone(open_page, live_server, lang, locale, market,
                                              typed, operator, e164, price):
    base = live_server.url
    page = open_page(locale=locale)
    start_topup(page, base, market, lang, typed, operator)
    choose_amount(page, "10000")
    number = place_order(page)
    open_card_form(page)

    field = page.locator("#card-number")
    field.click()
    field.press_sequentially(THREE_DS_CARD, delay=10)
    expect(page.locator("#card-brand")).to_have_text("Visa")
    page.locator("#card-expiry").fill("11/31")
    page.locator("#card-cvc").fill("737")
    pay_button(page).click()

    # The bank's page: the order, the amount (Babel's money format) and the card.
    page.wait_for_url(re.compile(rf"/orders/{number}/3ds/\d+$"))
    three_ds_url = page.url
    summary = page.locator("section.bank .summary")
    expect(summary).to_contain_text(number)
    expect(summary).to_contain_text("•••• 3184")
    assert price in text(summary)
    status = page.locator("#code-status")
    # "5 tries left", whatever the words around it: the only figure beside the minutes.
    assert 5 in numbers_in(status.locator(".hint").first)
    expect(status.locator("button[type=submit]")).to_be_disabled()  # a resend comes in 60 s
    assert_no_horizontal_overflow(page)

    # "Open the virtual phone" opens the payer's phone in a second tab.
    link = status.locator(f'a[href="/phone/{e164[1:]}"]')
    expect(link).to_have_attribute("target", "_blank")
    with page.context.expect_page() as opened:
        link.click()
    phone = opened.value
    phone.wait_for_load_state()
    assert phone.url.split("?")[0] == f"{base}/phone/{e164[1:]}"
    expect(phone.locator("html")).to_have_attribute("lang", page.locator("html")
                                                    .get_attribute("lang"))

    # The newest message from the bank: the one about this order (the inbox polls every 3 s).
    newest = bodies(phone, BANK_SENDER).first
    expect(newest).to_contain_text(number, timeout=15_000)
    sms = text(newest)
    assert price in sms, sms
    assert "3184" in sms, sms
    code = code_in(sms)
    assert_no_horizontal_overflow(phone)

    page.bring_to_front()
    assert page.url == three_ds_url
    submit_code(page, code)

    page.wait_for_url(ORDER_URL)
    assert number in page.url
    expect(page.locator(".status-credited")).to_be_visible()
    expect(page.locator("form.pay-card")).to_have_count(0)
    receipt = page.locator("section.receipt")
    expect(receipt).to_contain_text("•••• 3184")
    assert price in text(receipt)
    assert_no_horizontal_overflow(page)
    phone.close()


# --- 2. sign-in by code, a card saved on the first payment and reused on the second ---------

def test_sign_in_and_pay_again_with_the_saved_card(open_page, live_server):
    base = live_server.url
    page = open_page(locale="en-US")
    phone = open_phone(page, base, "+79261234567")
    seen = bodies(phone, SIGN_IN_SENDER).count()

    request_sign_in_code(page, base, "en", "926 123-45-67")
    status = page.locator("#code-status")
    expect(status).to_contain_text("We sent a code by SMS to")
    expect(status.locator(".hint").first).to_contain_text("5 tries left.")
    expect(status.locator(".hint").first).to_have_text(
        re.compile(r"The code is valid for \d+ minutes more\."))
    expect(status).to_contain_text(re.compile(r"You can ask for a new code in \d+ seconds\."))
    expect(status.get_by_role("button", name="Get a new code")).to_be_disabled()
    expect(status.get_by_role("link", name="Open the virtual phone")).to_have_attribute(
        "target", "_blank")
    assert_no_horizontal_overflow(page)

    code = wait_for_new_code(phone, SIGN_IN_SENDER, seen)
    expect(bodies(phone, SIGN_IN_SENDER).first).to_contain_text("sign in to Topup Sandbox")
    submit_code(page, code)

    page.wait_for_url(f"{base}/account")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(page.locator("main")).to_contain_text("Signed in as")
    expect(page.locator("#saved-cards")).to_contain_text("No saved cards")
    expect(page.locator("header a.who")).to_have_attribute("href", "/account")

    # First order: a new card, saved for next time.
    start_topup(page, base, "RU", "en", "926 123-45-67", "megafon")
    choose_amount(page, "10000")
    first = place_order(page)
    expect(page.locator('input[name="card_choice"]')).to_have_count(0)  # nothing saved yet
    save = page.locator('input[name="save_card"]')
    expect(save).to_be_visible()
    expect(page.locator("form.pay-card")).to_contain_text("Save this card for next time")
    fill_new_card(page, "5555 5555 5555 4444")
    expect(page.locator("#card-brand")).to_have_text("Mastercard")
    save.check()
    pay_button(page).click()
    page.wait_for_url(f"{base}/orders/{first}")
    expect(page.locator(".status-credited")).to_be_visible()
    expect(page.locator("section.receipt")).to_contain_text("•••• 4444")

    # Second order: the saved card is pre-selected; only its CVC is asked again.
    start_topup(page, base, "RU", "en", "926 123-45-67", "megafon")
    choose_amount(page, "20000")
    second = place_order(page)
    assert second != first
    chosen = page.locator('input[name="card_choice"]:checked')
    expect(chosen).to_have_count(1)
    assert chosen.get_attribute("value") != "new"
    saved_label = page.locator("label.choice", has=chosen)
    expect(saved_label).to_contain_text(re.compile(r"Mastercard •••• 4444 · 12/30"))
    new_card = page.locator('input[name="card_choice"][value="new"]')
    expect(new_card).not_to_be_checked()
    expect(page.locator("label.choice", has=new_card)).to_contain_text("Add a new card")
    expect(page.locator("#saved-cvc")).to_be_visible()
    expect(page.locator("#saved-cvc")).to_have_value("")
    page.locator("#saved-cvc").fill("123")
    pay_button(page).click()
    page.wait_for_url(f"{base}/orders/{second}")
    expect(page.locator(".status-credited")).to_be_visible()
    expect(page.locator("section.receipt")).to_contain_text("•••• 4444")

    # The account: the card and both orders; remove the card; sign out.
    page.goto(f"{base}/account")
    cards = page.locator("#saved-cards")
    expect(cards.locator("li")).to_have_count(1)
    expect(cards).to_contain_text("•••• 4444")
    orders = page.locator("#orders")
    expect(orders.get_by_role("link", name=first)).to_be_visible()
    expect(orders.get_by_role("link", name=second)).to_be_visible()
    expect(orders).to_contain_text("credited")
    assert_no_horizontal_overflow(page)

    cards.locator("li", has_text="•••• 4444").get_by_role("button", name="Remove").click()
    page.wait_for_url(f"{base}/account")
    expect(cards.locator("li")).to_have_count(0)
    expect(cards).to_contain_text("No saved cards")
    expect(orders.get_by_role("link", name=first)).to_be_visible()

    page.goto(f"{base}/account")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    expect(page.locator("header a.who")).to_have_attribute("href", "/signin")
    page.goto(f"{base}/account")
    page.wait_for_url(re.compile(r"/signin\?next="))
    phone.close()


# --- 3. five wrong codes kill the code; even the right one is refused then ------------------

@pytest.mark.parametrize(
    ("lang", "typed", "e164"),
    [("ru", "909 111-22-33", "+79091112233"), ("en", "982 123-45-67", "+79821234567")],
    ids=["ru", "en"],
)
def test_five_wrong_sign_in_codes_lock_the_code(open_page, live_server, lang, typed, e164):
    base = live_server.url
    page = open_page(locale={"ru": "ru-RU"}.get(lang, "en-US"))
    phone = open_phone(page, base, e164)
    seen = bodies(phone, SIGN_IN_SENDER).count()

    request_sign_in_code(page, base, lang, typed)
    tries_hint = page.locator("#code-status .hint").first
    assert 5 in numbers_in(tries_hint)
    right = wait_for_new_code(phone, SIGN_IN_SENDER, seen)
    wrong = [f"{(int(right) + step * 111_111) % 1_000_000:06d}" for step in range(1, 6)]
    assert right not in wrong and len(set(wrong)) == 5

    error = page.locator("#code-error")
    left_before = 5
    for expected_left, attempt in zip((4, 3, 2, 1), wrong[:4], strict=True):
        submit_code(page, attempt)
        expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
        expect(error).to_be_visible()
        assert page.url.endswith("/signin/code")
        # The count, in the error and in the status under the form, goes down by one.
        left = numbers_in(error)
        assert left == [expected_left], text(error)
        assert left[0] == left_before - 1
        left_before = left[0]
        assert expected_left in numbers_in(tries_hint)
        if lang == "en":
            tries = "1 try left." if expected_left == 1 else f"{expected_left} tries left."
            expect(error).to_have_text(f"Wrong code. {tries}")
            expect(tries_hint).to_contain_text(tries)

    submit_code(page, wrong[4])
    expect(error).to_be_visible()
    dead = page.locator("#code-status p.error")
    expect(dead).to_be_visible()
    # The same sentence twice: the answer to the try, and the code's state under the form;
    # no tries are counted any more.
    assert text(dead) == text(error)
    assert not re.search(r"\d", text(error)), text(error)
    if lang == "en":
        expect(error).to_have_text(
            "Too many wrong codes: this code no longer works. Ask for a new one.")

    # Even the right code is refused now, and nobody is signed in.
    submit_code(page, right)
    expect(error).to_be_visible()
    assert text(error) == text(dead)
    assert page.url.endswith("/signin/code")
    page.goto(f"{base}/account")
    page.wait_for_url(re.compile(r"/signin\?next="))
    expect(page.locator("header a.who")).to_have_attribute("href", "/signin")
    phone.close()


# --- 4. five wrong 3-D Secure codes fail the payment; the card form comes back --------------

def test_five_wrong_three_ds_codes_fail_the_payment(open_page, live_server):
    base = live_server.url
    page = open_page(locale="en-US")
    start_topup(page, base, "RU", "en", "987 123-45-67", "mts")
    choose_amount(page, "10000")
    number = place_order(page)
    order_url = page.url
    fill_new_card(page, THREE_DS_CARD)
    pay_button(page).click()
    page.wait_for_url(re.compile(rf"/orders/{number}/3ds/\d+$"))
    three_ds_url = page.url

    phone = open_phone(page, base, "+79871234567")
    newest = bodies(phone, BANK_SENDER).first
    expect(newest).to_contain_text(number, timeout=15_000)
    sms = text(newest)
    assert "₽100" in sms and "•••• 3184" in sms, sms  # English Babel money
    right = code_in(sms)
    wrong = [f"{(int(right) + step * 7) % 1_000_000:06d}" for step in range(1, 6)]

    error = page.locator("#code-error")
    for left, attempt in zip((4, 3, 2, 1), wrong[:4], strict=True):
        submit_code(page, attempt)
        assert page.url == three_ds_url
        tries = "1 try left." if left == 1 else f"{left} tries left."
        expect(error).to_have_text(f"Wrong code. {tries}")
        expect(page.locator("#code-status .hint").first).to_contain_text(tries)

    # The 5th wrong code fails the attempt: back on the order, with the reason and the form.
    submit_code(page, wrong[4])
    page.wait_for_url(order_url)
    expect(page.locator(".status-awaiting_payment")).to_be_visible()
    expect(page.locator("form.pay-card").get_by_role("alert")).to_contain_text(
        "3-D Secure confirmation failed")
    expect(page.locator("#card-number")).to_be_visible()
    expect(page.locator("section.receipt")).to_have_count(0)

    # The failed attempt's page only sends back to the order, whatever code comes now.
    page.goto(three_ds_url)
    page.wait_for_url(order_url)
    expect(page.locator("#card-number")).to_be_visible()
    phone.close()
