"""A kiosk's customer session (SPEC §7): the step on the server, every touch, idle reset.

One open session per terminal. Every touch is a POST that names the step it was made on: a
touch made on a step the session has left (a stale screen, a second tab, a double press) is
ignored and changes nothing. Each change happens under the session's row lock (db_locks'
level 1: kiosk sessions come before the orders they pay) and bumps `revision`, which a
polling screen compares to know whether to redraw.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..clock import clock
from ..database import begin_write
from ..domain import kiosk as steps
from ..domain import orders as order_states
from ..domain.kiosk import CashRules, Terminal
from ..domain.markets import Market
from ..domain.phone import NATIONAL_DIGITS, PhoneError, parse_mobile
from ..extensions import db
from ..models import KioskSession, Order
from ..payments import registry
from . import rules
from .shop import create_order
from .transitions import begin, register, transition

CUSTOMER, IDLE, DEVICE = "customer", "idle", "device"
STUDIO = "studio"  # the studio's gallery, starting a screen afresh on a terminal of its own
KIOSK = "kiosk"  # the channel of rules/payments.toml
# An order in one of these has been paid: its session moves on to the result.
PAID = frozenset({order_states.PAID, order_states.CREDITING, order_states.CREDITED,
                  order_states.REFUNDED})


class KioskRefused(Exception):
    """A touch that cannot be done: `code` names the message (no_terminal)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Touch:
    """What the customer pressed, on which step: `action` one of ACTIONS, `value` its
    argument (a digit, an operator, an amount, a method, a language)."""

    action: str
    step: str
    value: str = ""


def terminal(terminal_id: str) -> Terminal:
    """The terminal of rules/kiosk.toml (the studio's own only in sandbox mode). Raises
    KioskRefused("no_terminal")."""
    found = rules().terminals.get(terminal_id)
    if found is None or (found.studio and not current_app.config["SANDBOX"]):
        raise KioskRefused("no_terminal")
    return found


def listed_terminals() -> list[Terminal]:
    """The terminals the kiosk and sandbox pages list: all but the studio's own."""
    return [term for term in rules().terminals.values() if not term.studio]


def market_of(term: Terminal) -> Market:
    return rules().market(term.market)


def cash_rules(term: Terminal) -> CashRules:
    return rules().kiosk_cash[term.market]


def open_session(terminal_id: str, lock: bool) -> KioskSession | None:
    query = select(KioskSession).where(KioskSession.terminal == terminal_id,
                                       KioskSession.ended_at.is_(None))
    if lock:
        begin_write()
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def locked_session(terminal_id: str) -> KioskSession | None:
    """In a write transaction, the terminal's open session with its row locked, or None."""
    return open_session(terminal_id, lock=True)


register(KioskSession, "kiosk_session", steps.KIOSK_SESSION, status_attr="step")


def move(session: KioskSession, new: str, actor: str, now: datetime) -> None:
    """Move the session to another step through the one transition() (its event written).
    Raises IllegalMove for a move the machine does not allow (callers check first)."""
    transition(session, new, actor=actor, at=now)
    session.notice = None
    session.revision += 1
    if new in steps.FINAL:
        session.ended_at = now


def changed(session: KioskSession, now: datetime, notice: str | None = None) -> None:
    """Something on the step changed (a digit, a note): redraw it; a customer's touch."""
    session.notice = notice
    session.revision += 1
    session.last_touch_at = now


# --- reading the state -----------------------------------------------------------------------

def current(terminal_id: str) -> KioskSession | None:
    """The terminal's open session with whatever fell due applied (its idle time ran out;
    the order it waits for got paid), or None: the attract screen."""
    session = open_session(terminal_id, lock=False)
    if session is None or not _due(session, clock.now()):
        return session
    session = locked_session(terminal_id)
    if session is not None:
        settle_session(session, clock.now())
    db.session.commit()
    return open_session(terminal_id, lock=False)


def _due(session: KioskSession, now: datetime) -> bool:
    if steps.idle_phase(session.last_touch_at, now) == steps.TIMED_OUT:
        return True
    return (session.step in (steps.CARD, steps.WALLET) and session.order is not None
            and session.order.status in PAID)


def settle_session(session: KioskSession, now: datetime) -> None:
    """Under the session's lock: a payment finished elsewhere moves to its result; a session
    idle past its countdown ends, paying in the cash inserted (never lost: SPEC §3.4)."""
    from .kiosk_cash import complete_cash

    if (session.step in (steps.CARD, steps.WALLET) and session.order is not None
            and session.order.status in PAID):
        move(session, steps.RESULT, DEVICE, now)
        session.last_touch_at = now
        return
    if steps.idle_phase(session.last_touch_at, now) != steps.TIMED_OUT:
        return
    if session.step == steps.CASH and session.inserted > 0:
        move(session, steps.DONE, IDLE, now)
        complete_cash(session, now, actor=IDLE)  # commits the move with the payment
    elif session.step in (steps.RESULT, steps.RECEIPT):
        move(session, steps.DONE, IDLE, now)
    else:
        move(session, steps.ABANDONED, IDLE, now)


