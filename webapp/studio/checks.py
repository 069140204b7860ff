"""What the studio looks for in a screen a browser shows: text that overflows its box, and, in
the pseudo-locale, visible text that no catalog message made. The scripts run in the page
(Playwright's `page.evaluate`); the filters here read what they return.
"""

from __future__ import annotations

import re

# Boxes whose own text does not fit: an element with text of its own (or a control) that is
# wider or taller inside than its box and does not scroll, or that sticks out of the window.
# A scrolling box (overflow auto/scroll) is meant to hold more than it shows.
OVERFLOWS = """
() => {
  const found = [];
  const width = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className
       ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const scrolls = (el) => { for (let p = el; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (['auto', 'scroll'].includes(s.overflowX)) return true; }
    return false; };
  for (const el of document.body.querySelectorAll('*')) {
    if (el.getClientRects().length === 0
        || ['SCRIPT', 'STYLE', 'OPTION'].includes(el.tagName)) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || ['inline', 'contents'].includes(style.display))
      continue;
    const text = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent).join('').trim();
    const control = el.matches('button, .button, select, '
      + 'input:not([type=hidden]):not([type=radio]):not([type=checkbox])');
    if (!text && !control) continue;
    if (scrolls(el)) continue;
    const box = el.getBoundingClientRect();
    const label = (text || el.value || el.textContent || '').trim().slice(0, 50);
    const what = `${name(el)} "${label}"`;
    if (el.scrollWidth - el.clientWidth > 1)
      found.push(`${what}: text ${el.scrollWidth} px wide in a box of ${el.clientWidth} px`);
    else if (el.scrollHeight - el.clientHeight > 1 && style.overflowY === 'hidden')
      found.push(`${what}: text ${el.scrollHeight} px high in a box of ${el.clientHeight} px`);
    else if (box.right > width + 1 || box.left < -1)
      found.push(`${what}: out of the window (${Math.round(box.left)}…${Math.round(box.right)}`
        + ` px of ${width})`);
  }
  return found;
}
"""

# The text a person sees: text nodes of rendered elements (not aria-hidden: a logo letter; not
# translate="no": data the studio shows as it is, a msgid or a code), and the placeholder,
# title and aria-label texts.
VISIBLE_TEXTS = """
() => {
  const texts = [];
  const shown = (el) => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[aria-hidden=true]')
    && !el.closest('[translate=no]');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || ['SCRIPT', 'STYLE'].includes(el.tagName) || !shown(el)) continue;
    if (el.matches('.thread > h2')) continue;  // an SMS sender's name: "Beeline", "3-D Secure"
    if (node.textContent.trim()) texts.push(el.closest('[class]')?.className + ': ' + el.innerText);
  }
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label]'))
    for (const attribute of ['placeholder', 'title', 'aria-label'])
      if (el.getAttribute(attribute) && !el.closest('[translate=no]'))
        texts.push(attribute + ': ' + el.getAttribute(attribute));
  texts.push('title: ' + document.title);
  return texts;
}
"""

# Not from the catalog, and rightly so: the language names of the switcher, brand and card
# names, phone and order numbers, amounts, codes, the pseudo-locale's own link.
NOT_WORDS = re.compile(r"Русский|English|中文|\[qps\]|Visa|Mastercard|•+|₽|¥|[A-Z]-\d{6}-\d{6}"
                       r"|\*[\d*]+#|[^A-Za-z]+")


def outside_brackets(text: str) -> str:
    """`text` without its [bracketed] parts (nested too): what no catalog message made."""
    depth, kept = 0, []
    for char in text:
        if char == "[":
            depth += 1
        elif char == "]":
            depth = max(depth - 1, 0)
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


def untranslated(text: str) -> str:
    """What of one VISIBLE_TEXTS line ("where: text") is words no catalog message made ("" for
    none), in the pseudo-locale."""
    _where, _, shown = text.partition(": ")
    return NOT_WORDS.sub("", outside_brackets(shown)).strip()
