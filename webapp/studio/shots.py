"""`flask studio shots`: every studio screen × language × size through Chromium.

For each it keeps a PNG (DIR/SIZE/LANG/SCREEN.png), the catalog messages its render asked for,
and what the page shows wrong: text that overflows its box (any language) and, in the
pseudo-locale, visible text that no catalog message made. It writes DIR/index.html (every
picture, the findings), DIR/strings.json (msgid → screens, screen → msgids) and
DIR/report.txt, and says whether anything was found.

The screens come from the app's own studio frames (/studio/screens/NAME/frame?lang=), served
by a server of this process, or by the one a test already runs (`shoot(base_url, …)`).
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from ..i18n import force_locale
from . import SIZES as studio_sizes
from . import load
from .checks import OVERFLOWS, VISIBLE_TEXTS, untranslated

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
SIZES = studio_sizes  # phone, kiosk (SPEC §7's portrait screen), desktop
LOCALES = ("ru", "en", "zh", "qps")
PSEUDO = "qps"

# Found in the checkout's pages: the heading "Order T-…" is one unbreakable monospace line
# (`h1.order-no`), wider than a phone in longer languages (the number alone should be the
# `order_number` filter's nowrap span; the tests of the order page still find the heading by
# that class). Reported as known, not failing the run; a pattern no finding matches any more, in
# a run of every screen in the pseudo-locale, is reported as stale: take it off the list.
# The wallet screens that are checkout pages show the same (the rest are the wallet's site).
CHECKOUT_SCREENS = re.compile(r"^(order|mobile)\."
                              r"|^wallet\.(chooser_cn|chooser_ru|checking|receipt|qr|qr_expired)$")
AWAITING_CHECKOUT_SEAM = (
    ("overflow", re.compile(r"^h1\.order-no ")),
)


def _known_pattern(screen: str, kind: str, detail: str) -> int | None:
    """The index of the AWAITING_CHECKOUT_SEAM entry that explains a finding, if any."""
    if not CHECKOUT_SCREENS.match(screen):
        return None
    return next((at for at, (known_kind, pattern) in enumerate(AWAITING_CHECKOUT_SEAM)
                 if kind == known_kind and pattern.search(detail)), None)


@dataclass(frozen=True)
class Finding:
    screen: str
    lang: str
    size: str
    kind: str  # overflow | untranslated
    detail: str

    @property
    def known(self) -> bool:
        return _known_pattern(self.screen, self.kind, self.detail) is not None

    def __str__(self) -> str:
        return f"{self.screen} [{self.lang}, {self.size}] {self.kind}: {self.detail}"


@dataclass
class Report:
    out: Path
    shots: list[tuple[str, str, str]] = field(default_factory=list)  # (screen, lang, size)
    findings: list[Finding] = field(default_factory=list)
    messages: dict[str, list[tuple[str | None, str]]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)

    @property
    def new(self) -> list[Finding]:
        return [f for f in self.findings if not f.known]

    complete: bool = False  # every screen shot in the pseudo-locale, the phone's among them

    @property
    def stale(self) -> list[str]:
        """Known defects no longer found (said only of a complete pseudo-locale run)."""
        if not self.complete:
            return []
        matched = {_known_pattern(f.screen, f.kind, f.detail) for f in self.findings}
        return [f"{kind}: {pattern.pattern}" for at, (kind, pattern)
                in enumerate(AWAITING_CHECKOUT_SEAM) if at not in matched]


def _msg_key(context: str | None, msgid: str) -> str:
    """gettext's own way to write a message with a context: "context\\x04msgid"."""
    return f"{context}\x04{msgid}" if context else msgid


def _page_findings(page, name: str, lang: str, size: str) -> list[Finding]:
    found = [Finding(name, lang, size, "overflow", text) for text in page.evaluate(OVERFLOWS)]
    if lang == PSEUDO:
        for text in page.evaluate(VISIBLE_TEXTS):
            if untranslated(text):
                shown = text if text.startswith("placeholder") else text.partition(": ")[2]
                found.append(Finding(name, lang, size, "untranslated", shown))
    return sorted(set(found), key=str)


def sizes_of(registry, names: list[str], sizes) -> dict[str, list[str]]:
    """The screens to shoot at each of `sizes`: each screen at its own size (a kiosk's at a
    kiosk's) when `sizes` has it, else at a phone's (the site is mobile-first) when it has
    that, else at every size asked for (`--sizes phone`: all at a phone's)."""
    chosen: dict[str, list[str]] = {size: [] for size in sizes}
    for name in names:
        own = registry[name].size
        fallback = ["phone"] if "phone" in sizes else list(sizes)
        for size in ([own] if own in sizes else fallback):
            chosen[size].append(name)
    return chosen


