"""Sign-in by phone number with a code sent by SMS (no password), and what a payer keeps."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, delete, or_, select, update

from ..database import begin_write, lock_name
from ..domain import orders as states
from ..domain.phone import MobileNumber, parse_mobile
from ..extensions import db
from ..models import Order, PaymentAttempt, SavedCard, SessionVersion
from . import codes, sms, sms_texts

SIGN_IN = "signin"


def parse_number(raw: str | None, region: str) -> MobileNumber:
    """The number to sign in with; raises PhoneError. +7 and +86 numbers work in either form."""
    text = (raw or "").strip()
    if text.startswith("+86") or text.startswith("0086"):
        region = "CN"
    elif text.startswith("+7"):
        region = "RU"
    return parse_mobile(text, region)


def start_sign_in(phone: str, locale: str) -> None:
    """Send a sign-in code to `phone`. Raises codes.CodeRefused when it may not get one yet."""
    codes.issue(phone, SIGN_IN, phone, sms.SERVICE_SENDER,
                lambda code: sms_texts.sign_in(locale, code))


def finish_sign_in(phone: str, typed: str) -> int:
    """Use the sign-in code; returns the session version the new session carries (see
    session_version). Raises codes.CodeRefused."""
    codes.use(SIGN_IN, phone, typed)
    db.session.commit()
    return session_version(phone)


def session_version(phone: str) -> int:
    """How many times the payer has signed out (0 before the first time). A session that
    carries another number was ended by a sign-out."""
    return db.session.scalar(select(SessionVersion.version)
                             .where(SessionVersion.phone == phone)) or 0


def sign_out(phone: str) -> None:
    """End every session of the payer, on the server: a copy of the cookie no longer signs in."""
    lock_name("session-version:" + phone)
    moved = db.session.execute(update(SessionVersion).where(SessionVersion.phone == phone)
                               .values(version=SessionVersion.version + 1))
    if not moved.rowcount:
        db.session.add(SessionVersion(phone=phone, version=1))
    db.session.commit()


@dataclass(frozen=True)
class PayerOrders:
    """What "My account" lists (SPEC §8), newest first: the orders the payer placed or paid,
    and top-ups of the payer's number that someone else paid (`by_others`: their ids), which
    are shown without payment details."""

    orders: list[Order]
    by_others: frozenset[int]


def orders_of(phone: str, limit: int = 20) -> PayerOrders:
    """The payer's orders and the top-ups others paid to the payer's number."""
    paid_by_payer = select(PaymentAttempt.order_id).where(
        PaymentAttempt.status == states.SUCCEEDED,
        or_(PaymentAttempt.signed_in_phone == phone, PaymentAttempt.payer_phone == phone))
    own = or_(Order.payer_phone == phone, Order.id.in_(paid_by_payer))
    topped_up = and_(Order.kind == "topup", Order.phone == phone,
                     Order.status.in_((states.PAID, states.CREDITING, states.CREDITED)))
    rows = db.session.execute(select(Order, own).where(or_(own, topped_up))
                              .order_by(Order.id.desc()).limit(limit)).all()
    return PayerOrders(orders=[order for order, _ in rows],
                       by_others=frozenset(order.id for order, mine in rows if not mine))


def saved_cards(phone: str) -> list[SavedCard]:
    """The payer's saved cards, the most recent first (that one is pre-selected)."""
    return list(db.session.scalars(select(SavedCard).where(SavedCard.owner_phone == phone)
                                   .order_by(SavedCard.id.desc())))


def remove_card(phone: str, token: str) -> bool:
    """Forget one of the payer's saved cards; False if it was not theirs or not there."""
    begin_write()
    result = db.session.execute(delete(SavedCard).where(SavedCard.owner_phone == phone,
                                                        SavedCard.token == token))
    db.session.commit()
    return bool(result.rowcount)
