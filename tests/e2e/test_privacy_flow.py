"""Privacy in a real browser (SPEC §8): an order's page is for the browser that placed it; the
owner of the number topped up by someone else sees the top-up in "My account" without its
payment details, and cannot open the order."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS
from .test_mobile_flow import sign_in_as
from .test_topup_flow import (
    assert_no_horizontal_overflow,
    choose_amount,
    pay_by_card,
    place_order,
    start_topup,
)

pytestmark = pytest.mark.e2e


def test_an_order_is_its_browsers_and_the_number_sees_the_top_up_only(open_page, live_server):
    base = live_server.url
    giver = open_page(locale="en-US")
    start_topup(giver, base, "RU", "en", "903 700-00-11", "beeline")
    choose_amount(giver, "30000")
    number = place_order(giver)
    pay_by_card(giver, "4242 4242 4242 4242")
    expect(giver.locator(".status-credited")).to_be_visible()

    # Another browser: the same address is not found, and nothing of the order shows.
    owner = open_page(locale="en-US")
    for url in (f"{base}/orders/{number}?lang=en", f"{base}/orders/{number}"):
        open_page.expect(url, 404)
    response = owner.goto(f"{base}/orders/{number}?lang=en")
    assert response.status == 404
    expect(owner.locator("main")).not_to_contain_text("903 700-00-11")
    expect(owner.locator("form.pay-card")).to_have_count(0)

    # Signed in as the number, the owner sees that someone topped it up, and no more.
    sign_in_as(owner, base, "en", "903 700-00-11", "+79037000011")
    orders = owner.locator("#orders")
    gift = orders.locator("li", has_text="Top-up of your number by someone else")
    expect(gift).to_contain_text("₽300")
    expect(orders).to_contain_text("credited")
    expect(orders.get_by_role("link")).to_have_count(0)
    expect(orders).not_to_contain_text(number)
    assert_no_horizontal_overflow(owner)
    ARTIFACTS.mkdir(exist_ok=True)
    owner.screenshot(path=str(ARTIFACTS / "account-topped-up-by-someone-else-en.png"),
                     full_page=True)
    assert owner.goto(f"{base}/orders/{number}").status == 404
    # The browser that placed it still has it.
    assert giver.goto(f"{base}/orders/{number}?lang=en").status == 200
