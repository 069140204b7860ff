"""Issuing and checking one-time codes sent by SMS (SPEC §5)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..clock import clock
from ..database import begin_write, lock_name
from ..domain import codes as rules_of
from ..extensions import db
from ..models import OneTimeCode
from ..refusals import CodeRefused
from . import rules, sms
from .transitions import begin, transition, transition_all

__all__ = ["CodeRefused"]


def digits() -> int:
    """How many digits a code has (rules/codes.toml: 4 to 10)."""
    return rules().codes.digits


def read_typed(raw: str | None) -> str | None:
    """A code as a person typed it, without spaces ("123 456"), if it is as many ASCII digits
    as a code has; None for anything else (worth a message, not a wrong try)."""
    typed = rules_of.normalize_typed(raw)
    if typed.isascii() and typed.isdigit() and len(typed) == digits():
        return typed
    return None


def _key() -> bytes:
    return ("one-time-codes:" + current_app.config["SECRET_KEY"]).encode()


def _set_status(code: OneTimeCode, new: str, now: datetime, actor: str) -> None:
    transition(code, new, actor=actor, at=now)
    code.finished_at = now


def issue(phone: str, purpose: str, subject: str, sender: str,
          text_for: Callable[[str], str], reply_to: str | None = None,
          by_owner: bool = False) -> OneTimeCode:
    """Send a new code to `phone` for (purpose, subject) and commit, together with whatever the
    caller's write transaction holds. An active code for the same thing is superseded.
    `by_owner`: asked for by a payer signed in as `phone` (a bucket of its own).
    Raises CodeRefused(resend_too_soon | hourly_limit), after rolling the transaction back."""
    lock_name("codes:" + phone)
    policy, now = rules().codes, clock.now()
    decision = _may_issue(phone, purpose, subject, now, by_owner)
    if not decision.allowed:
        db.session.rollback()
        raise CodeRefused(decision.reason or "", retry_at=decision.retry_at)
    asker = "owner" if by_owner else "payer"  # who asked for it (the events' actor)
    _supersede(purpose, subject, now, asker)
    code = rules_of.new_code(policy)
    row = OneTimeCode(phone=phone, purpose=purpose, subject=subject,
                      code_hash=rules_of.code_hash(_key(), purpose, subject, code),
                      status=rules_of.ACTIVE, wrong_tries=0, issued_at=now,
                      expires_at=rules_of.expires_at(now, policy), reply_to=reply_to,
                      by_owner=by_owner)
    db.session.add(row)
    begin(row, actor=asker, reason=purpose, at=now)
    sms.send(phone, sender, text_for(code), secret=code)
    db.session.commit()
    return row


def _supersede(purpose: str, subject: str, now: datetime, actor: str = "payer") -> None:
    for old in db.session.scalars(select(OneTimeCode).where(
            OneTimeCode.purpose == purpose, OneTimeCode.subject == subject,
            OneTimeCode.status == rules_of.ACTIVE)
            .with_for_update().execution_options(populate_existing=True)):
        _set_status(old, rules_of.SUPERSEDED, now, actor)


def withdraw(phone: str, purpose: str, subject: str) -> None:
    """Kill the active code for (purpose, subject), sent to `phone`, in the caller's write
    transaction: what it confirms is over (a payment replaced by a newer one)."""
    lock_name("codes:" + phone)
    _supersede(purpose, subject, clock.now())


def _may_issue(phone: str, purpose: str, subject: str, now: datetime,
               by_owner: bool) -> rules_of.IssueDecision:
    issued = db.session.scalars(select(OneTimeCode.issued_at).where(
        OneTimeCode.phone == phone, OneTimeCode.purpose == purpose,
        OneTimeCode.by_owner.is_(by_owner), OneTimeCode.issued_at > now - rules_of.HOUR)).all()
    last = _latest(purpose, subject)
    return rules_of.may_issue(now, last.issued_at if last else None, list(issued), rules().codes)


def _latest(purpose: str, subject: str, lock: bool = False) -> OneTimeCode | None:
    query = (select(OneTimeCode).where(OneTimeCode.purpose == purpose,
                                       OneTimeCode.subject == subject)
             .order_by(OneTimeCode.id.desc()).limit(1))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def use(purpose: str, subject: str, typed: str, from_phone: str | None = None) -> OneTimeCode:
    """Check a code and mark it used, in the caller's write transaction (the caller commits
    together with what the code confirms). A wrong code counts a try and is committed before
    CodeRefused is raised; the last allowed wrong try kills the code. `from_phone`, when given
    (an SMS reply), must be the number the code was sent to, else it counts as a wrong try."""
    begin_write()
    code = _latest(purpose, subject, lock=True)
    now, policy = clock.now(), rules().codes
    if code is None or code.status == rules_of.SUPERSEDED:
        raise CodeRefused("no_code")
    if code.status in (rules_of.USED, rules_of.DEAD, rules_of.EXPIRED):
        raise CodeRefused(code.status)
    if rules_of.is_expired(code.issued_at, now, policy):
        _set_status(code, rules_of.EXPIRED, now, "clock")
        db.session.commit()
        raise CodeRefused(rules_of.EXPIRED)
    typed = rules_of.normalize_typed(typed)
    right_phone = from_phone is None or from_phone == code.phone
    if not (right_phone and rules_of.code_matches(_key(), purpose, subject, typed,
                                                  code.code_hash)):
        code.wrong_tries += 1
        left = policy.max_wrong_tries - code.wrong_tries
        if left <= 0:
            _set_status(code, rules_of.DEAD, now, "payer")
        db.session.commit()
        raise CodeRefused("dead" if left <= 0 else "wrong", tries_left=max(left, 0))
    _set_status(code, rules_of.USED, now, "payer")
    return code


NOT_SENT = "not_sent"  # CodeView.status: no code was sent for this thing (`blocked_by` says why)


@dataclass(frozen=True)
class CodeView:
    """What a code page shows: where it went, time and tries left, when to ask again; or, when
    none was sent, why (`blocked_by`, with `resend_at`)."""

    phone: str
    status: str  # active | expired | dead | used | superseded | not_sent
    expires_at: datetime | None
    tries_left: int
    resend_at: datetime | None  # None: a new code may be asked for now
    blocked_by: str | None = None  # resend_too_soon | hourly_limit while resend_at is set

    def seconds_left(self, now: datetime) -> int:
        if self.expires_at is None:
            return 0
        return max(int((self.expires_at - now).total_seconds()), 0)


def view(purpose: str, subject: str, phone: str | None = None,
         by_owner: bool = False) -> CodeView | None:
    """The latest code for (purpose, subject), as of now, for display. When none was ever sent
    and `phone` is given (the number it would go to; `by_owner`: asked for by a payer signed
    in as it), a NOT_SENT view that says whether one may be sent now and, if not, why: the
    hourly cap may have stopped the first SMS."""
    code = _latest(purpose, subject)
    now, policy = clock.now(), rules().codes
    if code is None:
        if phone is None:
            return None
        decision = _may_issue(phone, purpose, subject, now, by_owner)
        return CodeView(phone=phone, status=NOT_SENT, expires_at=None, tries_left=0,
                        resend_at=None if decision.allowed else decision.retry_at,
                        blocked_by=decision.reason)
    status = code.status
    if status == rules_of.ACTIVE and rules_of.is_expired(code.issued_at, now, policy):
        status = rules_of.EXPIRED
    decision = _may_issue(code.phone, purpose, subject, now, code.by_owner)
    return CodeView(phone=code.phone, status=status, expires_at=code.expires_at,
                    tries_left=max(policy.max_wrong_tries - code.wrong_tries, 0),
                    resend_at=None if decision.allowed else decision.retry_at,
                    blocked_by=decision.reason)


def expire_due() -> int:
    """Mark every active code past its validity expired, each with its event row, in two
    statements (idempotent); return how many."""
    begin_write()
    now = clock.now()
    moved = transition_all(OneTimeCode, rules_of.ACTIVE, rules_of.EXPIRED,
                           where=[OneTimeCode.expires_at <= now], actor="clock", at=now,
                           values={"finished_at": now})
    db.session.commit()
    return len(moved)


def recipient(subject: str) -> str | None:
    """The number the latest code for `subject` (any purpose) went to, if one was sent."""
    return db.session.scalar(select(OneTimeCode.phone).where(OneTimeCode.subject == subject)
                             .order_by(OneTimeCode.id.desc()).limit(1))
