"""Rate limits (Flask-Limiter) for the endpoints that send or check codes, and for quotes.

Per client address and per number. The SPEC's own per-number rules (60 s between codes, 5 an
hour, 5 wrong tries) live in the database and give the precise messages; these limits are the
outer fence against scripted abuse across numbers and addresses.
"""

from __future__ import annotations

from flask import request, session

from ..extensions import limiter

PER_ADDRESS = "20 per minute; 100 per hour"
PER_NUMBER = "30 per hour"
# The mobile payment's live quote runs as the payer types and picks (htmx), so it allows more;
# still few enough that nobody probes balances or limits by trying amounts (issue 8).
QUOTE_PER_ADDRESS = "30 per minute; 200 per hour"


def _number_key() -> str:
    typed = request.form.get("phone") or session.get("signin_phone") or ""
    digits = "".join(ch for ch in typed if ch.isdigit())
    subject = request.view_args.get("attempt_id") if request.view_args else None
    return f"number:{digits[-10:]}" if digits else f"attempt:{subject}"


per_address = limiter.limit(PER_ADDRESS)
per_number = limiter.limit(PER_NUMBER, key_func=_number_key)
quote_per_address = limiter.limit(QUOTE_PER_ADDRESS)
