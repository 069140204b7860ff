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
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


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
    expect(page.locator("#summary .total")).to_contain_text("1 500,00 ₽", use_inner_text=True)
    expect(radio(page, "operator", "beeline")).to_be_checked()  # the guess still arrives
    expect(field).to_have_value("1500")  # still, once every answer has landed
    expect(field).to_be_focused()
    assert delayed, "the htmx answers were not delayed"
    assert_no_horizontal_overflow(page)

    place_order(page)
    assert "1 500,00 ₽" in text(page.locator("dl.summary"))  # the top-up amount


def test_other_amount_too_large_says_so_while_typing(page: Page, live_server):
    page.goto(f"{live_server.url}/topup/RU?lang=en")
    slow_htmx(page)
    page.locator("#phone").press_sequentially("903 123-45-67", delay=10)
    field = page.locator("#other_amount")
    field.click()
    field.press_sequentially("99999", delay=60)

    expect(radio(page, "amount", "other")).to_be_checked()
    errors = page.locator("#amount-errors")
    expect(errors).to_contain_text("The amount is above the maximum of RUB1,500.00.")
    expect(page.locator("#summary .total")).to_have_count(0)
    expect(field).to_have_value("99999")

    # Placing it anyway answers with the same reason, not "Choose an amount".
    page.locator("#topup-form").get_by_role("button").click()
    expect(page.locator("#amount-errors")).to_contain_text("above the maximum")
    expect(page.locator("#amount-errors")).not_to_contain_text("Choose an amount")
    assert not ORDER_URL.search(page.url)
