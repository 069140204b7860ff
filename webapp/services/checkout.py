"""Paying an order with any method: one life cycle for every provider, under the order's lock,
at most once whatever is clicked twice or arrives twice (SPEC §3).

    start(number, method, submission, …)   the payer's submission → an attempt (paid, failed,
                                           or waiting for an action: a code, an SMS reply…)
    confirm(number, attempt_id, typed)      the code typed for a waiting attempt
    complete(attempt_id, outcome)           an outcome that arrives later (a wallet's
                                           notification, a cash session's end)
    resend(number, attempt_id, locale)      a new code for a waiting attempt
    cancel(number, attempt_id, reason)      the payer gives a waiting attempt up
    refund(number, actor, note)             a paid order's money goes back

No method is named here: providers come from the registry (payments/registry.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sqlalchemy import select

from ..clock import clock
from ..database import begin_write, lock_name
from ..domain import orders as states
from ..domain.money import Money
from ..extensions import db
from ..models import Order, PaymentAttempt
from ..payments import registry
from ..payments.base import (
    PRIVATE,
    CodeChallenge,
    ConfirmRequest,
    Declined,
    Outcome,
    Payable,
    PaymentProvider,
    RefundRequest,
    RequiresAction,
    StartRequest,
    Succeeded,
)
from ..refusals import CheckoutRefused, CodeRefused, Refused
from . import codes, orders, replies, rules, sms_texts
from .db_locks import locked_order, locked_orders
from .orders import (
    cancel_pending_attempts,
    expire_if_due,
    mark_paid,
    set_attempt_status,
    set_status,
)
from .payment_ports import provider
from .transitions import begin

# A waiting attempt of a payer is cancelled with this reason when a newer one of the same
# payer and method starts (issue 8: a stranger's waiting payment must not hold the owner's).
REPLACED = "replaced"
_ACTION = "_action"  # the key of a waiting attempt's action in its details


def payable(order: Order, locale: str | None = None) -> Payable:
    """The order as providers see it."""
    now = clock.now()
    return Payable(number=order.number, amount=Money(order.price, order.currency),
                   kind=order.kind, market=order.market, phone=order.phone,
                   locale=locale or order.locale,
                   today=rules().market(order.market).local_date(now), now=now)


def offered(order: Order, channel: str = "phone") -> tuple[str, ...]:
    """The methods this order offers on `channel`, in the chooser's order."""
    return registry.offered(rules(), order.market, order.kind, channel)


def check_payable(order: Order | None) -> Order:
    """The locked order after settling its deadline; raises CheckoutRefused if not payable.
    An attempt left waiting on an expired order is cancelled with it."""
    if order is None:
        raise CheckoutRefused("not_found")
    now = clock.now()
    if expire_if_due(order, now):
        db.session.commit()
    if order.status == states.EXPIRED:
        raise CheckoutRefused("expired")
    if order.status != states.AWAITING_PAYMENT:
        raise CheckoutRefused("already_paid")
    return order


def shown_reason(method: str, reason: str | None, payer: str | None,
                 viewer: str | None) -> str | None:
    """A refusal or decline reason as `viewer` (the signed-in payer, if any) may read it: one
    the method keeps private (SPEC §3.2.2: who may pay from a phone balance is the number's
    business) only when signed in as the paying account, else PRIVATE."""
    private = getattr(provider(method), "private_reasons", frozenset())
    if reason in private and (viewer is None or viewer != payer):
        return PRIVATE
    return reason


def last_decline(order: Order, viewer: str | None) -> Refused | None:
    """Why the latest attempt failed, while the order is still unpaid, as a refusal of its
    method's area (its message in webapp/messages.py), as `viewer` may read it."""
    if order.status != states.AWAITING_PAYMENT or not order.attempts:
        return None
    latest = order.attempts[-1]
    if latest.status != states.FAILED:
        return None
    reason = shown_reason(latest.method, latest.decline_code, latest.payer_phone, viewer)
    explain = getattr(provider(latest.method), "refused", None)
    if explain is None:
        return Refused(reason)
    return explain(reason, details(latest), latest.amount)


