"""The one clock every deadline reads (SPEC §6).

Real time plus a sandbox offset kept in the database, so that every process sees the same
"now" after a tester moves time forward. Tests may pin the base time with `freeze()`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import select

from .database import lock_name
from .extensions import db
from .models import Setting

_OFFSET_KEY = "clock_offset_seconds"
_REQUEST_OFFSET = "_topup_clock_offset"
_READ_OFFSET = select(Setting.value).where(Setting.key == _OFFSET_KEY)


class Clock:
    def __init__(self) -> None:
        self._frozen: datetime | None = None

    def freeze(self, at: datetime | None) -> None:
        """Pin the base time (tests); None goes back to real time."""
        self._frozen = at

    def _base(self) -> datetime:
        return self._frozen or datetime.now(UTC)

    def offset(self) -> timedelta:
        """How far the sandbox clock is ahead of real time, read once per request (one "now"
        for the whole page, and no second query for it); always zero outside sandbox mode,
        whatever an earlier sandbox run left in the database."""
        if not current_app.config["SANDBOX"]:
            return timedelta(0)
        if has_request_context() and (cached := g.get(_REQUEST_OFFSET)) is not None:
            return cached
        value = db.session.scalar(_READ_OFFSET)
        found = timedelta(seconds=int(value)) if value is not None else timedelta(0)
        self._remember(found)
        return found

    @staticmethod
    def _remember(offset: timedelta) -> None:
        if has_request_context():
            setattr(g, _REQUEST_OFFSET, offset)

    def now(self) -> datetime:
        """The current time (aware, UTC), sandbox offset included."""
        return self._base() + self.offset()

    def advance(self, delta: timedelta) -> datetime:
        """Move the sandbox clock forward by delta (never back) and return the new now.
        Raises ValueError for a step back, RuntimeError outside sandbox mode."""
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        if not current_app.config["SANDBOX"]:
            raise RuntimeError("the clock can only be moved in sandbox mode")
        # Read, add and write under one lock: two testers pressing "+1 day" at once move the
        # clock two days (and the first move, which creates the row, is not raced either).
        lock_name(_OFFSET_KEY)
        setting = db.session.get(Setting, _OFFSET_KEY)  # read again, not the request's
        total = (timedelta(seconds=int(setting.value)) if setting else timedelta(0)) + delta
        if setting is None:
            db.session.add(Setting(key=_OFFSET_KEY, value=str(int(total.total_seconds()))))
        else:
            setting.value = str(int(total.total_seconds()))
        db.session.commit()
        self._remember(total)
        return self.now()

    def reset(self) -> None:
        """Back to real time."""
        lock_name(_OFFSET_KEY)
        setting = db.session.get(Setting, _OFFSET_KEY)
        if setting is not None:
            db.session.delete(setting)
            db.session.commit()
        self._remember(timedelta(0))


clock = Clock()
