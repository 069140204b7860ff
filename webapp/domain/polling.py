"""When a page asks the server again by itself (htmx polling), how often, and when it stops
(DESIGN "htmx": polling stops by itself in a final state or at the deadline). One function,
so that every polled block follows the same policy."""

from __future__ import annotations

from . import orders as states

ORDER = "order"  # an order's status block
SMS_REPLY = "sms_reply"  # a payment that waits for the payer's SMS reply
CODE = "code"  # a one-time code's status (time and tries left)

# Seconds between two asks while something can still change by itself.
_EVERY = {
    # An unpaid order expires at its deadline; a paid top-up is credited in seconds.
    (ORDER, states.AWAITING_PAYMENT): 30,
    (ORDER, states.PAID): 2,
    (ORDER, states.CREDITING): 2,
    # The reply arrives by SMS: the page moves on shortly after it.
    (SMS_REPLY, "active"): 3,
    # A code's time and tries left run down while it is active.
    (CODE, "active"): 5,
}
# A goods order is done once paid: only its wait for payment is polled.
_GOODS_STOP = frozenset({states.PAID, states.CREDITING})


def poll_seconds(what: str, status: str | None, kind: str | None = None) -> int | None:
    """How often (seconds) the block showing `what` in `status` asks again; None: it stops
    (a final state, or nothing left that changes by itself). `kind`: an order's kind."""
    if what == ORDER and kind == "goods" and status in _GOODS_STOP:
        return None
    return _EVERY.get((what, status))