def waiting_attempt(number: str, attempt_id: int) -> PaymentAttempt | None:
    """The attempt of this order, for the page of the action it waits for; None if it is not
    this order's."""
    found = attempt_of(number, attempt_id)
    return found[1] if found else None


def details(attempt: PaymentAttempt):
    """The attempt's details in its method's own type."""
    kept = {k: v for k, v in (attempt.details or {}).items() if not k.startswith("_")}
    return provider(attempt.method).details_type(**kept)


def action(attempt: PaymentAttempt) -> dict | None:
    """What a waiting attempt asked for: {"kind": CODE | SMS_REPLY | REDIRECT | …, and
    "code" (a CodeChallenge's fields) or "data" (the provider's action data)}."""
    return (attempt.details or {}).get(_ACTION)


def challenge(attempt: PaymentAttempt) -> CodeChallenge | None:
    """The code a waiting attempt asked for, if its action is a code."""
    code = (action(attempt) or {}).get("code")
    return CodeChallenge(**code) if code else None


def code_view(attempt: PaymentAttempt):
    """The attempt's code as its page shows it (codes.view), or None without one."""
    asked = challenge(attempt)
    if asked is None:
        return None
    return codes.view(asked.purpose, _subject(attempt), asked.to, asked.by_owner)


def _subject(attempt: PaymentAttempt) -> str:
    return f"attempt:{attempt.id}"


def _store(attempt: PaymentAttempt, outcome: Outcome) -> None:
    """Keep the outcome's details (and what a waiting attempt asks for) on the attempt."""
    stored = dataclasses.asdict(outcome.details) if outcome.details is not None else {}
    if isinstance(outcome, RequiresAction):
        data = outcome.data
        if dataclasses.is_dataclass(data):
            data = dataclasses.asdict(data)
        key = "code" if isinstance(outcome.data, CodeChallenge) else "data"
        stored[_ACTION] = {"kind": outcome.kind, key: data}
    elif _ACTION in (attempt.details or {}):
        stored[_ACTION] = attempt.details[_ACTION]  # the code stays readable on its page
    attempt.details = stored  # a new dict: the JSON column sees the change


def _waiting(method: str, payer: str) -> list[PaymentAttempt]:
    """The payer's attempts of this method that wait for an action, as committed now."""
    return list(db.session.scalars(
        select(PaymentAttempt).where(PaymentAttempt.payer_phone == payer,
                                     PaymentAttempt.method == method,
                                     PaymentAttempt.status == states.PENDING)
        .order_by(PaymentAttempt.id).execution_options(populate_existing=True)))


