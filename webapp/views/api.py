"""Endpoints for machines: an SMS gateway posts replies and delivery reports here, a USSD
gateway its requests, a kiosk's bill acceptor driver its note events.

Every post is signed: X-Timestamp is the Unix time it was sent (seconds) and X-Signature the
hex HMAC-SHA256 of "<timestamp>.<raw body>" with the gateway's shared secret. A post more than
five minutes away from our time is refused, so a recorded post cannot be played again later;
within those minutes an SMS reply is recognized by the gateway's message id and taken once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from flask import Blueprint, current_app, jsonify, request

from ..domain.money import MINOR_DIGITS, Money
from ..extensions import csrf
from ..i18n import FORMAT_LOCALES
from ..inputs import nul_free
from ..services import kiosk, kiosk_cash, replies, sms, ussd

bp = Blueprint("api", __name__, url_prefix="/api")

TOLERANCE_SECONDS = 300
# The columns these values are stored in (SmsMessage.phone, OneTimeCode.reply_to,
# SmsMessage.body, SmsMessage.inbound_id); the USSD code is at most 32 characters.
MAX_PHONE, MAX_SHORT_NUMBER, MAX_TEXT, MAX_MESSAGE_ID, MAX_USSD_CODE = 20, 16, 600, 64, 32
# KioskNote.terminal and KioskNote.event_id.
MAX_TERMINAL, MAX_EVENT_ID = 16, 64


class Refusal(Exception):
    """A post we do not act on: its JSON error and HTTP status."""

    def __init__(self, error: str, status: int):
        super().__init__(error)
        self.error, self.status = error, status


@bp.errorhandler(Refusal)
def _refused(refusal: Refusal):
    return jsonify(error=refusal.error), refusal.status


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Signature of `body` sent at `timestamp` (what a gateway computes too)."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _signed_json(secret_key: str) -> dict:
    """The signed, fresh JSON object of this post. Raises Refusal: 403 for a missing secret,
    signature or timestamp, a wrong signature or a timestamp out of tolerance; 400 for a body
    that is not a JSON object or has a NUL byte in it."""
    secret = current_app.config.get(secret_key) or ""
    timestamp = request.headers.get("X-Timestamp", "").strip()
    signature = request.headers.get("X-Signature", "").strip().lower()
    body = request.get_data(cache=False)
    if not (secret and signature and timestamp.isascii() and timestamp.isdigit()
            and len(timestamp) <= 12):
        raise Refusal("bad signature", 403)
    if not hmac.compare_digest(sign(secret, timestamp, body), signature):
        raise Refusal("bad signature", 403)
    # Real time, not the sandbox clock: the gateway signs with its own real clock, and moving
    # the sandbox forward by days must not make every genuine post look stale.
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        raise Refusal("timestamp too old or in the future", 403)
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise Refusal("body is not JSON", 400) from exc
    if not isinstance(payload, dict):
        raise Refusal("body is not a JSON object", 400)
    if not nul_free(payload):
        raise Refusal("NUL byte in the body", 400)
    return payload


def _text(payload: dict, name: str, longest: int) -> str:
    """A required non-empty string field no longer than its column. Raises Refusal (400)."""
    value = payload.get(name)
    if not isinstance(value, str) or not value:
        raise Refusal(f"{name} is needed", 400)
    if len(value) > longest:
        raise Refusal(f"{name} is longer than {longest} characters", 400)
    return value


@bp.post("/sms/inbound")
@csrf.exempt
def sms_inbound():
    """{"type": "reply", "id": "<gateway's message id>", "from": "+79031234567", "to": "8464",
    "text": "123456"} or {"type": "delivery", "id": "<our gateway id>", "status": "delivered" |
    "failed"}."""
    payload = _signed_json("SMS_INBOUND_SECRET")
    kind = payload.get("type")
    if kind == "reply":
        message_id = _text(payload, "id", MAX_MESSAGE_ID)
        sender = _text(payload, "from", MAX_PHONE)
        to = _text(payload, "to", MAX_SHORT_NUMBER)
        text = _text(payload, "text", MAX_TEXT)
        try:
            confirmed = replies.receive(sender, to, text, inbound_id=message_id)
        except replies.AlreadyReceived:
            return jsonify(ok=True, confirmed=False, duplicate=True)
        return jsonify(ok=True, confirmed=confirmed)
    if kind == "delivery":
        status = payload.get("status")
        if status not in ("delivered", "failed") or not isinstance(payload.get("id"), str):
            return jsonify(error="delivery needs id and status delivered|failed"), 400
        if not sms.record_delivery(payload["id"], status):
            return jsonify(error="unknown message"), 404
        return jsonify(ok=True)
    return jsonify(error="type must be reply or delivery"), 400


@bp.post("/ussd")
@csrf.exempt
def ussd_request():
    """A USSD gateway asks: {"msisdn": "+79031234567", "code": "*141#", "lang": "ru"};
    the answer is {"reply": "..."}, the same the sandbox dialer shows."""
    payload = _signed_json("USSD_GATEWAY_SECRET")
    msisdn = _text(payload, "msisdn", MAX_PHONE)
    code = _text(payload, "code", MAX_USSD_CODE)
    lang = payload.get("lang")
    lang = lang if isinstance(lang, str) and lang in FORMAT_LOCALES else "ru"
    return jsonify(reply=ussd.handle(msisdn, code, lang))


@bp.post("/kiosk/notes")
@csrf.exempt
def kiosk_note():
    """A kiosk's bill acceptor took a note: {"terminal": "770101", "event_id": "<the driver's
    id of this event>", "note": 500} (the note in major units: rubles, yuan). The answer says
    whether to keep it ({"accepted": true, "inserted": "...", ...}) or give it back
    ({"accepted": false, "returned": true, "reason": "over_cap" | "unknown_note" |
    "not_accepting"}); the same event id again gets the same answer with "duplicate": true
    and counts once."""
    payload = _signed_json("KIOSK_DEVICE_SECRET")
    terminal_id = _text(payload, "terminal", MAX_TERMINAL)
    event_id = _text(payload, "event_id", MAX_EVENT_ID)
    note = payload.get("note")
    if isinstance(note, bool) or not isinstance(note, int) or not 0 < note < 10**7:
        raise Refusal("note must be a positive whole number of rubles or yuan", 400)
    try:
        term = kiosk.terminal(terminal_id)
    except kiosk.KioskRefused as exc:
        raise Refusal("unknown terminal", 404) from exc
    currency = kiosk.market_of(term).currency
    answer = kiosk_cash.insert_note(term.id, event_id, note * 10 ** MINOR_DIGITS[currency])
    return jsonify(accepted=answer.accepted, returned=not answer.accepted,
                   reason=answer.reason, duplicate=answer.duplicate, currency=currency,
                   inserted=str(Money(answer.inserted, currency).major))
