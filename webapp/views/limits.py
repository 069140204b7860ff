"""Rate limits (Flask-Limiter) for the endpoints that send or check codes, and for quotes.

Per client address and per number. The SPEC's own per-number rules (60 s between codes, 5 an
hour, 5 wrong tries) live in the database and give the precise messages; these limits are the
outer fence against scripted abuse across numbers and addresses.

The number a request is counted against is the one the request acts on: the number typed on a
page that sends a code to it, the number held in the session on the code pages that follow, or
the number an attempt's code went to on payment code pages. Never a form field on a page that
acts on another number (anyone could write a victim's number in it), and never a shared
fallback: a request that acts on no number is counted per address only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from flask import current_app, g, request, session

from ..extensions import limiter
from ..services import codes

PER_ADDRESS = "20 per minute; 100 per hour"
PER_NUMBER = "30 per hour"
# The mobile payment's live quote runs as the payer types and picks (htmx), so it allows more;
# still few enough that nobody probes balances or limits by trying amounts (issue 8).
QUOTE_PER_ADDRESS = "30 per minute; 200 per hour"


# Set on a view that one of the limits below decorates (the mark survives further decorators,
# which copy the wrapped function's attributes).
_LIMITED = "topup_rate_limited"


def _marked(limit):
    """The limiter's decorator, marking the view it limits."""

    def decorate(view):
        limited = limit(view)
        setattr(limited, _LIMITED, True)
        return limited

    return decorate


@limiter.request_filter
def _not_limited() -> bool:
    """A request to a view no limit decorates skips the limiter: pages pay nothing for the
    fence around the code endpoints. Only while no default or application-wide limit is
    configured (extensions.py sets none; RATELIMIT_DEFAULT or RATELIMIT_APPLICATION would)."""
    config = current_app.config
    if config.get("RATELIMIT_DEFAULT") or config.get("RATELIMIT_APPLICATION"):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, _LIMITED, False)


def _bucket(number: str | None) -> str | None:
    """One bucket per number whatever way it was written (+7 903…, 8 903…, 903…, or in
    other digits, which the phone number parser reads as these)."""
    digits = "".join(str(unicodedata.decimal(ch)) for ch in number or "" if ch.isdecimal())
    return f"number:{digits[-10:]}" if len(digits) >= 8 else None


def _typed_number() -> str | None:
    return _bucket(request.form.get("phone"))


def _session_number(key: str) -> Callable[[], str | None]:
    return lambda: _bucket(session.get(key))


def _attempt_number() -> str | None:
    attempt_id = (request.view_args or {}).get("attempt_id")
    return _bucket(codes.recipient(f"attempt:{attempt_id}")) if attempt_id else None


def _limit_by(source: Callable[[], str | None]):
    """PER_NUMBER keyed by what `source` finds, once per request; no number: not counted."""

    def key() -> str | None:
        cache = g.setdefault("number_buckets", {})
        if source not in cache:
            cache[source] = source()
        return cache[source]

    return _marked(limiter.limit(PER_NUMBER, key_func=lambda: key() or "",
                                 exempt_when=lambda: not key()))


per_address = _marked(limiter.limit(PER_ADDRESS))
quote_per_address = _marked(limiter.limit(QUOTE_PER_ADDRESS))
# Pages that send a code to (or quote) the number typed in their form.
per_number = _limit_by(_typed_number)
# The sign-in and trust code pages: the number their first page put in the session.
per_signin_number = _limit_by(_session_number("signin_phone"))
per_trust_number = _limit_by(_session_number("trust_phone"))
# 3-D Secure and mobile payment code pages: the number the attempt's code went to.
per_attempt_number = _limit_by(_attempt_number)