def settle_idle() -> int:
    """End every open session whose idle time ran out (cash inserted is paid in), for
    `flask settle`: a kiosk whose screen stopped asking still never loses cash. Returns how
    many ended."""
    now, ended = clock.now(), 0
    terminals = db.session.scalars(select(KioskSession.terminal).where(
        KioskSession.ended_at.is_(None),
        KioskSession.last_touch_at <= now - steps.IDLE_WARNING - steps.IDLE_COUNTDOWN)).all()
    db.session.commit()
    for terminal_id in terminals:
        session = locked_session(terminal_id)
        if session is not None and steps.idle_phase(session.last_touch_at, now) == \
                steps.TIMED_OUT:
            settle_session(session, now)
            ended += 1
        db.session.commit()
    return ended


# --- touches ---------------------------------------------------------------------------------

def start(terminal_id: str, locale: str) -> KioskSession:
    """The attract screen was touched: a new session in `locale` at the operator step (the
    open one, touched, if there is one already)."""
    term = terminal(terminal_id)
    now = clock.now()
    session = locked_session(term.id)
    if session is not None:
        settle_session(session, now)
    if session is not None and session.ended_at is None:
        changed(session, now)
        db.session.commit()
        return session
    session = KioskSession(terminal=term.id, token=secrets.token_urlsafe(18),
                           step=steps.OPERATOR, locale=locale, digits="", inserted=0,
                           revision=0, last_touch_at=now, created_at=now)
    try:
        with db.session.begin_nested():  # a twin start made one meanwhile: use that one
            db.session.add(session)
    except IntegrityError:
        db.session.commit()
        return open_session(term.id, lock=False)
    begin(session, actor=CUSTOMER, at=now)
    db.session.commit()
    return session


def reset(terminal_id: str, actor: str = STUDIO) -> None:
    """End the terminal's open session, whatever its step, as a walk-away would: cash inserted
    is paid in to its number (never lost), any other session ends. The studio calls it on a
    terminal of its own before each screen; the next touch of the attract screen starts anew."""
    from .kiosk_cash import complete_cash

    now = clock.now()
    session = locked_session(terminal(terminal_id).id)
    if session is None:
        db.session.commit()
        return
    if session.step == steps.CASH and session.inserted > 0:
        move(session, steps.DONE, actor, now)
        complete_cash(session, now, actor=actor)  # commits the move with the payment
        return
    move(session, steps.ABANDONED if steps.ABANDONED in steps.STEPS[session.step]
         else steps.DONE, actor, now)
    db.session.commit()


def set_language(terminal_id: str, locale: str) -> None:
    """The language buttons: the session (if any) goes on in `locale`, on the same step."""
    session = locked_session(terminal(terminal_id).id)
    if session is not None:
        settle_session(session, clock.now())
        if session.ended_at is None and session.locale != locale:
            session.locale = locale
            changed(session, clock.now(), session.notice)
    db.session.commit()


def touch(terminal_id: str, pressed: Touch) -> KioskSession | None:
    """Apply one touch to the terminal's session; returns the session (None: attract).

    A touch on a step the session is no longer on changes nothing. A session whose idle
    time ran out ends first, whatever was pressed."""
    term = terminal(terminal_id)
    now = clock.now()
    session = locked_session(term.id)
    if session is not None:
        settle_session(session, now)
    if session is None or session.ended_at is not None or session.step != pressed.step:
        db.session.commit()
        return None if session is None or session.ended_at is not None else session
    handler = ACTIONS.get(pressed.action)
    if handler is None:
        db.session.commit()
        return session
    session.last_touch_at = now
    qr = handler(session, term, pressed.value, now)
    db.session.commit()
    if qr is not None:  # the wallet step opened: its trade is made outside the lock
        from .kiosk_wallet import open_qr

        open_qr(term.id, qr)
    return session


def _operator(session, term, value, now):
    if session.step in (steps.OPERATOR, steps.NUMBER) and market_of(term).operator(value):
        session.operator_id = value
        if session.step == steps.OPERATOR:
            move(session, steps.NUMBER, CUSTOMER, now)
        else:
            changed(session, now)


def _key(session, term, value, now):
    if session.step != steps.NUMBER or not (len(value) == 1 and value in "0123456789"):
        return
    if len(session.digits) < NATIONAL_DIGITS[term.market]:
        session.digits += value
    changed(session, now)


def _backspace(session, term, value, now):
    if session.step == steps.NUMBER:
        session.digits = session.digits[:-1]
        changed(session, now)


def _clear(session, term, value, now):
    if session.step == steps.NUMBER:
        session.digits = ""
        changed(session, now)


def number_problem(session: KioskSession, term: Terminal) -> str | None:
    """Why the digits typed are not a number to top up (a message code), or None."""
    try:
        parse_mobile(session.digits, term.market)
    except PhoneError as exc:
        return "phone_" + exc.code
    return None


