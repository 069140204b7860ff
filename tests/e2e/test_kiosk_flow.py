"""The kiosk in Chromium at 1080×1920 (SPEC §7): touched like a person, step by step.

Every step is measured: each interactive element at least 64 × 64 CSS px, text at least
24 px, and nothing that scrolls or is cut off.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import urllib.request
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from webapp.clock import clock
from webapp.extensions import db
from webapp.models import KioskSession

pytestmark = pytest.mark.e2e

KIOSK = {"width": 1080, "height": 1920}
RU, CN = "770101", "860101"

# What a finger can hit and what may not be cut off, measured in the page.
MEASURE = """() => {
  const small = [];
  for (const el of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, [role=button], [tabindex]')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.width < 64 || box.height < 64) {
      const name = el.textContent.trim().slice(0, 30);
      small.push(`${el.tagName} "${name}" ${box.width}x${box.height}`);
    }
  }
  const tiny = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (own && parseFloat(getComputedStyle(el).fontSize) < 24) {
      tiny.push(`${el.tagName} "${el.textContent.trim().slice(0, 30)}"`);
    }
  }
  const cut = [];
  for (const el of document.querySelectorAll('.screen, .body, .idle-box')) {
    if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) {
      cut.push(`${el.className} ${el.scrollWidth}x${el.scrollHeight}`
               + ` in ${el.clientWidth}x${el.clientHeight}`);
    }
  }
  const doc = document.documentElement;
  return {small, tiny, cut, page: [doc.scrollWidth, doc.scrollHeight]};
}"""


def measure(page: Page, where: str) -> None:
    """Assert the step is made for a finger at arm's length and fits the screen."""
    page.wait_for_load_state("load")  # its stylesheet too, after a whole page load
    found = page.evaluate(MEASURE)
    assert not found["small"], f"{where}: targets under 64 px: {found['small']}"
    assert not found["tiny"], f"{where}: text under 24 px: {found['tiny']}"
    assert not found["cut"], f"{where}: content cut off or scrolling: {found['cut']}"
    assert found["page"] == [KIOSK["width"], KIOSK["height"]], f"{where}: page scrolls"


def text(locator) -> str:
    return locator.inner_text().replace("\u00a0", " ").replace("\u202f", " ")


def fresh(live_server, terminal: str) -> None:
    """The terminal shows its attract screen: a session a test before left open ends."""
    with live_server.app.app_context():
        db.session.execute(update(KioskSession).where(KioskSession.ended_at.is_(None))
                           .where(KioskSession.terminal == terminal)
                           .values(ended_at=clock.now(), step="abandoned"))
        db.session.commit()


def kiosk_page(open_page, live_server, terminal=RU, javascript=True) -> Page:
    fresh(live_server, terminal)
    page = open_page(viewport=KIOSK, javascript=javascript)
    page.goto(f"{live_server.url}/kiosk/{terminal}")
    return page


def touch_button(page: Page, action: str, value: str | None = None):
    """The button of a touch form (its action, and its value if several share the action)."""
    form = f"form.touch:has(input[name=action][value={action}])"
    if value is not None:
        form += f":has(input[name=value][value='{value}'])"
    return page.locator(form).locator("button").first


def touch(page: Page, action: str, value: str | None = None) -> None:
    touch_button(page, action, value).click()


def panel_button(page: Page, panel: str, value: str):
    """A button of the sandbox's acceptor (.notes) or card reader (.cards) panel."""
    return page.locator(f"{panel} form:has(input[type=hidden][value='{value}']) button")


def step(page: Page, name: str) -> None:
    expect(page.locator(f"#screen.step-{name}")).to_be_visible()


def type_number(page: Page, digits: str, country: str) -> None:
    for count, digit in enumerate(digits, start=1):
        touch(page, "key", digit)
        expect(page.locator("#typed")).to_have_text(
            re.compile(r"^\+" + country + r"\D*" + r"\D*".join(digits[:count]) + r"$"))