def start(number: str, method: str, submission, *, idempotency_key: str,
          signed_in: str | None = None, locale: str = "ru", channel: str = "phone",
          keep_private: bool = False) -> PaymentAttempt:
    """Pay the order with `method` once. A replay of the same idempotency key returns the
    first attempt unchanged; so does a new start by the same payer while their attempt on this
    order waits (a double click). A method with one waiting attempt per payer replaces the
    payer's waiting attempt on another order (cancelled: REPLACED, its code withdrawn).

    Raises CheckoutRefused (not_found, expired, already_paid, method_unavailable), the
    provider's refusals, or CodeRefused when an action's code may not be sent now and the
    method cannot wait without it (nothing changes then). Locks follow services/db_locks.py:
    the payer's name, then the orders, then the codes.

    `keep_private` (the pages): a refusal the method keeps private (its private_reasons) is
    told to the paying account (provider.tell_private, in `locale`) and raised as PRIVATE,
    unless `signed_in` is that account."""
    prov = provider(method)
    payer = prov.payer(submission)
    try:
        others: set[str] = set()
        if prov.one_waiting_per_payer and payer:
            lock_name(f"pay:{method}:{payer}")  # one start per payer at a time
            others = {attempt.order.number for attempt in _waiting(method, payer)}
        order = locked_orders(others | {number}).get(number)
        # Under the lock: a twin request with this key may have finished while we waited.
        replay = db.session.scalar(select(PaymentAttempt).where(
            PaymentAttempt.idempotency_key == idempotency_key))
        if replay is not None:
            db.session.commit()
            return replay
        order = check_payable(order)
        if method not in offered(order, channel):
            # A method the order does not offer: its provider says why, else a general no.
            prov.start(StartRequest(payable(order, locale), submission, signed_in))
            raise CheckoutRefused("method_unavailable")
        waiting = _waiting(method, payer) if prov.one_waiting_per_payer and payer else []
        same = next((attempt for attempt in waiting if attempt.order_id == order.id), None)
        if same is not None:
            db.session.commit()  # the action already asked for stands (its page can resend)
            return same
        if withdraw_waiting(order):  # the payer paid a waiting attempt (a wallet) meanwhile
            db.session.commit()
            raise CheckoutRefused("already_paid")
        outcome = prov.start(StartRequest(payable(order, locale), submission, signed_in))
        now = clock.now()
        for old in waiting:
            if not expire_if_due(old.order, now):  # an expired order cancels it by itself
                _finish(old, states.CANCELED, REPLACED)
            asked = challenge(old)
            if asked is not None:
                codes.withdraw(asked.to, asked.purpose, _subject(old))
        cancel_pending_attempts(order, now)  # a payer back from a code page, paying anew
        attempt = PaymentAttempt(
            order_id=order.id, method=method, status=states.PENDING, amount=order.price,
            currency=order.currency, idempotency_key=idempotency_key, created_at=now,
            payer_phone=payer, signed_in_phone=signed_in, details={})
        db.session.add(attempt)
        begin(attempt, actor="payer", reason=method, at=now)  # its history starts here
        _record(order, attempt, outcome)
        asked = outcome.data if isinstance(outcome, RequiresAction) else None
        if isinstance(asked, CodeChallenge) and asked.atomic:
            _send_code(attempt, asked, locale)  # commits it all, or rolls it all back
            return attempt
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        if not keep_private or shown_reason(method, refused.code, payer, signed_in) != PRIVATE:
            raise
        _tell_private(prov, number, submission, refused, locale)
        raise type(refused)(PRIVATE) from refused
    except BaseException:
        db.session.rollback()
        raise
    if isinstance(asked, CodeChallenge):
        try:  # the attempt waits anyway; its page says why no code came and when one can
            _send_code(attempt, asked, locale)
        except CodeRefused:
            pass
    return attempt


def _tell_private(prov: PaymentProvider, number: str, submission, refused: Refused,
                  locale: str) -> None:
    """The paying account gets the reason of a private refusal (the page says only PRIVATE)."""
    order = db.session.scalar(select(Order).where(Order.number == number))
    begin_write()
    prov.tell_private(payable(order, locale), submission, refused)
    db.session.commit()


def _send_code(attempt: PaymentAttempt, asked: CodeChallenge, locale: str) -> None:
    """Send the attempt's code and commit; raises CodeRefused (rolled back) when the number
    may not get one yet."""
    text = getattr(sms_texts, asked.sms)
    codes.issue(asked.to, asked.purpose, _subject(attempt), asked.sender,
                lambda code: text(locale, code, **asked.values), reply_to=asked.reply_to,
                by_owner=asked.by_owner)


def _record(order: Order, attempt: PaymentAttempt, outcome: Outcome) -> None:
    """Apply a provider's outcome to the attempt (and the order when it is paid)."""
    _store(attempt, outcome)
    if isinstance(outcome, Succeeded):
        if outcome.settled is not None:  # known only at the end (cash)
            attempt.amount = outcome.settled.minor
        _finish(attempt, states.SUCCEEDED, None)
        mark_paid(order, clock.now(), actor="payer")
    elif isinstance(outcome, Declined):
        _finish(attempt, states.FAILED, outcome.reason)
    # RequiresAction: the attempt waits (pending) for the action's answer