def shoot(base_url: str, out: Path, *, browser, locales=LOCALES, sizes=tuple(SIZES),
          screens: list[str] | None = None, progress=None, more_checks=None) -> Report:
    """Shoot `screens` (all by default) of the server at `base_url` into `out` with
    `browser` (a Playwright Browser), each at its own size among `sizes` (sizes_of); the
    report (also written to out/). `more_checks(page)`, if given, returns more problems of
    each screen (a test runs axe-core so): findings of kind "check"."""
    registry = load()
    names = screens or list(registry)
    report = Report(out, complete=(PSEUDO in locales and "phone" in sizes
                                   and set(names) == set(registry)))
    with force_locale("en"):
        report.titles = {name: str(registry[name].title) for name in names}
    for size, at_size in sizes_of(registry, names, sizes).items():
        if not at_size:
            continue
        # The frames carry no script (views/studio.py); the checks' own scripts need it on.
        context = browser.new_context(viewport=SIZES[size], device_scale_factor=1)
        try:
            page = context.new_page()
            for lang in locales:
                folder = out / size / lang
                folder.mkdir(parents=True, exist_ok=True)
                for name in at_size:
                    response = page.goto(f"{base_url}/studio/screens/{name}/frame?lang={lang}")
                    if response is None or response.status != 200:
                        raise RuntimeError(f"{name} in {lang}: the studio answered "
                                           f"{response.status if response else 'nothing'}")
                    report.messages.setdefault(name, [
                        tuple(m) for m in json.loads(response.headers["x-studio-messages"])])
                    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
                    report.shots.append((name, lang, size))
                    report.findings += _page_findings(page, name, lang, size)
                    report.findings += [Finding(name, lang, size, "check", text)
                                        for text in (more_checks(page) if more_checks else [])]
                if progress:
                    progress(f"{size} {lang}: {len(at_size)} screens")
        finally:
            context.close()
    _write(report, locales, sizes, names)
    return report


def _write(report: Report, locales, sizes, names: list[str]) -> None:
    out = report.out
    by_msgid: dict[str, list[str]] = {}
    for name in names:
        for context, msgid in report.messages.get(name, []):
            by_msgid.setdefault(_msg_key(context, msgid), []).append(name)
    strings = {"by_msgid": by_msgid,
               "by_screen": {name: [_msg_key(c, m) for c, m in report.messages.get(name, [])]
                             for name in names}}
    (out / "strings.json").write_text(json.dumps(strings, ensure_ascii=False, indent=1,
                                                 sort_keys=True), encoding="utf-8")
    (out / "report.txt").write_text(report_text(report), encoding="utf-8")
    (out / "index.html").write_text(_index(report, locales, sizes, names), encoding="utf-8")


def report_text(report: Report) -> str:
    lines = [f"{len(report.shots)} screenshots of {len(report.messages)} screens",
             f"overflowing or untranslated: {len(report.new)}"]
    lines += [f"  {finding}" for finding in report.new]
    known = [f for f in report.findings if f.known]
    if known:
        lines.append(f"known, in checkout templates being rewritten (branch seam): {len(known)}")
        lines += [f"  {finding}" for finding in known]
    if report.stale:
        lines.append("listed as known but no longer found (take them off the list):")
        lines += [f"  {entry}" for entry in report.stale]
    return "\n".join(lines) + "\n"


_STYLE = """body{font:14px system-ui,sans-serif;margin:1rem}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.25rem;vertical-align:top;text-align:left}
img{width:195px;display:block}.bad{color:#b3261e}code{font-size:12px}"""


def _index(report: Report, locales, sizes, names: list[str]) -> str:
    esc = html.escape
    by_screen: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_screen.setdefault(finding.screen, []).append(finding)
    head = "".join(f"<th>{esc(size)} · {esc(lang)}</th>" for size in sizes for lang in locales)
    rows, shot = [], set(report.shots)
    for name in names:
        cells = "".join(
            f'<td><a href="{size}/{lang}/{esc(name)}.png"><img loading="lazy" alt="{esc(name)}'
            f' {lang} {size}" src="{size}/{lang}/{esc(name)}.png"></a></td>'
            if (name, lang, size) in shot else "<td></td>"
            for size in sizes for lang in locales)
        problems = "".join(f'<li class="{"" if f.known else "bad"}">{esc(str(f))}</li>'
                           for f in by_screen.get(name, []))
        messages = "".join(f"<li><code>{esc(_msg_key(c, m))}</code></li>"
                           for c, m in report.messages.get(name, []))
        rows.append(f'<tr id="{esc(name)}"><th><code>{esc(name)}</code><br>'
                    f'{esc(report.titles.get(name, ""))}<ul>{problems}</ul>'
                    f"<details><summary>{len(report.messages.get(name, []))} msgids</summary>"
                    f"<ul>{messages}</ul></details></th>{cells}</tr>")
    return (f'<!doctype html><html lang="en"><meta charset="utf-8"><title>Studio shots</title>'
            f"<style>{_STYLE}</style><h1>Studio shots</h1><pre>{esc(report_text(report))}"
            f'</pre><p><a href="strings.json">strings.json</a> · <a href="report.txt">'
            f'report.txt</a></p><table><tr><th>screen</th>{head}</tr>{"".join(rows)}</table>')


class _QuietHandler(WSGIRequestHandler):
    """No line per request: the command prints its own progress."""

    def log_request(self, code="-", size="-"):
        pass


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """`app` served on a free port of 127.0.0.1 for the block; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="studio-shots", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium, headless, through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