def insert(page: Page, note: str, inserted: str) -> None:
    panel_button(page, ".notes", note).click()
    expect(page.locator("#inserted")).to_have_text(inserted)


def test_a_ru_cash_top_up_in_russian_two_notes_and_a_receipt(open_page, live_server):
    page = kiosk_page(open_page, live_server)
    step(page, "attract")
    measure(page, "attract")
    page.locator("button[name=lang][value=ru]").click()
    step(page, "operator")
    expect(page.locator("h1")).to_have_text("Выберите оператора")
    measure(page, "operator")
    touch(page, "operator", "beeline")
    step(page, "number")
    type_number(page, "9031234567", "7")
    expect(page.locator("#typed")).to_have_text("+7 903 123-45-67")
    expect(page.locator(".hint-line")).to_contain_text("Билайн")
    measure(page, "number")
    touch(page, "next")
    step(page, "amount")
    measure(page, "amount")
    touch(page, "cash_any")
    step(page, "cash")
    # Before the first note: the number, the commission, what will be credited, no change.
    expect(page.locator(".chosen")).to_contain_text("+7 903 123-45-67 · Билайн")
    expect(page.locator(".rules")).to_contain_text("Сдача не выдаётся")
    expect(page.locator("#credited")).to_have_text("0 ₽")
    measure(page, "cash")
    insert(page, "10000", "100 ₽")
    expect(page.locator("#commission")).to_have_text("10 ₽")
    insert(page, "50000", "600 ₽")
    expect(page.locator("#commission")).to_have_text("0 ₽")
    assert text(page.locator("#credited")) == "600 ₽"
    measure(page, "cash with notes")
    touch(page, "pay")
    step(page, "result")
    assert "600 ₽ зачислено на +7 903 123-45-67" in text(page.locator(".result"))
    measure(page, "result")
    touch(page, "receipt")
    step(page, "receipt")
    receipt = text(page.locator("#receipt"))
    for expected in ("Терминал", RU, "МСК", "Заказ", "+7 903 123-45-67", "Билайн",
                     "Внесено", "600 ₽", "Комиссия", "0 ₽", "Зачислено", "0611",
                     "Сохраните этот чек."):
        assert expected in receipt, expected
    assert re.search(r"K-\d{6}-\d{6}", receipt)
    measure(page, "receipt")
    # The receipt prints alone, 74 mm wide (80 mm paper, 3 mm margins).
    page.emulate_media(media="print")
    width = page.evaluate("document.getElementById('receipt').getBoundingClientRect().width")
    assert 270 < width < 290, width  # 74 mm = 279.7 CSS px
    assert page.evaluate("getComputedStyle(document.querySelector('.actions')).visibility") \
        == "hidden"
    page.emulate_media(media="screen")
    # Printed (as chromium --kiosk-printing does): one page, 80 mm wide.
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert abs(float(box.group(1)) - 80 / 25.4 * 72) < 2  # 80 mm in points
    touch(page, "finish")
    step(page, "attract")


def test_walking_away_with_cash_inserted(open_page, live_server):
    page = kiosk_page(open_page, live_server)
    page.locator("button[name=lang][value=en]").click()
    touch(page, "operator", "mts")
    type_number(page, "9821234567", "7")
    touch(page, "next")
    touch(page, "amount", "20000")
    step(page, "method")
    expect(touch_button(page, "method", "cash")).to_contain_text("₽210")
    touch(page, "method", "cash")
    insert(page, "5000", "₽50")
    insert(page, "20000", "₽250")
    # The customer walks away: the clock jumps past the minute and the countdown.
    page.locator(".walk button").click()
    step(page, "attract")
    sandbox = open_page(viewport=KIOSK)
    sandbox.goto(f"{live_server.url}/sandbox/?lang=en")
    kiosks = sandbox.locator("#kiosks")
    expect(kiosks).to_contain_text("+7 982 123-45-67")
    expect(kiosks).to_contain_text("₽240")  # 250 inserted − 10 commission
    kiosks.locator("a[href*='/receipts/']").first.click()
    expect(sandbox.locator("#receipt")).to_contain_text("Keep this receipt.")
    expect(sandbox.locator("#receipt")).to_contain_text("₽250")


