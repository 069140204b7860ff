"""The sandbox's per-code actions in a real browser: a tester asks for a sign-in code, ends it
with "expire now" on the virtual phone and sees the code page say it expired; then "skip the
wait" lets a new code be sent at once, and the new code signs in. No clock is moved.

Its own demo number (+7 920 123-45-67, MegaFon corporate), as every code test has: the live
server's database and its per-number code limits last for the whole session.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .test_codes_flow import open_phone, request_sign_in_code, submit_code
from .test_codes_flow import wait_for_new_code as new_code
from .test_topup_flow import assert_no_horizontal_overflow

pytestmark = pytest.mark.e2e

E164 = "+79201234567"
SENDER = "TopupSandbox"


def codes_box(phone: Page):
    return phone.locator("#inbox .codes")


def act_on_the_code(phone: Page, button: str) -> None:
    """Press a code action on the virtual phone; it posts, and the phone page comes back."""
    with phone.expect_navigation(wait_until="load"):
        codes_box(phone).get_by_role("button", name=button).click()
    expect(phone.locator("p.notice")).to_be_visible()


def test_expire_now_then_skip_the_wait(open_page, live_server):
    base = live_server.url
    page = open_page("ru-RU")
    request_sign_in_code(page, base, "ru", "920 123-45-67")
    phone = open_phone(page, base, E164)
    phone.goto(f"{base}/phone/{E164[1:]}?lang=ru")
    first = new_code(phone, SENDER, 0)
    expect(codes_box(phone)).to_contain_text("Код для входа: действует ещё")
    assert_no_horizontal_overflow(phone)

    act_on_the_code(phone, "Завершить срок действия")
    expect(phone.locator("p.notice")).to_have_text(
        "Срок действия кода истёк — страница ввода кода это покажет.")
    expect(codes_box(phone)).to_contain_text("Код для входа: время вышло")

    page.bring_to_front()
    page.reload()
    status = page.locator("#code-status")
    expect(status).to_contain_text("Срок действия кода истёк. Запросите новый.")
    expect(status.get_by_role("button")).to_be_disabled()  # the resend wait still runs
    submit_code(page, first)
    expect(page.locator("#code-error")).to_have_text(
        "Срок действия кода истёк. Запросите новый.")

    phone.bring_to_front()
    act_on_the_code(phone, "Пропустить ожидание")
    expect(codes_box(phone)).to_have_count(0)  # nothing is left to act on

    page.bring_to_front()
    page.goto(f"{base}/signin/code?lang=ru")
    resend = page.locator("#code-status").get_by_role("button")
    expect(resend).to_be_enabled()
    with page.expect_navigation(wait_until="load"):
        resend.click()
    # A fresh code: all its tries, and a new wait of its own.
    expect(page.locator("#code-status")).to_contain_text("Осталось 5 попыток.")
    expect(page.locator("#code-status")).to_contain_text("Новый код можно получить через")
    second = new_code(phone, SENDER, 1)  # a second message: the new code came at once
    submit_code(page, second)
    page.wait_for_url(re.compile(r"/account$"))

