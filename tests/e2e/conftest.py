"""Browser tests: Debian's Chromium driven by Playwright against a live server on 127.0.0.1.

The live server is its own app on its own SQLite file (migrated, demo data seeded), with CSRF
on, because a real browser has to pass it. It does not use the `app` fixture of
tests/conftest.py: that one is parametrized over backends and freezes the clock, while the
browser needs a server that keeps running on real time (plus the sandbox offset).

Every page records console errors (CSP violations are console errors too), uncaught
exceptions, failed requests and error responses of sub-resources; a test whose page logged
any of them fails at teardown. On failure a screenshot goes to test-artifacts/.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from webapp import create_app
from webapp.clock import clock
from webapp.config import TestConfig
from webapp.extensions import db
from webapp.services import demo

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is an e2e test (`-m "not e2e"` leaves them out)."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell a failed test."""
    report = yield
    setattr(item, "rep_" + report.when, report)
    return report


def _require_chromium() -> None:
    if os.path.exists(CHROMIUM):
        return
    reason = f"Chromium not found at {CHROMIUM}; CI installs it"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1 is set, so this is a failure: "
                    "apt-get install -y chromium fonts-wqy-microhei)", pytrace=False)
    pytest.skip(reason)


# --- the live server -------------------------------------------------------------------------

@dataclass
class LiveServer:
    url: str
    app: Flask

    def reset_clock(self) -> None:
        """Back to real time: no frozen base, no sandbox offset in the database."""
        clock.freeze(None)
        with self.app.app_context():
            clock.reset()
            db.session.remove()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    _require_chromium()
    path = tmp_path_factory.mktemp("e2e") / "e2e.db"
    clock.freeze(None)  # the clock is a module singleton; web tests may have left it pinned
    app = create_app(TestConfig, {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(path),
        "WTF_CSRF_ENABLED": True,
        "SANDBOX": True,
        "CREDIT_DELAY_SECONDS": 0,
    })
    with app.app_context():
        upgrade()
        demo.seed()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _real_time(live_server) -> Iterator[None]:
    """Each test starts, and leaves, the sandbox clock at real time."""
    live_server.reset_clock()
    yield
    live_server.reset_clock()


# --- the browser -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Console errors that are not faults of the page:
# - htmx 2 logs every aborted request with console.error ("htmx:afterRequest, [object …]" then
#   "htmx:sendAbort, …"); the top-up form aborts a superseded preview on purpose
#   (hx-sync="this:replace"). Network errors, timeouts and error statuses are still caught by
#   the request listeners below and by htmx's own sendError/timeout/responseError messages.
# - the browser's own request for /favicon.ico: the app declares no icon (yet).
# - "Failed to load resource" for a document the server answered with 402, 409 or 422: a
#   rejected form shown again with its errors, on purpose (checked against the response seen).
_HTMX_ABORT = re.compile(r"htmx:(afterRequest|sendAbort), \[object \w+\]")
_BAD_STATUS = re.compile(r"Failed to load resource: the server responded with a status of "
                         r"(\d{3})\b")
_FORM_ANSWERS = {402, 409, 422}


@dataclass
class PageProblems:
    """What went wrong inside the browser while a test ran."""

    console_errors: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    error_responses: list[str] = field(default_factory=list)
    form_answers: set[tuple[str, int]] = field(default_factory=set)  # (document url, status)
    # Pages a test expects to be refused, say a 404 for somebody else's order (open_page.expect).
    expected_answers: set[tuple[str, int]] = field(default_factory=set)

    def _harmless(self, text: str, where: str) -> bool:
        if _HTMX_ABORT.fullmatch(text):
            return True
        status = _BAD_STATUS.match(text)
        if status is None:
            return False
        code = int(status.group(1))
        return ((code == 404 and where.endswith("/favicon.ico"))
                or (where, code) in self.form_answers)

    def all(self) -> list[str]:
        return ([f"console error: {text} ({where})" for text, where in self.console_errors
                 if not self._harmless(text, where)]
                + [f"uncaught exception: {m}" for m in self.page_errors]
                + [f"CSP violation: {m}" for m in self.csp_violations]
                + [f"request failed: {m}" for m in self.failed_requests]
                + [f"error response: {m}" for m in self.error_responses])


_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__e2eCsp && window.__e2eCsp(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')
    + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


def _watch(context, problems: PageProblems) -> None:
    def on_console(msg):
        if msg.type == "error":
            problems.console_errors.append((msg.text, msg.location.get("url", "")))

    def on_request_failed(request):
        failure = request.failure or ""
        # htmx cancels a superseded request on purpose (hx-sync replace), and leaving a page
        # aborts whatever it was still loading: neither is a fault.
        if "ERR_ABORTED" in failure:
            return
        problems.failed_requests.append(f"{request.method} {request.url}: {failure}")

    def on_response(response):
        # A rejected form may come back as a page with 402/409/422; anything else a page loads
        # (CSS, script, htmx fragments) must load, and nothing may be a server error.
        request = response.request
        if request.resource_type == "document" and (
                response.status in _FORM_ANSWERS
                or (response.url, response.status) in problems.expected_answers):
            problems.form_answers.add((response.url, response.status))
        elif response.status >= 400 and not (response.status == 404
                                             and request.url.endswith("/favicon.ico")):
            problems.error_responses.append(f"{request.method} {response.url} -> "
                                            f"{response.status} ({request.resource_type})")

    context.on("console", on_console)
    context.on("weberror", lambda error: problems.page_errors.append(str(error.error)))
    context.on("requestfailed", on_request_failed)
    context.on("response", on_response)
    context.expose_function("__e2eCsp", lambda report: problems.csp_violations.append(report))
    context.add_init_script(_CSP_LISTENER)


@pytest.fixture
def open_page(browser, request) -> Iterator[Callable]:
    """open_page(locale="ru-RU", javascript=True, **options) -> a fresh phone-sized page in its own
    context (own cookies). Problems the pages ran into fail the test at teardown, but for the
    answers a test expects: open_page.expect(url, status)."""
    contexts = []
    problems = PageProblems()

    def _open(locale: str = "ru-RU", javascript: bool = True, viewport: dict | None = None,
              **options):
        # options: more of Playwright's new_context(), e.g. has_touch=True for tap()
        context = browser.new_context(viewport=viewport or PHONE, locale=locale,
                                      java_script_enabled=javascript,
                                      device_scale_factor=2, **options)
        context.set_default_timeout(10_000)
        _watch(context, problems)
        contexts.append(context)
        return context.new_page()

    _open.expect = lambda url, status: problems.expected_answers.add((url, status))
    yield _open

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for index, context in enumerate(contexts):
            for number, page in enumerate(context.pages):
                name = re.sub(r"[^\w.-]+", "_", request.node.name)
                try:
                    page.screenshot(path=str(ARTIFACTS / f"{name}-{index}-{number}.png"),
                                    full_page=True)
                except Exception:  # noqa: BLE001 - a screenshot is a courtesy, never a failure
                    pass
    for context in contexts:
        context.close()
    found = problems.all()
    if found:
        pytest.fail("the browser reported problems:\n  " + "\n  ".join(found), pytrace=False)


@pytest.fixture
def page(open_page):
    """A phone-sized page with JavaScript, Russian browser locale (tests pass ?lang=)."""
    return open_page()
