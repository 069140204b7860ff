"""A walk through the main phone screens, in one language, reaching each the way a person does.

Used by the accessibility tests (axe, touch targets) and handy for screenshots: `walk()` yields
the name of each screen once the browser shows it. Fresh subscribers come from the sandbox's
builder (POST /sandbox/api/subscribers), so a walk never meets the code limits of a demo number
that another test used in this session.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from datetime import date

from playwright.sync_api import Page, expect

CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
THREE_DS_CARD = "4000002760003184"
APPROVED_CARD = "4242424242424242"
# The top-up and the shop of the language's own market.
MARKETS = {"ru": "RU", "en": "RU", "zh": "CN", "qps": "RU"}
PHONES = {"RU": "903 123-45-67", "CN": "138 1234 5678"}
SCREENS = ("topup", "order", "three_ds", "order_goods", "signin", "signin_code", "account",
           "trust_start", "trust_confirm", "trust_done", "shop", "virtual_phone", "sandbox",
           "ussd")


def build_beeline_subscriber(base: str) -> str:
    """A new Beeline number that may have a trust payment (2 years old, 500 ₽ spent a month);
    its E.164 digits."""
    today = date.today()
    body = json.dumps({
        "operator": "beeline", "tariff_kind": "prepaid", "balance": "10",
        "activated_on": today.replace(year=today.year - 2).isoformat(), "location": "home",
        "history_months": 3, "monthly_spend": "500"}).encode()
    request = urllib.request.Request(f"{base}/sandbox/api/subscribers", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our server
        return json.load(response)["phone"].lstrip("+")


def latest_code(page: Page, base: str, digits: str, lang: str) -> str:
    """The code of the newest SMS on the virtual phone of `digits` (opened in this page)."""
    page.goto(f"{base}/phone/{digits}?lang={lang}")
    newest = page.locator(".bubble .body").first
    expect(newest).to_contain_text(CODE)
    return CODE.search(newest.inner_text()).group(0)


def _submit(page: Page, form_has: str) -> None:
    page.locator("form", has=page.locator(form_has)).locator("button[type=submit]").last.click()


def _card_form(page: Page) -> None:
    """The card's form: China opens on the wallet (SPEC §3.3), the card is one tab away."""
    if not page.locator("#card-number").is_visible():
        page.locator('nav.method-chooser a[href*="method=card"]').click()
    expect(page.locator("#card-number")).to_be_visible()


def _pay_by_card(page: Page, number: str) -> None:
    _card_form(page)
    page.locator("#card-number").fill(number)
    page.locator("#card-expiry").fill("12/30")
    page.locator("#card-cvc").fill("123")
    page.locator("form.pay-card > button[type=submit]").click()


def _place_topup(page: Page, market: str) -> None:
    """Number, first tile, wait for the price the live refresh shows, place the order."""
    page.locator("#phone").fill(PHONES[market])
    # The form refreshes itself as one types: let that land before choosing the amount.
    expect(page.locator("#operators input:checked")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    page.locator(".amounts .tile").first.click()
    expect(page.locator(".amounts .tile input").first).to_be_checked()
    expect(page.locator("#summary .total")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.locator("#topup-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/orders/[^/]+$"))


def walk(page: Page, base: str, lang: str) -> Iterator[str]:
    """Visit every screen of SCREENS in `lang`, yielding each name while it is shown."""
    market = MARKETS[lang]
    payer, borrower = build_beeline_subscriber(base), build_beeline_subscriber(base)

    page.goto(f"{base}/topup/{market}?lang={lang}")
    yield "topup"

    _place_topup(page, market)
    order_url = page.url
    yield "order"

    _pay_by_card(page, THREE_DS_CARD)
    page.wait_for_url(re.compile(r"/3ds/\d+$"))
    yield "three_ds"

    page.goto(f"{base}/shop/RU?lang={lang}")
    page.locator(".products form").first.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/orders/[^/]+$"))
    yield "order_goods"

    page.goto(f"{base}/signin?lang={lang}")
    yield "signin"

    page.locator("#phone").fill("+" + payer)
    _submit(page, "#phone")
    page.wait_for_url(re.compile(r"/signin/code$"))
    yield "signin_code"

    code = latest_code(page, base, payer, lang)
    page.goto(f"{base}/signin/code?lang={lang}")
    page.locator("#code").fill(code)
    _submit(page, "#code")
    page.wait_for_url(re.compile(r"/account$"))
    # An order paid with a saved card, so that the account lists an order and a card.
    page.goto(order_url)
    page.goto(f"{base}/topup/{market}?lang={lang}")
    _place_topup(page, market)
    _card_form(page)
    page.locator("input[name=save_card]").check()
    _pay_by_card(page, APPROVED_CARD)
    expect(page.locator(".receipt")).to_be_visible()
    page.goto(f"{base}/account?lang={lang}")
    yield "account"

    page.goto(f"{base}/trust?lang={lang}")
    yield "trust_start"

    page.locator("#phone").fill(borrower[1:])
    _submit(page, "#phone")
    page.wait_for_url(re.compile(r"/trust/confirm$"))
    yield "trust_confirm"

    code = latest_code(page, base, borrower, lang)
    page.goto(f"{base}/trust/confirm?lang={lang}")
    page.locator("#code").fill(code)
    _submit(page, "#code")
    page.wait_for_url(re.compile(r"/trust/done/"))
    yield "trust_done"

    page.goto(f"{base}/shop/{market}?lang={lang}")
    yield "shop"

    page.goto(f"{base}/phone/{borrower}?lang={lang}")
    yield "virtual_phone"

    page.goto(f"{base}/sandbox/?lang={lang}")
    yield "sandbox"

    page.goto(f"{base}/ussd/{borrower}?lang={lang}")
    page.locator("#display").fill("*141*9#")
    page.locator("button[name=action][value=dial]").click()
    expect(page.locator(".ussd-reply")).to_be_visible()
    yield "ussd"
