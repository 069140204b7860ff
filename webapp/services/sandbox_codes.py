"""Sandbox actions on one-time codes (sandbox only): "expire now" and "skip the resend wait",
so that "code expired" and "a new code in 60 s" are reached without waiting.

They change only the code's own row, never the shared clock: expiring ends the code now (its
validity and status, as if its 10 minutes were over); skipping the wait moves the code's issue
time and expiry back by the wait that is left (as if it had been sent that much earlier), so
the rules of services.codes read it unchanged. The per-number hourly cap still counts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..clock import clock
from ..database import begin_write
from ..domain import codes as rules_of
from ..extensions import db
from ..models import OneTimeCode
from . import rules
from .transitions import transition


class SandboxCodeRefused(Exception):
    """reason: not_found (no such code of this number) | not_active (expired, used, dead or
    replaced already) | no_wait (a new code may be asked for already)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SandboxCode:
    """A code of a number as the virtual phone lists it, with what may be done to it."""

    id: int
    purpose: str
    status: str  # as of now: an active code past its time reads "expired"
    expires_at: datetime
    resend_at: datetime | None  # when the resend wait for its purpose ends, if it runs now

    @property
    def can_expire(self) -> bool:
        return self.status == rules_of.ACTIVE


def _sandbox_only() -> None:
    if not current_app.config["SANDBOX"]:
        raise RuntimeError("sandbox code actions exist only in sandbox mode")


def _status(code: OneTimeCode, now: datetime) -> str:
    if code.status == rules_of.ACTIVE and rules_of.is_expired(code.issued_at, now,
                                                             rules().codes):
        return rules_of.EXPIRED
    return code.status


def _latest_for_thing(code: OneTimeCode) -> bool:
    """Only the newest code for a purpose and subject governs the resend wait."""
    newest = db.session.scalar(select(OneTimeCode.id).where(
        OneTimeCode.purpose == code.purpose, OneTimeCode.subject == code.subject)
        .order_by(OneTimeCode.id.desc()).limit(1))
    return newest == code.id


def codes_of(phone: str) -> list[SandboxCode]:
    """The number's codes that an action applies to, newest first: those still active, and
    the newest one of each purpose while its resend wait runs."""
    _sandbox_only()
    now, policy = clock.now(), rules().codes
    recent = db.session.scalars(select(OneTimeCode).where(
        OneTimeCode.phone == phone,
        OneTimeCode.issued_at > now - max(policy.valid_for, policy.resend_after))
        .order_by(OneTimeCode.id.desc())).all()
    found, seen = [], set()
    for code in recent:
        newest = (code.purpose, code.subject) not in seen
        seen.add((code.purpose, code.subject))
        wait_ends = code.issued_at + policy.resend_after
        resend_at = wait_ends if newest and wait_ends > now else None
        status = _status(code, now)
        if status == rules_of.ACTIVE or resend_at is not None:
            found.append(SandboxCode(id=code.id, purpose=code.purpose, status=status,
                                     expires_at=code.expires_at, resend_at=resend_at))
    return found


def _locked(phone: str, code_id: int) -> OneTimeCode:
    begin_write()
    code = db.session.scalar(select(OneTimeCode).where(OneTimeCode.id == code_id)
                             .with_for_update().execution_options(populate_existing=True))
    if code is None or code.phone != phone:
        db.session.rollback()
        raise SandboxCodeRefused("not_found")
    return code


def expire_now(phone: str, code_id: int) -> OneTimeCode:
    """End an active code of `phone` now: it is expired as if its validity were over (the
    resend wait and the hourly cap still count it as sent when it was). Raises
    SandboxCodeRefused(not_found | not_active)."""
    _sandbox_only()
    code = _locked(phone, code_id)
    now = clock.now()
    if _status(code, now) != rules_of.ACTIVE:
        db.session.rollback()
        raise SandboxCodeRefused("not_active")
    transition(code, rules_of.EXPIRED, actor="sandbox", at=now)
    code.expires_at = code.finished_at = now
    db.session.commit()
    return code


def skip_resend_wait(phone: str, code_id: int) -> OneTimeCode:
    """Let a new code for the same purpose be asked for at once: the newest code's issue time
    and expiry move back by the wait that is left, so an active code keeps showing the time
    it truly has. Raises SandboxCodeRefused(not_found | no_wait)."""
    _sandbox_only()
    code = _locked(phone, code_id)
    now = clock.now()
    left = code.issued_at + rules().codes.resend_after - now
    if left.total_seconds() <= 0 or not _latest_for_thing(code):
        db.session.rollback()
        raise SandboxCodeRefused("no_wait")
    code.issued_at -= left
    code.expires_at -= left
    db.session.commit()
    return code
