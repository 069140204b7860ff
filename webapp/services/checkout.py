"""Paying an order: at most once, whatever is clicked twice or arrives twice (SPEC §3)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from ..clock import clock
from ..domain import orders as states
from ..domain.cards import CardDetails
from ..domain.money import Money
from ..extensions import db
from ..models import Order, PaymentAttempt, SavedCard
from ..payments.base import REQUIRES_ACTION, SUCCEEDED, ChargeRequest, ChargeResult
from ..payments.card import SavedCardRef, SimulatedAcquirer
from . import codes, rules, sms, sms_texts
from .db_locks import locked_order
from .orders import cancel_pending_attempts, expire_if_due, mark_paid, set_attempt_status

THREE_DS = "3ds"


class PaymentRefused(Exception):
    """The order or attempt cannot go on; `code`: not_found, expired, already_paid,
    card_not_found, not_pending."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CardPayment:
    """What the payer submitted: a new card or a saved one, and who pays."""

    card: CardDetails | SavedCardRef
    idempotency_key: str
    payer_phone: str | None = None  # the signed-in payer
    save_card: bool = False
    locale: str = "ru"


def _set_attempt_status(attempt: PaymentAttempt, new: str) -> None:
    set_attempt_status(attempt, new, clock.now())


def check_payable(order: Order | None) -> Order:
    """The locked order after settling its deadline; raises PaymentRefused if not payable.
    An attempt left waiting for 3-D Secure on an expired order is cancelled with it."""
    if order is None:
        raise PaymentRefused("not_found")
    now = clock.now()
    if expire_if_due(order, now):
        db.session.commit()
    if order.status == states.EXPIRED:
        raise PaymentRefused("expired")
    if order.status != states.AWAITING_PAYMENT:
        raise PaymentRefused("already_paid")
    return order


def saved_card(token: str, owner_phone: str | None) -> SavedCardRef | None:
    """A saved card of this payer as the acquirer sees it, or None."""
    if not owner_phone:
        return None
    card = db.session.scalar(select(SavedCard).where(SavedCard.token == token,
                                                     SavedCard.owner_phone == owner_phone))
    if card is None:
        return None
    return SavedCardRef(token=card.token, brand=card.brand, last4=card.last4,
                        exp_month=card.exp_month, exp_year=card.exp_year, profile=card.profile,
                        saved_card_id=card.id)


def pay_by_card(number: str, payment: CardPayment) -> PaymentAttempt:
    """Charge a card for the order once. A replay of the same idempotency key returns the first
    attempt unchanged; a new attempt on a paid or expired order raises PaymentRefused. A card
    that needs 3-D Secure leaves the attempt pending and sends a code to the payer's number.
    """
    try:
        order = locked_order(number)
        # Under the lock: a twin request with this key may have finished while we waited.
        replay = db.session.scalar(select(PaymentAttempt).where(
            PaymentAttempt.idempotency_key == payment.idempotency_key))
        if replay is not None:
            db.session.commit()
            return replay
        order = check_payable(order)
        if isinstance(payment.card, SavedCardRef) and not _owns(payment.payer_phone,
                                                                payment.card):
            raise PaymentRefused("card_not_found")
        cancel_pending_attempts(order, clock.now())  # a payer back from a 3-D Secure page
        attempt = _new_attempt(order, payment)
        acquirer = SimulatedAcquirer(rules().test_cards)
        result = acquirer.charge(ChargeRequest(
            order_number=order.number, amount=Money(order.price, order.currency),
            payer_phone=attempt.three_ds_phone or order.phone, details=payment.card,
            today=rules().market(order.market).local_date(clock.now())))
        _record(order, attempt, result)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if attempt.status == states.PENDING:
        _send_three_ds_code(order, attempt, payment.locale)
    return attempt


def _owns(payer_phone: str | None, card: SavedCardRef) -> bool:
    """A saved card is used only by the payer it was saved for (checked again under the
    order's lock: the card may have been removed since the form was read)."""
    return payer_phone is not None and db.session.scalar(select(SavedCard.id).where(
        SavedCard.id == card.saved_card_id, SavedCard.token == card.token,
        SavedCard.owner_phone == payer_phone)) is not None


def _new_attempt(order: Order, payment: CardPayment) -> PaymentAttempt:
    card = payment.card
    attempt = PaymentAttempt(
        order_id=order.id, method="card", status=states.PENDING, amount=order.price,
        currency=order.currency, idempotency_key=payment.idempotency_key,
        created_at=clock.now(), card_brand=card.brand, card_last4=card.last4,
        card_exp_month=card.exp_month, card_exp_year=card.exp_year,
        save_card=bool(payment.save_card and payment.payer_phone
                       and isinstance(card, CardDetails)),
        saved_card_id=card.saved_card_id if isinstance(card, SavedCardRef) else None,
        three_ds_phone=payment.payer_phone or order.phone, signed_in_phone=payment.payer_phone)
    db.session.add(attempt)
    db.session.flush()
    return attempt