def _finish(attempt: PaymentAttempt, status: str, reason: str | None) -> None:
    attempt.decline_code = reason
    set_attempt_status(attempt, status, clock.now())


def attempt_of(number: str, attempt_id: int, method: str | None = None
               ) -> tuple[Order, PaymentAttempt] | None:
    """An attempt of this order (of `method`, when given), with its order; None else."""
    order = db.session.scalar(select(Order).where(Order.number == number))
    attempt = db.session.get(PaymentAttempt, attempt_id)
    if order is None or attempt is None or attempt.order_id != order.id \
            or (method is not None and attempt.method != method):
        return None
    return order, attempt


def _locked_attempt(number: str, attempt_id: int, method: str | None
                    ) -> tuple[Order, PaymentAttempt]:
    order = locked_order(number)
    attempt = db.session.get(PaymentAttempt, attempt_id, populate_existing=True)
    if order is None or attempt is None or attempt.order_id != order.id \
            or (method is not None and attempt.method != method):
        raise CheckoutRefused("not_found")
    return order, attempt


def confirm(number: str, attempt_id: int, typed: str,
            method: str | None = None) -> PaymentAttempt:
    """The code typed for a waiting attempt. The right code lets the provider finish it (pay,
    or decline with its reason); an attempt already paid is returned unchanged (a replay, or
    the SMS reply got there first). Raises CheckoutRefused (not_found, not_pending) or
    CodeRefused (wrong, with tries left; dead, when the provider then fails the attempt).

    Locks follow services/db_locks.py, as for an SMS reply: the order, then the code, then
    what the provider locks; so a reply and a typed code at the same moment wait for each
    other instead of deadlocking, and the second finds the payment done."""
    try:
        order, attempt = _locked_attempt(number, attempt_id, method)
        if attempt.status == states.SUCCEEDED:
            db.session.commit()
            return attempt
        if attempt.status != states.PENDING or challenge(attempt) is None:
            raise CheckoutRefused("not_pending")
        asked = challenge(attempt)
        try:
            codes.use(asked.purpose, _subject(attempt), typed)
        except CodeRefused as refused:
            if refused.code == "dead":
                _action_failed(number, attempt_id)
            raise
        _answer(order, attempt, lambda prov, request: prov.confirm(request))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return attempt


def _action_failed(number: str, attempt_id: int) -> None:
    """The code can no longer confirm the attempt: the provider says whether that fails it."""
    order, attempt = _locked_attempt(number, attempt_id, None)
    failed = provider(attempt.method).action_failed(details(attempt))
    if attempt.status == states.PENDING and failed is not None:
        _record(order, attempt, failed)
    db.session.commit()


def _answer(order: Order, attempt: PaymentAttempt,
            outcome_of: Callable[[PaymentProvider, ConfirmRequest], Outcome]) -> None:
    """Finish a waiting attempt in the caller's write transaction, which holds the order's
    lock. An order past its deadline or paid meanwhile cancels the attempt instead."""
    now = clock.now()
    expire_if_due(order, now)  # cancels this attempt too
    if order.status != states.AWAITING_PAYMENT or attempt.status != states.PENDING:
        if attempt.status == states.PENDING:
            _finish(attempt, states.CANCELED, "expired" if order.status == states.EXPIRED
                    else "already_paid")
        return
    prov = provider(attempt.method)
    request = ConfirmRequest(order=payable(order), details=details(attempt),
                             attempt_ref=_subject(attempt), payer=attempt.payer_phone,
                             signed_in=attempt.signed_in_phone)
    _record(order, attempt, outcome_of(prov, request))


def complete(attempt_id: int, outcome: Outcome) -> PaymentAttempt:
    """Finish a waiting attempt with an outcome that arrived by itself (a wallet's
    notification, a bill acceptor's end of session), under the order's lock. Idempotent: an
    attempt already finished is returned unchanged (a notification delivered twice)."""
    try:
        attempt = db.session.get(PaymentAttempt, attempt_id)
        if attempt is None:
            raise CheckoutRefused("not_found")
        order, attempt = _locked_attempt(attempt.order.number, attempt_id, None)
        if attempt.status == states.PENDING:
            _answer(order, attempt, lambda prov, request: outcome)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return attempt