def test_the_idle_question_counts_down(open_page, live_server):
    page = kiosk_page(open_page, live_server, CN)
    page.locator("button[name=lang][value=zh]").click()
    step(page, "operator")
    with live_server.app.app_context():  # a minute without a touch
        session = db.session.query(KioskSession).filter_by(terminal=CN, ended_at=None).one()
        session.last_touch_at = clock.now() - timedelta(seconds=62)
        db.session.commit()
    dialog = page.locator(".idle")
    expect(dialog).to_be_visible(timeout=5000)
    expect(dialog).to_contain_text("您还在吗？")
    first = int(dialog.locator(".countdown").inner_text())
    assert 1 <= first <= 18
    measure(page, "idle question")
    expect(dialog.locator(".countdown")).not_to_have_text(str(first), timeout=4000)
    dialog.locator("button").click()
    expect(dialog).to_be_hidden()
    step(page, "operator")


def test_every_step_in_every_language_fits_and_is_big_enough(open_page, live_server):
    for lang, terminal, operator, digits, country in (
            ("ru", RU, "tele2", "9771234567", "7"), ("en", RU, "megafon", "9261234567", "7"),
            ("zh", CN, "china_unicom", "13012345678", "86")):
        page = kiosk_page(open_page, live_server, terminal)
        page.locator(f"button[name=lang][value={lang}]").click()
        touch(page, "operator", operator)
        type_number(page, digits, country)
        measure(page, f"{lang} number")
        touch(page, "next")
        step(page, "amount")
        touch(page, "amount", page.locator(
            "form.touch:has(input[value=amount]) input[name=value]").first.get_attribute("value"))
        step(page, "method")
        measure(page, f"{lang} method")
        touch(page, "method", "card")
        step(page, "card")
        measure(page, f"{lang} card")
        panel_button(page, ".cards", "4000000000009995").click()
        expect(page.locator(".hint-line .error")).to_be_visible()
        for other in ("ru", "en", "zh"):  # the language buttons keep the step
            page.locator(f".langs button[value={other}]").click()
            expect(page.locator("html")).to_have_attribute(
                "lang", {"zh": "zh-Hans"}.get(other, other))
            step(page, "card")
            measure(page, f"{other} card after {lang}")
        panel_button(page, ".cards", "4242424242424242").click()
        step(page, "result")
        measure(page, f"{lang} card result")
        touch(page, "receipt")
        expect(page.locator("#receipt")).to_contain_text("4242")
        touch(page, "finish")
        step(page, "attract")


def test_a_second_tab_shows_the_same_step_and_a_device_note_arrives(open_page, live_server):
    page = kiosk_page(open_page, live_server)
    page.locator("button[name=lang][value=ru]").click()
    touch(page, "operator", "beeline")
    type_number(page, "9031234567", "7")
    touch(page, "next")
    touch(page, "cash_any")
    step(page, "cash")
    second = open_page(viewport=KIOSK)
    second.goto(f"{live_server.url}/kiosk/{RU}")
    step(second, "cash")
    # The bill acceptor's driver posts a note: both screens show it without a touch.
    body = json.dumps({"terminal": RU, "event_id": "e2e-1", "note": 1000}).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(b"test-kiosk-secret", stamp.encode() + b"." + body,
                         hashlib.sha256).hexdigest()
    request = urllib.request.Request(f"{live_server.url}/api/kiosk/notes", data=body,
                                     headers={"Content-Type": "application/json",
                                              "X-Timestamp": stamp, "X-Signature": signature})
    with urllib.request.urlopen(request) as answer:
        assert json.load(answer)["accepted"] is True
    expect(page.locator("#inserted")).to_have_text(re.compile(r"^1\s000\s₽$"), timeout=6000)
    expect(second.locator("#inserted")).to_have_text(re.compile(r"^1\s000\s₽$"), timeout=6000)
    second.reload()
    expect(second.locator("#credited")).to_have_text(re.compile(r"^1\s000\s₽$"))


