"""Beeline trust payment (SPEC §4) in a real browser: the web page with a code from the virtual
phone, the USSD dialer, the account page's balance block, refusals in every language, and auto
trust payment firing in the sandbox.

Each test uses its own demo number: the live server's database lives for the whole session,
and codes have per-number limits (60 s between codes, 5 an hour).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from playwright.sync_api import Page, expect

from .conftest import ARTIFACTS, PHONE

pytestmark = pytest.mark.e2e

DONE_URL = re.compile(r"/trust/done/([\w-]{22})$")
CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
CJK = re.compile(r"[\u4e00-\u9fff]")
MOSCOW = ZoneInfo("Europe/Moscow")


def text(locator) -> str:
    """Visible text with Babel's non-breaking spaces made plain."""
    return locator.inner_text().replace("\u00a0", " ").replace("\u202f", " ")


def assert_no_horizontal_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at a {PHONE['width']}px screen"


def summary_value(scope, position: int) -> str:
    """The <dd> after the `position`-th (1-based) <dt> of a dl.summary: labels are
    translated, their order is not."""
    return text(scope.locator("dl.summary > dd").nth(position - 1))


def en_rub(value: str) -> Decimal:
    """'₽1,234.50' / '-₽4.50' / '₽100' (English, whole amounts without decimals) ->
    Decimal('1234.50')."""
    match = re.fullmatch(r"(-?)₽([\d,]+(?:\.\d{2})?)", value.strip())
    assert match, f"not an English ruble amount: {value!r}"
    return Decimal(match.group(1) + match.group(2).replace(",", ""))


def sandbox_subscriber(page: Page, base: str, digits: str) -> tuple[Decimal, list[str]]:
    """Open the sandbox page of a subscriber in English: (balance, trust payments list)."""
    page.goto(f"{base}/sandbox/subscribers/{digits}?lang=en")
    balance = page.locator("dl.summary dt", has_text=re.compile(r"^Balance$"))
    expect(balance).to_have_count(1)
    value = en_rub(text(balance.locator("xpath=following-sibling::dd[1]")))
    credits = page.locator("section.card-box", has=page.get_by_role(
        "heading", name="Trust payments")).locator("li")
    return value, [text(item) for item in credits.all()]


def move_clock(page: Page, base: str, step: str) -> None:
    page.goto(f"{base}/sandbox/?lang=en")
    page.locator(f'#clock button[name="step"][value="{step}"]').click()
    page.wait_for_url(f"{base}/sandbox/")
    hint = page.locator("#clock .hint")
    expect(hint).to_have_count(0 if step == "reset" else 1)


def code_from_phone(page: Page, sender: str) -> str:
    """The 6-digit code in the newest message from `sender` on the virtual phone (the inbox
    lists conversations and messages newest first, and refreshes itself)."""
    thread = page.locator("article.thread").filter(
        has=page.get_by_role("heading", name=sender, exact=True))
    newest = thread.locator(".bubble .body").first
    expect(newest).to_contain_text(CODE)
    return CODE.search(newest.inner_text()).group(0)


def open_virtual_phone(page: Page, digits: str) -> Page:
    """Follow the code screen's "Open the virtual phone" link (target=_blank): a second page
    of the same browser context."""
    link = page.locator(f'#code-status a[href*="/phone/{digits}"]')
    expect(link).to_have_attribute("target", "_blank")
    with page.context.expect_page() as opened:
        link.click()
    phone = opened.value
    phone.wait_for_load_state()
    assert phone.url.split("?")[0].endswith(f"/phone/{digits}")
    return phone


# --- 1. the web page, code from the virtual phone, repaid after 3 days ------------------------