def resend(number: str, attempt_id: int, locale: str, method: str | None = None) -> None:
    """A new code for a waiting attempt while its order is payable. Raises CheckoutRefused,
    or CodeRefused when the number may not get one yet."""
    try:
        order, attempt = _locked_attempt(number, attempt_id, method)
        check_payable(order)
        asked = challenge(attempt)
        if attempt.status != states.PENDING or asked is None:
            raise CheckoutRefused("not_pending")
        _send_code(attempt, asked, locale)
    except BaseException:
        db.session.rollback()
        raise


def _withdraw(order: Order, attempt: PaymentAttempt) -> bool:
    """Let a waiting attempt's provider take back what it started outside (a wallet closes its
    trade) before the attempt is given up; True if the payer had paid it meanwhile: that
    payment is recorded (the order is paid) instead. Under the order's lock."""
    outcome = provider(attempt.method).withdraw(details(attempt))
    if isinstance(outcome, Succeeded) and order.status == states.AWAITING_PAYMENT:
        _record(order, attempt, outcome)
        return True
    return False


def withdraw_waiting(order: Order) -> bool:
    """Before anything else may pay the order (another method, or its window ending): each
    waiting attempt's provider takes back what it started; True if one turns out paid."""
    return any(_withdraw(order, attempt) for attempt in list(order.attempts)
               if attempt.status == states.PENDING)


def cancel(number: str, attempt_id: int, reason: str = "canceled") -> PaymentAttempt:
    """The payer gives up a waiting attempt (pays another way); its code stops working. A
    wallet's trade is closed first: if the payer paid it meanwhile, that payment stands (the
    attempt succeeds, the order is paid). An attempt already finished is returned unchanged."""
    try:
        order, attempt = _locked_attempt(number, attempt_id, None)
        if attempt.status == states.PENDING and not _withdraw(order, attempt):
            asked = challenge(attempt)
            if asked is not None:
                codes.withdraw(asked.to, asked.purpose, _subject(attempt))
            _finish(attempt, states.CANCELED, reason)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return attempt


def refund(number: str, *, actor: str, note: str,
           method: str | None = None) -> Order:
    """Give a paid order's money back through the method that took it (of `method`, when
    given), once. Raises CheckoutRefused(not_found | not_refundable)."""
    try:
        order = locked_order(number)
        if order is None:
            raise CheckoutRefused("not_found")
        paid = order.successful_attempt
        if order.status != states.PAID or paid is None \
                or (method is not None and paid.method != method):
            raise CheckoutRefused("not_refundable")
        refunded = provider(paid.method).refund(RefundRequest(
            order=payable(order), details=details(paid),
            amount=Money(paid.amount, paid.currency), payer=paid.payer_phone))
        set_status(order, states.REFUNDED, actor, clock.now(), note=note)
        paid.details = {**paid.details, "_refund": dataclasses.asdict(refunded.details)}
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return order


def _lock_for_reply(subject: str) -> None:
    attempt = db.session.get(PaymentAttempt, int(subject.split(":", 1)[1]))
    if attempt is not None:
        locked_order(attempt.order.number)


def _complete_from_reply(subject: str) -> None:
    """The code came back by SMS reply (replies.receive used it): the provider finishes."""
    attempt = db.session.get(PaymentAttempt, int(subject.split(":", 1)[1]))
    order = locked_order(attempt.order.number)
    if attempt.status == states.PENDING:
        _answer(order, attempt, lambda prov, request: prov.confirm(request))


# An order whose window ends with an attempt still waiting: its provider takes back what it
# started first (a wallet trade paid just before the deadline pays the order).
orders.BEFORE_EXPIRY.append(lambda order, now: withdraw_waiting(order))
replies.HANDLERS["attempt"] = replies.ReplyHandler(lock=_lock_for_reply,
                                                   complete=_complete_from_reply)
