"""Sending SMS, receiving replies and delivery reports (SPEC §5)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import exists, select

from ..clock import clock
from ..database import begin_write, lock_name
from ..domain.machines import SMS_MESSAGE
from ..extensions import db
from ..models import SmsMessage
from ..sms_gateways import MASK, OutgoingSms
from .transitions import begin, transition

# Who the sandbox's own messages come from (an alphanumeric sender, as real services use).
SERVICE_SENDER = "TopupSandbox"
OPERATOR_SENDER = "Beeline"


def send(phone: str, sender: str, body: str, secret: str | None = None,
         topic: str | None = None) -> SmsMessage:
    """Record an outgoing SMS and hand it to the configured gateway, in the caller's
    transaction (the caller commits: a message is sent only with the change it belongs to).

    `secret` (a one-time code in the body) is kept in the stored copy only in sandbox mode,
    where the outbox is the virtual phone's inbox; otherwise the database keeps it masked
    (and so does a gateway that logs). `topic` names what a rationed notice is about
    (send_rationed).
    """
    stored = body
    if secret and not current_app.config["SANDBOX"]:
        stored = body.replace(secret, MASK)
    message = SmsMessage(direction="out", phone=phone, peer=sender, body=stored,
                         status="queued", gateway_id=secrets.token_hex(16),
                         created_at=clock.now(), topic=topic)
    db.session.add(message)
    begin(message, actor="system", reason=topic or "")
    gateway = current_app.extensions["sms_gateway"]
    status = gateway.send(OutgoingSms(message.gateway_id, phone, sender, body, secret))
    transition(message, status, actor="gateway")
    message.status_at = clock.now()
    return message


def send_rationed(phone: str, sender: str, topic: str, body: str, every: timedelta) -> bool:
    """Send a notice on `topic` unless one on the same topic went to `phone` less than `every`
    ago, so that nobody can use such notices to flood a number. In the caller's write
    transaction (the caller commits); takes the leaf lock notice:<phone> (services/db_locks.py).
    True if it was sent."""
    lock_name("notice:" + phone)
    recent = exists().where(SmsMessage.phone == phone, SmsMessage.direction == "out",
                            SmsMessage.topic == topic,
                            SmsMessage.created_at > clock.now() - every)
    if db.session.scalar(select(recent)):
        return False
    send(phone, sender, body, topic=topic)
    return True


def record_reply(phone: str, to: str, text: str, inbound_id: str | None = None) -> SmsMessage:
    """Record an SMS a number sent to one of our short numbers (the caller commits);
    `inbound_id` is the gateway's id of it, if it came through a gateway."""
    message = SmsMessage(direction="in", phone=phone, peer=to, body=text[:600],
                         status="received", gateway_id=secrets.token_hex(16),
                         inbound_id=inbound_id, created_at=clock.now())
    db.session.add(message)
    begin(message, actor="sender")
    return message


def received(inbound_id: str) -> bool:
    """Whether a message with this gateway id was received already."""
    return db.session.scalar(select(SmsMessage.id).where(SmsMessage.inbound_id == inbound_id)
                             ) is not None


def record_delivery(gateway_id: str, status: str) -> bool:
    """A delivery report from the gateway: delivered or failed. False for an unknown message.
    A report that changes nothing (the same status again) or comes too late (delivered after
    failed) is taken and ignored: reports arrive out of order and more than once."""
    begin_write()
    message = db.session.scalar(
        select(SmsMessage).where(SmsMessage.gateway_id == gateway_id)
        .with_for_update().execution_options(populate_existing=True))
    if message is None or message.direction != "out":
        db.session.rollback()
        return False
    if SMS_MESSAGE.allows(message.status, status):
        transition(message, status, actor="gateway", reason="delivery_report")
        message.status_at = clock.now()
    db.session.commit()
    return True


def inbox(phone: str) -> list[tuple[str, list[SmsMessage]]]:
    """A number's messages grouped by the other party, newest conversation and message first."""
    messages = db.session.scalars(select(SmsMessage).where(SmsMessage.phone == phone)
                                  .order_by(SmsMessage.id.desc())).all()
    threads: dict[str, list[SmsMessage]] = {}
    for message in messages:
        threads.setdefault(message.peer, []).append(message)
    return list(threads.items())