def test_without_javascript_the_kiosk_still_tops_up(open_page, live_server):
    page = kiosk_page(open_page, live_server, javascript=False)
    page.locator("button[name=lang][value=en]").click()
    touch(page, "operator", "beeline")
    for digit in "9031234567":
        touch(page, "key", digit)
    expect(page.locator("#typed")).to_have_text("+7 903 123-45-67")
    touch(page, "next")
    touch(page, "cash_any")
    insert(page, "100000", "₽1,000")
    touch(page, "pay")
    step(page, "result")
    touch(page, "receipt")
    # Print opens the printable receipt page without JavaScript.
    page.locator("a[data-print]").click()
    expect(page.locator("#receipt")).to_contain_text("₽1,000")
    expect(page).to_have_url(re.compile(r"/kiosk/770101/receipts/"))


def walk_steps(page: Page, lang: str, terminal: str, operator: str, digits: str,
               country: str):
    """Touch through every step of a cash top-up and a card one; yield each step's name."""
    yield "attract"
    page.locator(f"button[name=lang][value={lang}]").click()
    step(page, "operator")
    yield "operator"
    touch(page, "operator", operator)
    type_number(page, digits, country)
    yield "number"
    touch(page, "next")
    step(page, "amount")
    yield "amount"
    touch(page, "amount", page.locator("form.touch:has(input[value=amount]) input[name=value]")
          .first.get_attribute("value"))
    step(page, "method")
    yield "method"
    touch(page, "method", "card")
    step(page, "card")
    panel_button(page, ".cards", "4000000000000069").click()
    expect(page.locator(".hint-line .error")).to_be_visible()
    yield "card declined"
    touch(page, "back")
    touch(page, "method", "cash")
    step(page, "cash")
    yield "cash"
    page.locator(".notes button").nth(3).click()
    expect(page.locator("#inserted")).not_to_have_text(re.compile(r"^\D*0\D*$"))
    yield "cash with a note"
    touch(page, "pay")
    step(page, "result")
    yield "result"
    touch(page, "receipt")
    step(page, "receipt")
    yield "receipt"
    touch(page, "finish")
    step(page, "attract")


@pytest.mark.parametrize(("lang", "terminal", "operator", "digits", "country"), [
    ("ru", RU, "mts", "9821234567", "7"), ("zh", CN, "china_telecom", "13312345678", "86")])
def test_no_step_has_an_axe_violation(open_page, live_server, lang, terminal, operator,
                                      digits, country):
    """axe-core (WCAG 2.x A/AA, contrast 4.5:1 included) on every step."""
    from axe_playwright_python.sync_playwright import Axe

    page = kiosk_page(open_page, live_server, terminal)
    axe, found, seen = Axe(), [], []
    for name in walk_steps(page, lang, terminal, operator, digits, country):
        seen.append(name)
        page.wait_for_load_state("load")
        for violation in axe.run(page).response["violations"]:
            nodes = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:4])
            found.append(f"{name}: {violation['id']} ({violation['impact']}): {nodes}")
    assert len(seen) == 10
    assert not found, "axe-core found:\n" + "\n".join(found)


def test_quick_taps_on_the_keypad_keep_their_order(open_page, live_server):
    """A customer who types faster than the server answers gets the digits in the order
    tapped: the keypad stays on the screen and its requests queue up one after another."""
    page = kiosk_page(open_page, live_server)
    page.locator("button[name=lang][value=ru]").click()
    touch(page, "operator", "beeline")
    step(page, "number")
    for digit in "9031234567":
        touch_button(page, "key", digit).click(delay=0)
    expect(page.locator("#typed")).to_have_text("+7 903 123-45-67")
    touch_button(page, "backspace").click()
    touch_button(page, "key", "8").click()
    expect(page.locator("#typed")).to_have_text("+7 903 123-45-68")
    expect(page.locator("#number-actions button").last).to_be_enabled()
    touch(page, "next")
    step(page, "amount")
