"""The subscriber builder in a real browser (zh), with and without JavaScript: from the sandbox
page to the form, a refused request with its errors in place, then a Beeline number with two
mobile payments made today, whose sandbox page shows the balance asked for."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .test_topup_flow import assert_no_horizontal_overflow, text

pytestmark = pytest.mark.e2e


def open_builder(page: Page, base: str) -> None:
    page.goto(f"{base}/sandbox/?lang=zh")
    page.get_by_role("link", name="生成测试号码").click()
    page.wait_for_url(re.compile(r"/sandbox/subscribers/new$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("测试号码生成器")


def submit(page: Page) -> None:
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="生成号码").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_build_a_beeline_number_in_chinese(open_page, live_server, javascript):
    page = open_page("zh-CN", javascript=javascript)
    open_builder(page, live_server.url)
    assert_no_horizontal_overflow(page)
    page.locator("#operator").select_option("beeline")
    page.locator("#balance").fill("45")
    page.locator("#paid_day_count").fill("2")
    page.locator("#paid_day_sum").fill("300")
    page.locator("#suspended").check()
    submit(page)

    # Refused: suspended needs a debt, and today's payments must be in the week and month.
    expect(page.locator("#suspended-error")).to_have_text("号码只会因欠费停机：请填写小于零的余额。")
    expect(page.locator("#paid_week_count-error")).to_have_text("今天的付款也计入这里：至少2笔。")
    expect(page.locator("#balance")).to_have_value("45")
    assert_no_horizontal_overflow(page)

    page.locator("#suspended").uncheck()
    for period in ("week", "month"):
        page.locator(f"#paid_{period}_count").fill("2")
        page.locator(f"#paid_{period}_sum").fill("300")
    submit(page)
    page.wait_for_url(re.compile(r"/sandbox/subscribers/79\d{9}$"))
    expect(page.locator("p.notice")).to_contain_text("已生成")
    expect(page.locator("main > p.hint")).to_have_text("由测试号码生成器创建")
    summary = page.locator("dl.summary")
    expect(summary).to_contain_text("Beeline")
    balance = page.locator("dl.summary dt", has_text=re.compile("^余额$"))
    assert text(balance.locator("xpath=following-sibling::dd[1]"))== "₽45"
    entries = page.locator("ul.ledger li")
    expect(entries.filter(has_text="话费支付")).to_have_count(2)
    assert_no_horizontal_overflow(page)
