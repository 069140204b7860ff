"""The wallet's server-to-server notifications to the merchant (SPEC §3.3).

Each change of a trade the merchant did not make itself (paid, closed on time-out, refunded)
becomes one notification: a JSON body signed with HMAC-SHA256 over "<timestamp>." + body
(headers X-Wallet-Timestamp, X-Wallet-Signature), posted at once and then again on the data
file's schedule (WeChat Pay's 15 s … 6 h) until the merchant answers HTTP 200 with the text
"success". Retries are sent by `flask settle` (deliver_due) and read the one clock; the
signature's timestamp is the real time of the post (the receiver checks it against its own).
The notify_id stays the same on every retry, as Alipay's does.

No transaction is open while a post is on its way: a notification is claimed (its attempt
counted and its next time pushed on, so nobody else sends it meanwhile), posted, then its
answer recorded.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..clock import clock
from ..database import begin_write
from ..domain import wallet as w
from ..extensions import db
from ..models import WalletNotification, WalletNotifyPost, WalletTrade
from . import rules
from .db_locks import claim_next

TIMESTAMP_HEADER = "X-Wallet-Timestamp"
SIGNATURE_HEADER = "X-Wallet-Signature"
SUCCESS = "success"
PENDING, DELIVERED, GAVE_UP = "pending", "delivered", "gave_up"
# What the sandbox records for a post it was asked to fail (the merchant gets nothing).
MADE_TO_FAIL = "sandbox: the notify endpoint was made to fail"


def secret() -> bytes:
    """The key the wallet and the shop share for notifications."""
    configured = current_app.config.get("WALLET_NOTIFY_SECRET")
    return (configured or "wallet-notify:" + current_app.config["SECRET_KEY"]).encode()


@dataclass(frozen=True)
class Answer:
    http_status: int
    text: str


# Posts a body with headers to a URL and returns what came back. The default goes through
# this application's own WSGI stack (the shop and the wallet are one app in the sandbox), in
# an app context of its own like any request; tests may put another in its place.
Transport = Callable[[str, bytes, dict], Answer]


def in_process(url: str, body: bytes, headers: dict) -> Answer:
    app = current_app._get_current_object()
    with app.app_context():
        response = app.test_client().post(url, data=body, headers=headers,
                                          content_type="application/json")
        return Answer(response.status_code, response.get_data(as_text=True)[:200])


transport: Transport = in_process


def body_of(trade: WalletTrade, notify_id: str, now: datetime) -> str:
    return json.dumps({
        "notify_id": notify_id, "notify_type": "trade_status_sync",
        "notify_time": now.isoformat(), "trade_no": trade.trade_no,
        "out_trade_no": trade.out_trade_no, "trade_status": trade.status,
        "close_reason": trade.close_reason, "brand": trade.brand,
        "total_amount": trade.amount, "currency": trade.currency,
        "gmt_payment": trade.paid_at.isoformat() if trade.paid_at else None,
    }, sort_keys=True)


def enqueue(trade: WalletTrade, now: datetime) -> WalletNotification:
    """A notification of the trade's current status, due at once (caller's transaction)."""
    notify_id = secrets.token_hex(16)
    notification = WalletNotification(
        trade_id=trade.id, notify_id=notify_id, trade_status=trade.status,
        body=body_of(trade, notify_id, now), status=PENDING, attempts=0, created_at=now,
        next_at=now)
    db.session.add(notification)
    return notification


def signed_headers(body: bytes, at: int | None = None) -> dict:
    timestamp = int(time.time()) if at is None else at
    return {TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: w.sign(secret(), timestamp, body)}


def _claim(notification_id: int) -> tuple[str, bytes, bool] | None:
    """Count one more post of a due notification and push its next time on; returns (url,
    body, made_to_fail) or None if it is not due (sent by someone else, or answered)."""
    begin_write()
    trade_id = db.session.scalar(select(WalletNotification.trade_id)
                                 .where(WalletNotification.id == notification_id))
    trade = db.session.get(WalletTrade, trade_id, with_for_update=True, populate_existing=True)
    notification = db.session.get(WalletNotification, notification_id, with_for_update=True,
                                  populate_existing=True)
    now = clock.now()
    if notification.status != PENDING or notification.next_at is None \
            or notification.next_at > now:
        db.session.commit()
        return None
    notification.attempts += 1
    # Until its answer is recorded nobody else may send it: its next time moves on now (to
    # the retry it would get if this post failed, or past the last one).
    notification.next_at = w.next_attempt_at(notification.attempts, now,
                                             rules().wallet.retry_after) or now.replace(
                                                 year=now.year + 1)
    fail = trade.notify_failures_left > 0
    if fail:
        trade.notify_failures_left -= 1
    claimed = (trade.notify_url, notification.body.encode(), fail)
    db.session.commit()
    return claimed


def _record(notification_id: int, answer: Answer) -> bool:
    begin_write()
    notification = db.session.get(WalletNotification, notification_id, with_for_update=True,
                                  populate_existing=True)
    now = clock.now()
    ok = answer.http_status == 200 and answer.text.strip() == SUCCESS
    db.session.add(WalletNotifyPost(notification_id=notification.id, at=now,
                                    http_status=answer.http_status, answer=answer.text[:200],
                                    ok=ok))
    if ok:
        notification.status, notification.delivered_at, notification.next_at = \
            DELIVERED, now, None
    elif w.next_attempt_at(notification.attempts, now, rules().wallet.retry_after) is None:
        notification.status, notification.next_at = GAVE_UP, None
    db.session.commit()
    return ok


def deliver(notification_id: int) -> bool | None:
    """Post a due notification once; True if the merchant answered "success", False if not
    (a retry is scheduled, or it gave up after the last), None if it was not due."""
    claimed = _claim(notification_id)
    if claimed is None:
        return None
    url, body, fail = claimed
    if fail:
        answer = Answer(503, MADE_TO_FAIL)
    else:
        try:
            answer = transport(url, body, signed_headers(body))
        except Exception as error:  # noqa: BLE001 - any failure to reach it is a failed post
            answer = Answer(0, f"error: {type(error).__name__}")
    return _record(notification_id, answer)


def deliver_pending(trade_id: int) -> None:
    """Send a trade's notifications that are due now (right after the change that made one)."""
    db.session.commit()
    due = list(db.session.scalars(select(WalletNotification.id).where(
        WalletNotification.trade_id == trade_id, WalletNotification.status == PENDING,
        WalletNotification.next_at <= clock.now()).order_by(WalletNotification.id)))
    db.session.commit()
    for notification_id in due:
        deliver(notification_id)


def deliver_due() -> int:
    """Settlement: post every notification whose (re)try is due; returns how many were
    posted. Claims a few at a time (SKIP LOCKED on PostgreSQL), so processes share them."""
    now, after, posted = clock.now(), 0, 0
    due = select(WalletNotification).where(WalletNotification.status == PENDING,
                                           WalletNotification.next_at <= now)
    while claimed := claim_next(due, WalletNotification.id, after):
        ids = [n.id for n in claimed]
        after = ids[-1]
        db.session.commit()
        for notification_id in ids:
            posted += deliver(notification_id) is not None
    db.session.commit()
    return posted


def fail_next(trade_no: str, times: int) -> None:
    """Sandbox: make the next `times` posts of this trade's notifications fail (0 to 20)."""
    begin_write()
    trade = db.session.scalar(select(WalletTrade).where(WalletTrade.trade_no == trade_no)
                              .with_for_update())
    if trade is not None:
        trade.notify_failures_left = max(0, min(times, 20))
    db.session.commit()
