"""Endpoints for machines: an SMS gateway posts replies and delivery reports here."""

from __future__ import annotations

import hashlib
import hmac
import json

from flask import Blueprint, current_app, jsonify, request

from ..extensions import csrf
from ..i18n import FORMAT_LOCALES
from ..services import replies, sms, ussd

bp = Blueprint("api", __name__, url_prefix="/api")


def _signed(body: bytes, signature: str, secret_key: str = "SMS_INBOUND_SECRET") -> bool:
    """X-Signature is hex HMAC-SHA256 of the raw body with the configured secret."""
    secret = current_app.config.get(secret_key) or ""
    if not secret or not signature:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


@bp.post("/sms/inbound")
@csrf.exempt
def sms_inbound():
    """{"type": "reply", "from": "+79031234567", "to": "8464", "text": "123456"} or
    {"type": "delivery", "id": "<gateway id>", "status": "delivered" | "failed"}."""
    body = request.get_data(cache=False)
    if not _signed(body, request.headers.get("X-Signature", "")):
        return jsonify(error="bad signature"), 403
    try:
        payload = json.loads(body)
    except ValueError:
        return jsonify(error="body is not JSON"), 400
    if not isinstance(payload, dict):
        return jsonify(error="body is not a JSON object"), 400
    kind = payload.get("type")
    if kind == "reply":
        sender, to, text = payload.get("from"), payload.get("to"), payload.get("text")
        if not all(isinstance(v, str) and v for v in (sender, to, text)):
            return jsonify(error="reply needs from, to and text"), 400
        confirmed = replies.receive(sender, to, text)
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
    body = request.get_data(cache=False)
    if not _signed(body, request.headers.get("X-Signature", ""), "USSD_GATEWAY_SECRET"):
        return jsonify(error="bad signature"), 403
    try:
        payload = json.loads(body)
    except ValueError:
        return jsonify(error="body is not JSON"), 400
    if not isinstance(payload, dict) or not all(
            isinstance(payload.get(k), str) and payload.get(k) for k in ("msisdn", "code")):
        return jsonify(error="msisdn and code are needed"), 400
    lang = payload.get("lang") if payload.get("lang") in FORMAT_LOCALES else "ru"
    return jsonify(reply=ussd.handle(payload["msisdn"], payload["code"][:32], lang))
