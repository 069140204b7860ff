"""The wallet QR on a kiosk (SPEC §3.3, §7): the customer picks a brand, the kiosk shows the QR
of the wallet's cashier, the customer pays on a phone, and the kiosk moves on by itself.

The trade is made outside the session's lock (a real wallet is another company's server: a
slow answer must not hold the kiosk's screen), as a tapped card is paid: the touch that opens
the step commits first, then the payment starts under its idempotency key (the session's
revision of that touch), then the session is locked again to show what came of it. While the
step is shown, each look at the screen asks the wallet for the trade (never a redirect or the
phone's word), so a paid trade moves the session to its result (kiosk.settle_session).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..clock import clock
from ..domain import kiosk as steps
from ..domain import orders as order_states
from ..domain import wallet as w
from ..extensions import db
from ..models import KioskSession, Order, PaymentAttempt
from ..refusals import CheckoutRefused, Refused
from . import checkout, orders, wallet_checkout
from .kiosk import (
    CUSTOMER,
    KIOSK,
    PAID,
    changed,
    locked_session,
    move,
    open_session,
    order_for,
    terminal,
)
from .payment_ports import provider

METHOD = "wallet"


@dataclass(frozen=True)
class QrToOpen:
    """What a touch asked for once its move is committed: a QR of `brand` for the session's
    order, keyed by the session's revision after the touch (a double press makes one trade)."""

    session_id: int
    revision: int
    brand: str


@dataclass(frozen=True)
class KioskQr:
    """The wallet step's state: the latest wallet attempt of the session's order (None before
    the first), whether its code can still be paid, and how long for."""

    attempt: PaymentAttempt | None
    brand: str
    live: bool  # a waiting attempt whose code has not expired: the QR is shown
    left: timedelta

    @property
    def key(self) -> str:
        """What a polling screen compares: the attempt, its state, the minutes left."""
        if self.attempt is None:
            return "none"
        return f"{self.attempt.id}{self.attempt.status}{int(self.live)}" \
               f"{int(self.left.total_seconds() // 60)}"


def brand_of(value: str) -> str | None:
    """The brand of a method tile's value "wallet:<brand>", or None if it is not one."""
    method, _, brand = value.partition(":")
    return brand if method == METHOD and brand in w.BRANDS else None


def last_attempt(order: Order | None) -> PaymentAttempt | None:
    if order is None:
        return None
    return next((a for a in reversed(order.attempts) if a.method == METHOD), None)


def qr_state(session: KioskSession, now: datetime) -> KioskQr:
    """What the wallet step shows for the session."""
    attempt = last_attempt(session.order)
    if attempt is None:
        return KioskQr(None, w.BRANDS[0], live=False, left=timedelta(0))
    details = checkout.details(attempt)
    left = max(details.expiry() - now, timedelta(0))
    live = attempt.status == order_states.PENDING and not w.is_expired(details.expiry(), now)
    return KioskQr(attempt, details.brand, live=live, left=left if live else timedelta(0))


def choose(session: KioskSession, term, brand: str, now: datetime) -> QrToOpen:
    """Under the session's lock, on the method step: the wallet step for the order of the
    chosen amount (a new one if its hour is over); the QR is made once this is committed."""
    order_for(session, term)
    move(session, steps.WALLET, CUSTOMER, now)
    return QrToOpen(session.id, session.revision, brand)


def new_code(session: KioskSession, term, now: datetime) -> QrToOpen | None:
    """Under the session's lock, on the wallet step whose code expired (or never came): a new
    code of the same brand, for a new order if the old one's hour is over."""
    state = qr_state(session, now)
    if state.live:
        return None  # the code on the screen can still be paid
    order_for(session, term)
    changed(session, now)
    return QrToOpen(session.id, session.revision, state.brand)


def open_qr(terminal_id: str, asked: QrToOpen) -> None:
    """Start the wallet payment of the session's order (a trade and its QR), then show what
    came of it. The previous code of the order, if any, is closed first (the checkout
    withdraws a waiting attempt); had the customer paid it meanwhile, that payment stands and
    the session goes to its result."""
    term = terminal(terminal_id)
    for _ in range(2):  # once more with a new order if its hour ran out meanwhile
        session = open_session(term.id, lock=False)
        if (session is None or session.id != asked.session_id or session.step != steps.WALLET
                or session.order is None):
            db.session.commit()
            return
        order, locale = session.order, session.locale
        db.session.commit()
        notice = None
        try:
            choice = provider(METHOD).read(checkout.payable(order),
                                           {"brand": asked.brand, "display": w.QR}, None)
            checkout.start(order.number, METHOD, choice,
                           idempotency_key=f"kiosk-wallet-{asked.session_id}-{asked.revision}",
                           locale=locale, channel=KIOSK)
        except Refused as refused:  # the order's hour ran out, it was paid, the wallet said no
            db.session.rollback()
            notice = refused.code
        if _show(term, asked.session_id, notice):
            return


def _show(term, session_id: int, notice: str | None) -> bool:
    """Lock the session again and show the start's outcome; False when the order's hour ran
    out meanwhile and a new order was made for another try."""
    session = locked_session(term.id)
    retry = False
    if session is not None and session.id == session_id and session.step == steps.WALLET:
        now = clock.now()
        if session.order.status in PAID:
            move(session, steps.RESULT, CUSTOMER, now)
        elif session.order.status != order_states.AWAITING_PAYMENT:
            order_for(session, term)
            retry = notice == "expired"
            changed(session, now, None if retry else notice)
        else:
            changed(session, now, notice)
    db.session.commit()
    return not retry


def sync_waiting(session: KioskSession) -> None:
    """While a wallet step is shown: ask the wallet for its waiting trade and finish the
    attempt if the trade is final (paid: the order is paid; closed or expired: it fails), and
    let an order whose hour ran out expire (its trade is closed first)."""
    order = session.order
    if order is None:
        return
    attempt = last_attempt(order)
    db.session.commit()
    if attempt is not None and attempt.status == order_states.PENDING:
        try:
            wallet_checkout.sync(attempt.id)
        except CheckoutRefused:
            db.session.rollback()  # not the payment asked for: the attempt keeps waiting
    orders.refresh(order.number)
    db.session.commit()


def leave(session: KioskSession, term, now: datetime) -> None:
    """"Pay another way", under the session's lock: the waiting trade is closed first (the
    checkout's cancel, which commits, so the session is locked again after it); had the
    customer paid it meanwhile, the session goes to its result instead of the methods."""
    attempt = last_attempt(session.order)
    if attempt is not None and attempt.status == order_states.PENDING:
        session_id = session.id
        checkout.cancel(session.order.number, attempt.id)
        session = locked_session(term.id)
        if session is None or session.id != session_id or session.step != steps.WALLET:
            return
        now = clock.now()
    paid = session.order is not None and session.order.status in PAID
    move(session, steps.RESULT if paid else steps.METHOD, CUSTOMER, now)