def _record(order: Order, attempt: PaymentAttempt, result: ChargeResult) -> None:
    attempt.card_profile = result.profile
    if result.status == SUCCEEDED:
        _succeed(order, attempt)
    elif result.status == REQUIRES_ACTION:
        pass  # stays pending until the 3-D Secure code is confirmed
    else:
        attempt.decline_code = result.decline_code
        _set_attempt_status(attempt, states.FAILED)


def _succeed(order: Order, attempt: PaymentAttempt) -> None:
    _set_attempt_status(attempt, states.SUCCEEDED)
    mark_paid(order, clock.now(), actor="payer")
    if attempt.save_card:
        _save_card(order, attempt)


def _save_card(order: Order, attempt: PaymentAttempt) -> None:
    """Keep token, brand, last 4 and expiry for the payer who was signed in and ticked "save"
    when paying (once per such card), whoever placed the order."""
    owner = attempt.signed_in_phone
    if not owner:
        return
    existing = db.session.scalar(select(SavedCard).where(
        SavedCard.owner_phone == owner, SavedCard.brand == attempt.card_brand,
        SavedCard.last4 == attempt.card_last4, SavedCard.exp_month == attempt.card_exp_month,
        SavedCard.exp_year == attempt.card_exp_year))
    if existing is None:
        existing = SavedCard(owner_phone=owner, token=secrets.token_urlsafe(24),
                             brand=attempt.card_brand, last4=attempt.card_last4,
                             exp_month=attempt.card_exp_month, exp_year=attempt.card_exp_year,
                             profile=attempt.card_profile or "success", created_at=clock.now())
        db.session.add(existing)
        db.session.flush()
    attempt.saved_card_id = existing.id


def _send_three_ds_code(order: Order, attempt: PaymentAttempt, locale: str) -> None:
    """Send the 3-D Secure code. If the number may not get one now (its hourly cap), the
    attempt still waits: the 3-D Secure page says at once why no code came and when one can
    (codes.view of a code never sent), and offers to pay another way."""
    try:
        _issue_three_ds_code(order, attempt, locale)
    except codes.CodeRefused:
        pass


def _issue_three_ds_code(order: Order, attempt: PaymentAttempt, locale: str) -> None:
    codes.issue(attempt.three_ds_phone, THREE_DS, f"attempt:{attempt.id}", sms.BANK_SENDER,
                lambda code: sms_texts.three_ds(locale, code, attempt.amount, attempt.currency,
                                                order.number, attempt.card_last4),
                by_owner=attempt.three_ds_phone == attempt.signed_in_phone)


def _pending_attempt(order: Order, attempt_id: int) -> PaymentAttempt:
    attempt = db.session.get(PaymentAttempt, attempt_id)
    if attempt is None or attempt.order_id != order.id:
        raise PaymentRefused("not_found")
    return attempt


def confirm_three_ds(number: str, attempt_id: int, typed: str) -> PaymentAttempt:
    """Complete a 3-D Secure attempt with the code from the SMS. The right code pays the order
    once; a wrong one raises codes.CodeRefused (wrong, with tries left); the last wrong try (or
    a dead code) fails the attempt with reason three_ds_failed."""
    order = locked_order(number)
    if order is None:
        raise PaymentRefused("not_found")
    attempt = _pending_attempt(order, attempt_id)
    if attempt.status == states.SUCCEEDED:
        db.session.commit()
        return attempt  # a replayed confirmation
    if attempt.status != states.PENDING:
        db.session.commit()
        raise PaymentRefused("not_pending")
    check_payable(order)
    try:
        codes.use(THREE_DS, f"attempt:{attempt.id}", typed)
    except codes.CodeRefused as refused:
        if refused.reason == "dead":
            _fail_three_ds(number, attempt_id)
        raise
    _succeed(order, attempt)
    db.session.commit()
    return attempt


def _fail_three_ds(number: str, attempt_id: int) -> None:
    order = locked_order(number)
    attempt = _pending_attempt(order, attempt_id)
    if attempt.status == states.PENDING:
        attempt.decline_code = "three_ds_failed"
        _set_attempt_status(attempt, states.FAILED)
    db.session.commit()


def resend_three_ds(number: str, attempt_id: int, locale: str) -> None:
    """A new 3-D Secure code while the order is payable and the attempt waits for one.
    Raises PaymentRefused, or codes.CodeRefused when the number may not get one yet."""
    order = locked_order(number)
    if order is None:
        raise PaymentRefused("not_found")
    attempt = _pending_attempt(order, attempt_id)
    if attempt.status != states.PENDING:
        db.session.commit()
        raise PaymentRefused("not_pending")
    check_payable(order)
    _issue_three_ds_code(order, attempt, locale)
