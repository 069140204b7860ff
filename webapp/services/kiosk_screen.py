"""What a kiosk's screen shows for its session's step, and the receipt of a kiosk payment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..clock import clock
from ..domain import kiosk as steps
from ..domain.kiosk import CashRules, Terminal, commission, credited, needed_for
from ..domain.markets import Market, Operator
from ..domain.phone import MobileNumber, PhoneError, format_as_typed, parse_mobile
from ..extensions import db
from ..models import KioskSession, Order
from ..payments.card import CardAttempt
from ..payments.cash import CashAttempt
from . import checkout
from .kiosk import available_methods, cash_rules, current, market_of, terminal

ATTRACT = "attract"


@dataclass(frozen=True)
class Receipt:
    """Everything SPEC §7 puts on a kiosk receipt."""

    terminal: Terminal
    at: datetime  # when it was paid
    timezone: str
    order_number: str
    phone: str  # E.164
    operator: Operator
    method: str  # cash | card | wallet
    paid: int  # inserted (cash) or paid (card, wallet), minor units
    commission: int
    credited: int
    currency: str
    status: str  # the order's status (crediting, credited, refunded)
    locale: str  # the language the customer paid in (a kept receipt prints in it)
    card_brand: str | None = None
    card_last4: str | None = None


@dataclass(frozen=True)
class Screen:
    terminal: Terminal
    market: Market
    cash: CashRules
    session: KioskSession | None
    step: str  # ATTRACT or the session's step
    phase: str  # steps.ACTIVE | WARNING
    seconds_left: int  # of the idle countdown
    number_shown: str  # the digits typed, grouped, after the country code
    number: MobileNumber | None  # the number, once it is one
    operator: Operator | None
    guessed: Operator | None  # the operator its range belongs to, if known
    inserted: int
    commission: int
    credited: int
    needed: int | None  # to insert for the chosen amount to be credited (cash)
    methods: tuple[str, ...]
    receipt: Receipt | None

    @property
    def key(self) -> str:
        """What a polling screen compares: it redraws only when this changes."""
        if self.session is None:
            return ATTRACT
        countdown = self.seconds_left if self.phase == steps.WARNING else ""
        return f"{self.session.id}.{self.session.revision}.{self.phase}{countdown}"

    @property
    def refresh_after(self) -> int | None:
        """Seconds after which a screen without JavaScript reloads itself, so that the idle
        warning and the reset come without a touch; None on the attract screen."""
        if self.session is None:
            return None
        if self.phase == steps.WARNING:
            return 5 if self.seconds_left > 5 else max(self.seconds_left, 1)
        idle = clock.now() - self.session.last_touch_at
        return max(1, int((steps.IDLE_WARNING - idle).total_seconds()) + 1)


def screen(terminal_id: str) -> Screen:
    """The terminal's screen now (raises KioskRefused("no_terminal"))."""
    term = terminal(terminal_id)
    market, cash = market_of(term), cash_rules(term)
    session = current(term.id)
    now = clock.now()
    number = None
    guessed = None
    if session is not None:
        try:
            number = parse_mobile(session.digits, term.market)
            guessed = market.guess_operator(number.carrier_name)
        except PhoneError:
            pass
    inserted = session.inserted if session else 0
    amount = session.amount if session else None
    return Screen(
        terminal=term, market=market, cash=cash, session=session,
        step=session.step if session else ATTRACT,
        phase=steps.idle_phase(session.last_touch_at, now) if session else steps.ACTIVE,
        seconds_left=steps.seconds_left(session.last_touch_at, now) if session else 0,
        number_shown=format_as_typed(session.digits if session else "", term.market),
        number=number, guessed=guessed,
        operator=market.operator(session.operator_id) if session else None,
        inserted=inserted, commission=commission(inserted, cash),
        credited=credited(inserted, cash),
        needed=needed_for(amount, cash) if amount is not None else None,
        methods=available_methods(term),
        receipt=receipt_of(session.order, term) if session and session.order else None)


def receipt_of(order: Order, term: Terminal) -> Receipt | None:
    """The receipt of a paid kiosk order (None while it is not paid)."""
    paid = order.successful_attempt
    if paid is None or order.paid_at is None:
        return None
    market = market_of(term)
    kept = checkout.details(paid)
    cash = kept if isinstance(kept, CashAttempt) else None
    card = kept if isinstance(kept, CardAttempt) else None
    return Receipt(terminal=term, at=order.paid_at, timezone=market.timezone,
                   order_number=order.number, phone=order.phone,
                   operator=market.operator(order.operator_id), method=paid.method,
                   paid=paid.amount, commission=cash.commission if cash else 0,
                   credited=order.amount, currency=order.currency, status=order.status,
                   locale=order.locale, card_brand=card.brand if card else None,
                   card_last4=card.last4 if card else None)


def kept_receipt(terminal_id: str, token: str) -> Receipt | None:
    """The receipt of the terminal's session with this token, kept after the session ended
    (a customer who walked away with cash inserted), or None."""
    term = terminal(terminal_id)
    session = db.session.scalar(select(KioskSession).where(KioskSession.token == token,
                                                           KioskSession.terminal == term.id))
    if session is None or session.order is None:
        return None
    return receipt_of(session.order, term)


def recent_receipts(terminal_id: str, limit: int = 5) -> list[tuple[str, Receipt]]:
    """The terminal's latest paid sessions, newest first, as (token, receipt): the sandbox
    lists them (a receipt is kept when its customer walked away)."""
    term = terminal(terminal_id)
    sessions = db.session.scalars(
        select(KioskSession).where(KioskSession.terminal == term.id,
                                   KioskSession.order_id.is_not(None))
        .order_by(KioskSession.id.desc()).limit(limit * 2)).all()
    found = []
    for session in sessions:
        receipt = receipt_of(session.order, term)
        if receipt is not None:
            found.append((session.token, receipt))
    return found[:limit]
