"""SMS replies to our short numbers: recorded, then offered to whatever waits for one.

A use case that confirms by reply (the m-commerce payment of SPEC §3.2) issues its code with
`reply_to` set and registers a handler for its subject's kind; the reply's text is the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from ..database import begin_write, lock_name
from ..domain.codes import ACTIVE
from ..extensions import db
from ..models import OneTimeCode
from . import codes, sms


@dataclass(frozen=True)
class ReplyHandler:
    """What confirms by reply: `lock(subject)` takes the locks that come before the code's in
    the lock order (services/db_locks.py: the order it pays), `complete(subject)` runs in the
    transaction that used the code."""

    lock: Callable[[str], None]
    complete: Callable[[str], None]


# The kind of a code's subject (before its ":", e.g. "attempt") → what a code for such a
# subject confirms when it comes back by reply.
HANDLERS: dict[str, ReplyHandler] = {}


class AlreadyReceived(Exception):
    """The SMS gateway posted a message with this id before: a replay, taken once only."""


def receive(phone: str, to: str, text: str, inbound_id: str | None = None) -> bool:
    """Record a reply from `phone` to short number `to`; if a code sent to this number waits for
    a reply to `to`, check it. True when the reply confirmed something.

    `inbound_id` is the gateway's id of the message (the virtual phone has none); raises
    AlreadyReceived, changing nothing, when a message with that id was received before.
    """
    begin_write()
    if inbound_id is not None:
        # Two deliveries of one message at once: the second waits here, then sees the first.
        lock_name("sms-inbound:" + inbound_id)
        if sms.received(inbound_id):
            db.session.rollback()
            raise AlreadyReceived(inbound_id)
    sms.record_reply(phone, to, text, inbound_id)
    waiting = db.session.scalar(
        select(OneTimeCode).where(OneTimeCode.phone == phone, OneTimeCode.reply_to == to,
                                  OneTimeCode.status == ACTIVE)
        .order_by(OneTimeCode.id.desc()).limit(1))
    db.session.commit()  # the reply is kept whatever the code says
    handler = HANDLERS.get(waiting.subject.split(":", 1)[0]) if waiting else None
    if waiting is None or handler is None:
        return False
    try:
        handler.lock(waiting.subject)
        codes.use(waiting.purpose, waiting.subject, text, from_phone=phone)
        handler.complete(waiting.subject)
        db.session.commit()
    except codes.CodeRefused:
        db.session.rollback()
        return False
    except BaseException:
        db.session.rollback()
        raise
    return True