def test_web_trust_payment_in_russian_repaid_after_three_days(page: Page, live_server):
    base, digits = live_server.url, "79037000005"
    before, credits = sandbox_subscriber(page, base, digits)
    assert credits == []

    page.goto(f"{base}/trust?lang=ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.locator("#phone").click()
    page.locator("#phone").press_sequentially("903 700-00-05", delay=20)
    page.locator("form.card-box").get_by_role("button").click()
    page.wait_for_url(f"{base}/trust/confirm")

    # Amount, fee, term and due date before the code is typed, in Russian formats.
    assert summary_value(page, 1) == "300 ₽"
    assert summary_value(page, 2) == "25 ₽"
    assert summary_value(page, 3) == "3 дня"
    assert re.fullmatch(r"\d{1,2} [а-я]+ в \d{2}:\d{2} МСК", summary_value(page, 4))
    expect(page.locator("form .primary")).to_contain_text("300 ₽")
    assert_no_horizontal_overflow(page)

    phone = open_virtual_phone(page, digits)
    expect(phone.locator("html")).to_have_attribute("lang", "ru")
    code = code_from_phone(phone, "Beeline")
    assert "300 ₽" in text(phone.locator("article.thread .bubble .body").first)

    page.bring_to_front()
    page.locator("#code").fill(code)
    page.locator("form .primary").click()
    page.wait_for_url(DONE_URL)
    done = page.locator("section.status-credited")
    assert "300 ₽" in text(done.locator(".success"))
    assert "+7 903 700-00-05" in text(done.locator(".success"))
    assert "25 ₽" in text(done)
    assert_no_horizontal_overflow(page)

    credited, credits = sandbox_subscriber(page, base, digits)
    assert credited == before + 300
    assert len(credits) == 1 and credits[0].startswith("one-off, to be paid back: due "), credits
    assert credits[0].endswith("₽300"), credits

    move_clock(page, base, "3d")
    after, credits = sandbox_subscriber(page, base, digits)
    assert len(credits) == 1 and credits[0].startswith("one-off, paid back: due "), credits
    assert credits[0].endswith("₽300"), credits
    assert after == before - Decimal("25.00"), (before, after)  # only the fee is gone
    move_clock(page, base, "reset")


# --- 2. the USSD dialer in Chinese ------------------------------------------------------------

def dial_keys(page: Page, keys: str) -> None:
    """Press each key and wait for htmx to swap the dialer back with the longer display."""
    display = page.locator("#display")
    typed = display.input_value()
    for key in keys:
        page.locator(f'#dialer button[name="key"][value="{key}"]').click()
        typed += key
        expect(display).to_have_value(typed)


def clear_display(page: Page) -> None:
    display = page.locator("#display")
    while display.input_value():
        left = display.input_value()[:-1]
        page.locator('#dialer button[name="action"][value="back"]').click()
        expect(display).to_have_value(left)


def call(page: Page, previous: str | None) -> str:
    """Press Call; returns the network's reply once it differs from `previous` (htmx swaps the
    whole form, so the new <output> replaces the old one)."""
    page.locator('#dialer button[name="action"][value="dial"]').click()
    reply = page.locator("output.ussd-reply")
    expect(reply).to_have_count(1)
    if previous is not None:
        expect(reply).not_to_have_text(previous)
    return text(reply)


def assert_keypad_usable(page: Page) -> None:
    """Every key and Call is a finger-sized target inside the phone's first screen."""
    buttons = page.locator("#dialer button")
    expect(buttons).to_have_count(14)  # 12 keys, ⌫ and Call
    for button in buttons.all():
        box = button.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        assert box["y"] + box["height"] <= PHONE["height"], box


def test_ussd_dialer_in_chinese(open_page, live_server):
    page = open_page(locale="zh-CN")
    page.goto(f"{live_server.url}/ussd/79037000007?lang=zh")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("#dialer button[name=key]")).to_have_count(12)
    expect(page.locator("output.ussd-reply")).to_have_count(0)

    dial_keys(page, "*141#")
    expect(page.locator("#display")).to_have_value("*141#")
    assert_no_horizontal_overflow(page)
    assert_keypad_usable(page)
    granted = call(page, None)
    assert CJK.search(granted), granted
    assert "₽450" in granted and "₽40" in granted, granted  # amount and its fee
    assert "¥" not in granted
    expect(page.locator("#display")).to_have_value("*141#")  # the number stays dialled
    assert_no_horizontal_overflow(page)
    assert_keypad_usable(page)  # with the reply above it too
    ARTIFACTS.mkdir(exist_ok=True)
    # caret="initial": Playwright's caret hiding writes style attributes into the inputs, which
    # the page's CSP (style-src 'self') then reports on htmx's next swap.
    page.screenshot(path=str(ARTIFACTS / "ussd-dialer-zh.png"), full_page=True,
                    caret="initial")

    # The same request again: one trust payment at a time.
    refused = call(page, granted)
    assert CJK.search(refused) and "RUB" not in refused, refused
    assert refused == "该号码已有未还清的预支话费，还清后才能再次预支。"

    clear_display(page)
    dial_keys(page, "*141*9#")
    auto = call(page, refused)
    assert CJK.search(auto) and "₽450" in auto, auto  # what auto trust would credit
    assert auto != granted

    clear_display(page)
    dial_keys(page, "*100#")
    unknown = call(page, auto)
    assert CJK.search(unknown), unknown
    assert unknown not in {granted, refused, auto}
    assert "RUB" not in unknown

    # The credit really is there: the sandbox shows it as a USSD one-off of 450 ₽.
    _, credits = sandbox_subscriber(page, live_server.url, "79037000007")
    assert [c for c in credits if c.startswith("one-off, to be paid back")
            and c.endswith("₽450")], credits


# --- 3. the account page's balance block --------------------------------------------------------

def due_dates_in_three_days() -> set[str]:
    """English dates ("December 4") the 3-day term may end on (a minute either way around
    midnight in Moscow)."""
    now = datetime.now(MOSCOW) + timedelta(days=3)
    return {format_date(moment, "MMMM d", locale="en")
            for moment in (now - timedelta(minutes=1), now, now + timedelta(minutes=5))}


def balance_heading(page: Page) -> str:
    return text(page.locator("#balance h2").first)