def _next(session, term, value, now):
    if session.step != steps.NUMBER:
        return
    problem = number_problem(session, term)
    if problem:
        changed(session, now, notice=problem)
    else:
        move(session, steps.AMOUNT, CUSTOMER, now)


def _amount(session, term, value, now):
    tiles = {str(tile): tile for tile in market_of(term).topup.tiles}
    if session.step == steps.AMOUNT and value in tiles:
        session.amount = tiles[value]
        move(session, steps.METHOD, CUSTOMER, now)


def _cash_any(session, term, value, now):
    if session.step == steps.AMOUNT and steps.CASH in available_methods(term):
        session.amount = None
        move(session, steps.CASH, CUSTOMER, now)


def _method(session, term, value, now):
    """A method tile: "cash", "card", or "wallet:<brand>" (a tile per wallet brand)."""
    from .kiosk_wallet import brand_of, choose

    method = value.partition(":")[0]
    if session.step != steps.METHOD or method not in available_methods(term):
        return None
    if method == steps.WALLET:
        brand = brand_of(value)
        return choose(session, term, brand, now) if brand else None
    if method == steps.CASH:
        move(session, steps.CASH, CUSTOMER, now)
        return None
    order_for(session, term)
    move(session, method, CUSTOMER, now)
    return None


def _new_code(session, term, value, now):
    from .kiosk_wallet import new_code

    return new_code(session, term, now) if session.step == steps.WALLET else None


# The methods that have a kiosk step (templates/kiosk/steps/<method>.html and a tile in
# templates/kiosk/methods/): rules/payments.toml chooses which of them a market's kiosks offer,
# and in what order.
KIOSK_STEPS = (steps.CASH, steps.CARD, steps.WALLET)


def available_methods(term: Terminal) -> tuple[str, ...]:
    """The methods a kiosk of this market offers for a top-up, in the order
    rules/payments.toml lists them for the kiosk channel."""
    return tuple(name for name in registry.offered(rules(), term.market, "topup", KIOSK)
                 if name in KIOSK_STEPS)


def order_for(session: KioskSession, term: Terminal) -> Order:
    """The session's order awaiting payment for the chosen amount: the one it has, or a new
    one (an old one that expired or was paid is left behind)."""
    order = session.order
    if (order is not None and order.status == order_states.AWAITING_PAYMENT
            and order.amount == session.amount and order.deadline > clock.now()):
        return order
    market = market_of(term)
    number = parse_mobile(session.digits, term.market)
    order = create_order("K", commit=False, kind="topup", market=market.code,
                         currency=market.currency, phone=number.e164,
                         operator_id=session.operator_id, amount=session.amount,
                         price=session.amount, locale=session.locale)
    session.order_id = order.id
    session.order = order
    return order


def _back(session, term, value, now):
    back_to = {steps.NUMBER: steps.OPERATOR, steps.AMOUNT: steps.NUMBER,
               steps.METHOD: steps.AMOUNT, steps.CARD: steps.METHOD,
               steps.RECEIPT: steps.RESULT,
               steps.CASH: steps.METHOD if session.amount is not None else steps.AMOUNT}
    if session.step == steps.CASH and session.inserted > 0:
        changed(session, now, notice="cash_inserted")  # the cash goes to the number: pay
        return
    if session.step == steps.WALLET:
        from .kiosk_wallet import leave

        leave(session, term, now)  # "pay another way": its trade is closed first
        return
    if session.step in back_to:
        move(session, back_to[session.step], CUSTOMER, now)


def _cancel(session, term, value, now):
    if session.step == steps.WALLET:
        return  # its way out is "pay another way" (Back), which closes the trade first
    if session.step == steps.CASH and session.inserted > 0:
        changed(session, now, notice="cash_inserted")
        return
    if steps.ABANDONED in steps.STEPS[session.step]:
        move(session, steps.ABANDONED, CUSTOMER, now)


def _pay(session, term, value, now):
    from .kiosk_cash import complete_cash

    if session.step != steps.CASH:
        return
    if steps.credited(session.inserted, cash_rules(term)) <= 0:
        changed(session, now, notice="cash_too_little")  # nothing would reach the number
        return
    move(session, steps.RESULT, CUSTOMER, now)
    complete_cash(session, now, actor=CUSTOMER)  # commits the move with the payment


def _receipt(session, term, value, now):
    if session.step == steps.RESULT:
        move(session, steps.RECEIPT, CUSTOMER, now)


def _finish(session, term, value, now):
    if session.step in (steps.RESULT, steps.RECEIPT):
        move(session, steps.DONE, CUSTOMER, now)


def _still_here(session, term, value, now):
    changed(session, now, session.notice)


ACTIONS = {
    "operator": _operator, "key": _key, "backspace": _backspace, "clear": _clear,
    "next": _next, "amount": _amount, "cash_any": _cash_any, "method": _method,
    "back": _back, "cancel": _cancel, "pay": _pay, "receipt": _receipt, "finish": _finish,
    "still_here": _still_here, "new_code": _new_code,
}
