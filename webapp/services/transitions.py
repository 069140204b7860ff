"""The one way a status changes: `transition()` checks the move against the thing's state
machine (domain/states.py), sets the status and writes one event row (who, what, when, why) in
the caller's transaction. The caller holds the row lock and commits (DESIGN "State and
concurrency"): a move is recorded with the change it belongs to, or not at all.

    transition(order, "paid", actor="payer", reason="card")   # → the StateEvent written
    begin(credit, actor="ussd")        # a thing just created: the event None → its status
    transition_all(OneTimeCode, "active", "expired", where=[...], actor="clock")  # many rows
    history(order)                     # its events, oldest first

Adding a kind of thing (a wallet trade, a kiosk session): define its machine in domain/ with
`domain.states.define(...)`, then one line here, next to the others (or in its own service
module, imported before use):

    register(WalletTrade, "wallet_trade", WALLET_TRADE)

The model needs an integer `id` and a string `status` column (another column name:
`status_attr=`). Nothing else: events of every kind share the table state_events, keyed by
(subject_kind, subject_id); `history(trade)` reads them.

Actors name who moved it: "payer", "bank", "operator", "gateway", "clock", "sandbox", "system"
(or a channel: "web", "ussd", ...). `reason` is a short machine-readable note (a decline code,
"dispute", "superseded"), not a translated text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from ..clock import clock
from ..domain import machines
from ..domain.states import Machine
from ..extensions import db
from ..models import (
    OneTimeCode,
    Order,
    OrderEvent,
    PaymentAttempt,
    SmsMessage,
    StateEvent,
    TrustCredit,
    WalletTrade,
)

ORDER_KIND = "order"  # the subject_kind of orders' events (OrderEvent loads them)


@dataclass(frozen=True)
class Subject:
    """How a model takes part: its kind in the event rows and its machine (one, or chosen per
    row, as an order's by its kind)."""

    kind: str
    machine: Machine | Callable[[Any], Machine]
    status_attr: str = "status"

    def machine_of(self, thing: Any) -> Machine:
        return self.machine if isinstance(self.machine, Machine) else self.machine(thing)


SUBJECTS: dict[type, Subject] = {}


def register(model: type, kind: str, machine: Machine | Callable[[Any], Machine],
             status_attr: str = "status") -> None:
    """Let `model`'s rows move through `machine`, their events written as `kind`."""
    if model in SUBJECTS or any(s.kind == kind for s in SUBJECTS.values()):
        raise ValueError(f"{model.__name__} or the kind {kind} is registered already")
    SUBJECTS[model] = Subject(kind=kind, machine=machine, status_attr=status_attr)


register(Order, ORDER_KIND, lambda order: machines.ORDER_BY_KIND[order.kind])
register(PaymentAttempt, "attempt", machines.PAYMENT_ATTEMPT)
register(OneTimeCode, "code", machines.ONE_TIME_CODE)
register(TrustCredit, "trust_credit", machines.TRUST_CREDIT)
register(SmsMessage, "sms", machines.SMS_MESSAGE)
register(WalletTrade, "wallet_trade", machines.WALLET_TRADE)


def subject_of(thing: Any) -> Subject:
    try:
        return SUBJECTS[type(thing)]
    except KeyError:
        raise TypeError(f"{type(thing).__name__} has no registered state machine") from None


def _event(kind: str, **fields) -> StateEvent:
    return (OrderEvent if kind == ORDER_KIND else StateEvent)(subject_kind=kind, **fields)


def _record(thing: Any, current: str | None, new: str, actor: str, reason: str,
            at: datetime | None) -> StateEvent:
    subject = subject_of(thing)
    subject.machine_of(thing).check(current, new)
    if thing.id is None:  # just added: the event needs its id
        db.session.flush()
    setattr(thing, subject.status_attr, new)
    event = _event(subject.kind, subject_id=thing.id, from_status=current, to_status=new,
                   actor=actor, reason=reason, at=at or clock.now())
    db.session.add(event)
    return event


def transition(thing: Any, new_status: str, *, actor: str, reason: str = "",
               at: datetime | None = None) -> StateEvent:
    """Move `thing` to `new_status` and record it (at `at`, default the clock's now), in the
    caller's transaction. Raises IllegalMove for a move its machine does not allow: the caller
    checks the status under the row lock first; reaching an illegal move is a bug."""
    subject = subject_of(thing)
    return _record(thing, getattr(thing, subject.status_attr), new_status, actor, reason, at)


def begin(thing: Any, *, actor: str, reason: str = "", at: datetime | None = None
          ) -> StateEvent:
    """Record the creation of `thing` in its current status, which must be an initial one of
    its machine (the event None → status). Flushes it first if it has no id yet."""
    subject = subject_of(thing)
    return _record(thing, None, getattr(thing, subject.status_attr), actor, reason, at)


def transition_all(model: type, from_status: str, new_status: str, *,
                   where: Iterable[Any] = (), actor: str, reason: str = "",
                   at: datetime | None = None, values: Mapping[str, Any] | None = None
                   ) -> list[int]:
    """Move every row of `model` in `from_status` that matches `where` to `new_status`, with
    `values` set too, and record one event per row: two statements whatever the number of
    rows (for settlement and expiry). The UPDATE's own WHERE status = from_status decides
    which rows move, so two runs at once move each row once. Returns the ids moved; the caller
    commits."""
    subject = SUBJECTS[model]
    if not isinstance(subject.machine, Machine):
        raise TypeError(f"{model.__name__} has a machine per row: move them one by one")
    subject.machine.check(from_status, new_status)
    status = getattr(model, subject.status_attr)
    moved = list(db.session.scalars(
        update(model).where(status == from_status, *where)
        .values({subject.status_attr: new_status, **(values or {})})
        .returning(model.id)))
    if moved:
        when = at or clock.now()
        db.session.execute(insert(StateEvent.__table__), [
            {"subject_kind": subject.kind, "subject_id": subject_id, "from_status": from_status,
             "to_status": new_status, "actor": actor, "reason": reason, "at": when}
            for subject_id in moved])
    return moved


def history(thing: Any) -> list[StateEvent]:
    """Every recorded move of `thing`, oldest first."""
    return history_of(subject_of(thing).kind, thing.id)


def history_of(kind: str, subject_id: int) -> list[StateEvent]:
    """Every recorded move of the thing of `kind` with `subject_id`, oldest first."""
    return list(db.session.scalars(
        select(StateEvent).where(StateEvent.subject_kind == kind,
                                 StateEvent.subject_id == subject_id)
        .order_by(StateEvent.id)))
