"""The main phone screens, walked in Chromium at 390×844: axe-core finds no violation (WCAG 2.x
A/AA and best practices, contrast included), every control is a touch target of at least
44×44 CSS px, and in the pseudo-locale every visible text comes from the catalog.

axe-core is the copy the axe-playwright-python package ships (a test dependency only).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from webapp.studio.checks import VISIBLE_TEXTS, untranslated

from .screens import SCREENS, walk

pytestmark = pytest.mark.e2e

LOCALES = {"ru": "ru-RU", "zh": "zh-CN", "qps": "en-US"}
TARGET = 44  # CSS px, on a phone screen

# Every control's box, or its label's where the label is what one taps (tiles, check boxes).
# A link inside a sentence is left out, as WCAG 2.5.8 leaves it out: its line sizes it.
_SMALL_TARGETS = """
(target) => {
  const small = [];
  const seen = new Set();
  const controls = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const control of document.querySelectorAll(controls)) {
    const label = control.matches('input[type=radio], input[type=checkbox]')
      ? control.closest('label') : null;
    const box_of = label || control;
    if (seen.has(box_of)) continue;
    seen.add(box_of);
    const box = box_of.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(box_of).visibility === 'hidden')
      continue;
    if (control.tagName === 'A' && getComputedStyle(control).display === 'inline') {
      const sentence = control.parentElement.closest('p, li, dd, small, span, label');
      if (sentence && sentence.textContent.trim().length > control.textContent.trim().length)
        continue;
    }
    if (box.width < target || box.height < target) {
      const name = (control.textContent || control.name || control.id || '').trim();
      small.push(`${control.tagName.toLowerCase()} "${name.slice(0, 40)}": `
        + `${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}
"""

# Controls whose edge (border, or their own background where they have no border) is below 3:1
# against what is behind them (WCAG 1.4.11 non-text contrast): a field one cannot find.
_WEAK_EDGES = """
() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05); };
  const opaque = (c) => rgb(c).length < 4 || rgb(c)[3] > 0;
  const behind = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
      const bg = getComputedStyle(p).backgroundColor; if (opaque(bg)) return rgb(bg); }
    return [255, 255, 255]; };
  const weak = [];
  const controls = 'input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, '
    + 'textarea, button, .button, .tile, .tabs a';
  for (const el of document.querySelectorAll(controls)) {
    if (el.getClientRects().length === 0 || el.disabled) continue;
    const style = getComputedStyle(el);
    const bordered = parseFloat(style.borderTopWidth) >= 1 && opaque(style.borderTopColor);
    const edge = bordered ? style.borderTopColor : style.backgroundColor;
    if (!opaque(edge)) continue;
    const found = ratio(rgb(edge), behind(el));
    if (found < 3) weak.push(`${el.tagName.toLowerCase()}.${el.className} "`
      + `${(el.textContent || el.name || '').trim().slice(0, 30)}": ${found.toFixed(2)}:1`);
  }
  return weak;
}
"""


@pytest.mark.parametrize("lang", ["ru", "zh"])
def test_main_screens_have_no_axe_violation(open_page, live_server, lang):
    page = open_page(locale=LOCALES[lang])
    axe, found, seen = Axe(), [], []
    for screen in walk(page, live_server.url, lang):
        seen.append(screen)
        for violation in axe.run(page).response["violations"]:
            nodes = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:4])
            found.append(f"{screen}: {violation['id']} ({violation['impact']}): {nodes}")
    assert seen == list(SCREENS)
    assert not found, "axe-core found:\n" + "\n".join(found)


@pytest.mark.parametrize("lang", ["ru", "zh"])
def test_every_control_is_a_44_px_touch_target_with_a_visible_edge(open_page, live_server, lang):
    page = open_page(locale=LOCALES[lang])
    small, weak = [], []
    for screen in walk(page, live_server.url, lang):
        small += [f"{screen}: {found}" for found in page.evaluate(_SMALL_TARGETS, TARGET)]
        weak += [f"{screen}: {found}" for found in page.evaluate(_WEAK_EDGES)]
    assert not small, "smaller than 44×44 px:\n" + "\n".join(small)
    assert not weak, "edges below 3:1 against their background:\n" + "\n".join(weak)


def test_pseudo_locale_shows_only_catalog_text(open_page, live_server):
    """In qps every message is [bracketed]: what is left outside brackets, but numbers, amounts
    and brand names, was written into a page without the catalog."""
    page = open_page(locale=LOCALES["qps"])
    found = []
    for screen in walk(page, live_server.url, "qps"):
        assert page.locator("html").get_attribute("lang") == "en-XA"
        for text in page.evaluate(VISIBLE_TEXTS):
            if untranslated(text):
                found.append(f"{screen}: {text!r}")
    assert not found, "text not from the catalog:\n" + "\n".join(sorted(set(found)))
