"""The stage a studio scenario plays on: a browser of its own (cookies, session, address)
driving the real app through its real routes, and subjects of its own.

Nothing is faked: a scenario reaches its screen the way a person does (types a number, pays,
types a wrong code), so the screen is what that person sees. What it may not do by hand in a
minute (wait ten minutes for a code to expire, an hour for an order) it does through the
sandbox's own tools: the virtual phone's "expire now" and "skip the wait", or an order's
deadline moved for that one order. The shared clock is never moved.

Isolation: every stage makes fresh subscribers (the builder, marked `studio`, kept off the
sandbox's list), has its own session (nobody is signed in as a tester's number, no tester's
order is touched) and its own client address (the rate limits of a tester's address are not
spent on the gallery). A kiosk has one open session per terminal, so kiosk screens play on the
studio's own terminals (`studio = true` in rules/kiosk.toml, listed nowhere): `stage.kiosk()`
takes the market's one for the rest of the play (one screen at a time in this process; the
two frames of a screen wait for each other) and ends whatever session it had.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from ..clock import clock
from ..domain import kiosk as kiosk_steps
from ..extensions import db
from ..i18n import LANG_COOKIE, recording
from ..models import KioskSession, Order, SmsMessage
from ..services import builder, kiosk, rules, sandbox_codes

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')
_CODE = re.compile(r"(?<!\d)\d{4,10}(?!\d)")
# Redirects a flow follows before it gives up (a loop would be a defect of the app).
_MAX_HOPS = 5


class StageError(RuntimeError):
    """A scenario did not reach its screen: a step answered what nobody expects."""


@dataclass
class Heard:
    """One request of a stage: its response and the catalog messages its render asked for."""

    response: TestResponse
    path: str
    messages: list[tuple[str | None, str]] = field(default_factory=list)


class Stage:
    """A fresh browser in `lang` (ru, en, zh, qps) against `app`."""

    def __init__(self, app: Flask, lang: str):
        self.app, self.lang = app, lang
        self.client = app.test_client()
        self.client.set_cookie(LANG_COOKIE, lang)
        # An address of the benchmarking range (RFC 2544), one per stage: rate limits count
        # per address, and the gallery must not spend a tester's.
        self.address = f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
        self._csrf: str | None = None
        self.last: Heard | None = None

    # --- requests, as a browser makes them ---------------------------------------------------

    def _open(self, method: str, path: str, data: dict | None = None,
              headers: dict | None = None) -> Heard:
        with self.app.app_context(), recording() as heard:
            response = self.client.open(path, method=method, data=data, headers=headers,
                                        environ_base={"REMOTE_ADDR": self.address})
            body = response.get_data(as_text=True)
        found = _TOKEN.search(body)
        if found:
            self._csrf = found.group(1) or found.group(2)
        self.last = Heard(response, path, list(heard))
        return self.last

    def _follow(self, heard: Heard) -> Heard:
        for _ in range(_MAX_HOPS):
            if heard.response.status_code not in (301, 302, 303):
                return heard
            heard = self._open("GET", heard.response.headers["Location"])
        raise StageError(f"too many redirects from {heard.path}")

    def get(self, path: str, expect: int | tuple[int, ...] = 200) -> Heard:
        """GET `path` (following redirects); raises StageError on another status."""
        return self._expect(self._follow(self._open("GET", path)), expect)

    def post(self, path: str, expect: int | tuple[int, ...] = 200, **form: str) -> Heard:
        """Submit a form to `path` as its page would (CSRF token included), then follow the
        redirect; raises StageError when the answer's status is not `expect`."""
        if self._csrf is None:
            self._open("GET", "/trust")  # any page carries the session's token
        data = {"csrf_token": self._csrf or "", **form}
        return self._expect(self._follow(self._open("POST", path, data=data)), expect)

    @staticmethod
    def _expect(heard: Heard, expect: int | tuple[int, ...]) -> Heard:
        allowed = expect if isinstance(expect, tuple) else (expect,)
        if heard.response.status_code not in allowed:
            raise StageError(f"{heard.path} answered {heard.response.status_code}, "
                             f"expected {allowed}")
        return heard

    def session_set(self, **values: str) -> None:
        """Put values into this browser's session, for a state no page leads to (a code page
        for a number that never got a code)."""
        with self.app.app_context(), self.client.session_transaction() as session:
            session.update(values)

    # --- subjects and sandbox tools ----------------------------------------------------------

    def subscriber(self, operator: str = "beeline", *, balance: int = 100000,
                   years: int = 2, months: int = 0, phone: str | None = None,
                   history_months: int = 3, monthly_spend: int = 50000,
                   **spec: object) -> str:
        """A new subscriber of the studio's own (amounts in minor units), made by the
        subscriber builder; its E.164 number."""
        with self.app.app_context():
            market = builder.market_of(operator)
            if market is None:
                raise StageError(f"unknown operator {operator}")
            today = clock.now().astimezone(ZoneInfo(market.timezone)).date()
            activated = _months_before(today, years * 12 + months)
            built = builder.create(builder.SubscriberSpec(
                operator=operator, balance=balance, activated_on=activated, phone=phone,
                history_months=history_months, monthly_spend=monthly_spend,
                note=builder.STUDIO_NOTE, **spec))
            return built.spec.phone or ""

    def latest_sms(self, phone: str) -> str:
        """The newest SMS body sent to `phone`."""
        with self.app.app_context():
            body = db.session.scalar(
                select(SmsMessage.body)
                .where(SmsMessage.phone == phone, SmsMessage.direction == "out")
                .order_by(SmsMessage.id.desc()).limit(1))
        if body is None:
            raise StageError(f"no SMS went to {phone}")
        return body

    def code_sent_to(self, phone: str) -> str:
        """The code in the newest SMS to `phone` (the sandbox keeps it readable)."""
        found = _CODE.search(self.latest_sms(phone))
        if found is None:
            raise StageError(f"the last SMS to {phone} has no code")
        return found.group(0)

    def latest_code_id(self, phone: str) -> int:
        with self.app.app_context():
            codes = sandbox_codes.codes_of(phone)
        if not codes:
            raise StageError(f"{phone} has no code")
        return max(code.id for code in codes)

    def expire_code(self, phone: str) -> None:
        """The virtual phone's "Expire now" on the number's newest code."""
        self.post(f"/phone/{phone[1:]}/codes/{self.latest_code_id(phone)}/expire")

    def skip_wait(self, phone: str) -> None:
        """The virtual phone's "Skip the wait" on the number's newest code."""
        self.post(f"/phone/{phone[1:]}/codes/{self.latest_code_id(phone)}/skip-wait")

    def order_past_deadline(self, number: str) -> None:
        """This one order's payment window over (the studio's own order: the shared clock
        stays where the testers left it); the next page that shows it settles it."""
        with self.app.app_context():
            order = db.session.scalar(select(Order).where(Order.number == number))
            if order is None:
                raise StageError(f"no order {number}")
            order.deadline = clock.now() - timedelta(seconds=1)
            db.session.commit()

    # --- kiosks ---------------------------------------------------------------------------

    def kiosk(self, market: str) -> str:
        """The studio's own terminal of `market` (no other play uses it meanwhile: studio.run
        plays one scenario at a time), back on its attract screen (any session it had ended,
        its cash paid in): its number."""
        with self.app.app_context():
            term = next((t for t in rules().terminals.values()
                         if t.studio and t.market == market), None)
            if term is None:
                raise StageError(f"rules/kiosk.toml has no studio terminal of {market}")
        with self.app.app_context():
            kiosk.reset(term.id)
        return term.id

    def kiosk_idle(self, terminal_id: str) -> None:
        """The customer stopped touching the studio's terminal a minute ago and some: the
        screen asks "Are you still there?" (the shared clock stays where it is)."""
        with self.app.app_context():
            session = db.session.scalar(select(KioskSession).where(
                KioskSession.terminal == terminal_id, KioskSession.ended_at.is_(None)))
            if session is None:
                raise StageError(f"no open session on {terminal_id}")
            session.last_touch_at = clock.now() - kiosk_steps.IDLE_WARNING - timedelta(
                seconds=5)
            session.revision += 1
            db.session.commit()

    def market_of_lang(self) -> str:
        """The market a person reading this language tops up in: China for Chinese."""
        return "CN" if self.lang == "zh" else "RU"

    def currency(self, market: str) -> str:
        with self.app.app_context():
            return rules().market(market).currency


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, 28))
