"""The state machines of the things the app keeps (SPEC §2–§5): orders (a top-up and a goods
order move differently), payment attempts, one-time codes, trust credits and SMS messages.
Each is registered by name in `domain.states.MACHINES`; how to add one: domain/states.py."""

from __future__ import annotations

from . import codes, orders, trust, wallet
from .states import define

ORDER_TOPUP = define("order.topup", orders.ORDER_TRANSITIONS, initial=orders.AWAITING_PAYMENT)
ORDER_GOODS = define("order.goods", orders.GOODS_TRANSITIONS, initial=orders.AWAITING_PAYMENT)
# An order's machine by its kind (Order.kind).
ORDER_BY_KIND = {"topup": ORDER_TOPUP, "goods": ORDER_GOODS}

PAYMENT_ATTEMPT = define("attempt", orders.ATTEMPT_TRANSITIONS, initial=orders.PENDING)

ONE_TIME_CODE = define("code", codes.CODE_TRANSITIONS, initial=codes.ACTIVE)

TRUST_CREDIT = define("trust_credit", {trust.OUTSTANDING: {trust.REPAID}},
                      initial=trust.OUTSTANDING)

# SMS: an outgoing message is queued, handed to the gateway (sent, or delivered at once by the
# sandbox outbox), and may still be reported failed by the operator after a "delivered" from
# the gateway; a failure is final. A reply from a number is created received and stays so.
SMS_QUEUED = "queued"
SMS_SENT = "sent"
SMS_DELIVERED = "delivered"
SMS_FAILED = "failed"
SMS_RECEIVED = "received"
SMS_MESSAGE = define("sms", {
    SMS_QUEUED: {SMS_SENT, SMS_DELIVERED, SMS_FAILED},
    SMS_SENT: {SMS_DELIVERED, SMS_FAILED},
    SMS_DELIVERED: {SMS_FAILED},
    SMS_FAILED: set(),
    SMS_RECEIVED: set(),
}, initial={SMS_QUEUED, SMS_RECEIVED})

# A wallet trade (SPEC §3.3): waiting for the buyer, then paid or closed; a full refund closes a
# paid one.
WALLET_TRADE = define("wallet_trade", wallet.TRADE_TRANSITIONS, initial=wallet.WAIT_BUYER_PAY)