def test_account_balance_block_in_english(open_page, live_server):
    base, digits = live_server.url, "79037000003"
    page = open_page(locale="en-US")
    page.goto(f"{base}/signin?lang=en")
    page.locator("#phone").press_sequentially("903 700-00-03", delay=20)
    page.locator("form.card-box").get_by_role("button").click()
    page.wait_for_url(f"{base}/signin/code")

    phone = open_virtual_phone(page, digits)
    code = code_from_phone(phone, "TopupSandbox")
    page.bring_to_front()
    page.locator("#code").fill(code)
    page.locator("form.card-box .primary").click()
    page.wait_for_url(f"{base}/account")

    block = page.locator("#balance")
    assert balance_heading(page) == "Balance: ₽100"
    top_up = block.get_by_role("button", name="Get a trust payment of ₽100")
    expect(top_up).to_be_visible()
    assert summary_value(block, 1) == "₽100"  # amount
    assert summary_value(block, 2) == "₽15"  # fee
    assert summary_value(block, 3) == "3 days"  # term
    assert any(day in summary_value(block, 4) for day in due_dates_in_three_days())
    assert_no_horizontal_overflow(page)

    top_up.click()
    page.wait_for_url(f"{base}/account")
    expect(block.get_by_role("button", name=re.compile("Get a trust payment"))).to_have_count(0)
    assert balance_heading(page) == "Balance: ₽200"
    outstanding = text(block.locator("p").first)
    assert outstanding.startswith("Trust payment of ₽100: debited with its fee of "
                                  "₽15 on "), outstanding
    assert any(day in outstanding for day in due_dates_in_three_days()), outstanding
    assert re.search(r" at \d{1,2}:\d{2}\s?[AP]M Moscow time\.$", outstanding), outstanding
    # The auto trust amount is the same table amount.
    expect(block.locator(".hint").last).to_contain_text("₽100 is credited by itself")

    block.get_by_role("button", name="Connect").click()
    page.wait_for_url(f"{base}/account")
    expect(block.get_by_role("button", name="Disconnect")).to_be_visible()
    expect(block.get_by_role("button", name="Connect", exact=True)).to_have_count(0)
    assert balance_heading(page) == "Balance: ₽199.50"  # today's 0.50 ₽ subscription fee

    block.get_by_role("button", name="Disconnect").click()
    page.wait_for_url(f"{base}/account")
    expect(block.get_by_role("button", name="Connect", exact=True)).to_be_visible()
    expect(block.get_by_role("button", name="Disconnect")).to_have_count(0)
    assert balance_heading(page) == "Balance: ₽199.50"  # today was paid for already
    assert_no_horizontal_overflow(page)


# --- 4. a refusal in each language --------------------------------------------------------------

def postpaid_refusal(page: Page, base: str, lang: str) -> str:
    page.goto(f"{base}/trust?lang={lang}")
    page.locator("#phone").press_sequentially("903 700-00-14", delay=10)
    page.locator("form.card-box").get_by_role("button").click()
    error = page.locator("form.card-box p.error")
    expect(error).to_be_visible()
    assert page.url == f"{base}/trust"  # the form again (422), no code sent
    expect(page.locator("#phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#phone")).to_have_value("903 700-00-14")
    assert_no_horizontal_overflow(page)
    return text(error).strip()


def test_postpaid_refusal_in_every_language(page: Page, live_server):
    base = live_server.url
    english = postpaid_refusal(page, base, "en")
    assert "not available on postpaid tariffs" in english, english

    russian = postpaid_refusal(page, base, "ru")
    assert russian and russian != english and CYRILLIC.search(russian), russian

    chinese = postpaid_refusal(page, base, "zh")
    assert chinese and chinese != english and CJK.search(chinese), chinese
    assert chinese != russian

    # No code went to the number.
    page.goto(f"{base}/phone/79037000014?lang=en")
    expect(page.locator("#inbox article.thread")).to_have_count(0)


# --- 5. auto trust payment firing ---------------------------------------------------------------

def test_auto_trust_payment_fires_when_spending(page: Page, live_server):
    base, digits = live_server.url, "79037000019"
    before, credits = sandbox_subscriber(page, base, digits)
    autos_before = [c for c in credits if c.startswith("automatic, ")]
    assert not [c for c in credits if "to be paid back" in c], credits
    assert Decimal(50) <= before < Decimal(70), before  # 20 ₽ more takes it below 50 ₽

    page.locator("#amount").fill("20")
    page.locator("form.card-box", has=page.locator("#amount")).get_by_role("button").click()
    page.wait_for_url(f"{base}/sandbox/subscribers/{digits}")

    after, credits = sandbox_subscriber(page, base, digits)
    assert after >= 0
    assert after == before - 20 + 300, (before, after)
    autos = [c for c in credits if c.startswith("automatic, ")]
    assert len(autos) == len(autos_before) + 1, credits
    assert credits[0].startswith("automatic, to be paid back: due "), credits  # newest first
    assert credits[0].endswith("₽300"), credits
    expect(page.locator("dl.summary dd").nth(7)).to_have_text("no")  # not suspended
