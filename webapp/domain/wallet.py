"""The simulated third-party wallet (SPEC §3.3), pure rules: brands, trade statuses and their
moves, how long a trade can be paid, the payment password and its lock, the notification's
signature and its retry schedule. No Flask, no database.

The statuses and their meaning follow the public Alipay docs: a trade is created waiting for
the buyer (WAIT_BUYER_PAY), is paid (TRADE_SUCCESS), or is closed (TRADE_CLOSED) when it was
not paid in time, when the merchant closed it, or after a full refund of a paid trade.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

ALIPAY = "alipay"
WECHAT = "wechat"
BRANDS = (ALIPAY, WECHAT)

WAIT_BUYER_PAY = "WAIT_BUYER_PAY"
TRADE_SUCCESS = "TRADE_SUCCESS"
TRADE_CLOSED = "TRADE_CLOSED"
# The trade's state machine (domain/machines.py WALLET_TRADE; services/transitions.py moves it).
TRADE_TRANSITIONS: dict[str, frozenset[str]] = {
    WAIT_BUYER_PAY: frozenset({TRADE_SUCCESS, TRADE_CLOSED}),
    TRADE_SUCCESS: frozenset({TRADE_CLOSED}),  # a full refund closes a paid trade
    TRADE_CLOSED: frozenset(),
}
TRADE_FINAL = frozenset({TRADE_SUCCESS, TRADE_CLOSED})

# Why a trade was closed (the note of its move to TRADE_CLOSED).
CLOSED_EXPIRED = "expired"  # not paid before it expired
CLOSED_BY_MERCHANT = "merchant"  # the shop closed it (the payer chose another way, order over)
CLOSED_REFUNDED = "refunded"  # paid, then refunded in full

# How a trade is shown to the payer: a page on the phone (H5) or a QR code to scan.
H5 = "h5"
QR = "qr"
CHANNELS = (H5, QR)

PASSWORD_DIGITS = 6
_PASSWORD = re.compile(rf"^[0-9]{{{PASSWORD_DIGITS}}}$")


@dataclass(frozen=True)
class WalletRules:
    """The data file's numbers (rules/wallet.toml)."""

    trade_valid_for: timedelta  # how long a QR / cashier link can be paid at most
    max_wrong_passwords: int
    lock_for: timedelta
    signature_tolerance: timedelta
    retry_after: tuple[timedelta, ...]  # waits before each retry of an unanswered notification
    demo_password: str
    demo_balance: dict[str, int]  # currency → minor units of a demo wallet


def trade_expires_at(created_at: datetime, order_deadline: datetime | None,
                     valid_for: timedelta) -> datetime:
    """A trade can be paid for `valid_for` (2 h by default) or until the order's own deadline,
    whichever comes first."""
    own = created_at + valid_for
    return own if order_deadline is None else min(own, order_deadline)


def is_expired(expires_at: datetime, now: datetime) -> bool:
    """Payable in [created, expires_at): at the expiry moment itself it can no longer be paid."""
    return now >= expires_at


# --- the payment password ------------------------------------------------------------------

def is_password_shape(typed: str | None) -> bool:
    """Exactly six digits (the cashier's pad cannot type anything else)."""
    return bool(typed) and bool(_PASSWORD.fullmatch(typed))


def password_hash(key: bytes, salt: str, password: str) -> str:
    """A keyed hash of a wallet's password with its own salt: never the password itself."""
    return hmac.new(key, f"{salt}\x1f{password}".encode(), hashlib.sha256).hexdigest()


def password_matches(key: bytes, salt: str, typed: str, stored: str) -> bool:
    """Constant-time check of a typed password."""
    return hmac.compare_digest(password_hash(key, salt, typed), stored)


def new_salt() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class LockState:
    wrong_tries: int
    locked_until: datetime | None


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    """Locked in [locked_at, locked_until): at locked_until the wallet opens again."""
    return locked_until is not None and now < locked_until


def after_wrong_password(state: LockState, now: datetime, rules: WalletRules) -> LockState:
    """One more wrong password: the 5th in a row locks the wallet for 30 minutes, and the
    count starts again after the lock."""
    tries = state.wrong_tries + 1
    if tries >= rules.max_wrong_passwords:
        return LockState(0, now + rules.lock_for)
    return LockState(tries, None)


def tries_left(wrong_tries: int, rules: WalletRules) -> int:
    return max(rules.max_wrong_passwords - wrong_tries, 0)


# --- the notification ----------------------------------------------------------------------

def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """hex(HMAC-SHA256(secret, "<timestamp>." + body)): the signature of a notification."""
    return hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


BAD_SIGNATURE = "bad_signature"
STALE = "stale"
MALFORMED = "malformed"


def check_signature(secret: bytes, timestamp: str | None, signature: str | None, body: bytes,
                    now: datetime, tolerance: timedelta) -> str | None:
    """None if a notification is genuine and fresh, else why not: malformed (no or bad
    headers), stale (its time more than `tolerance` away from now, either way: a recorded post
    replayed later), bad_signature."""
    if not timestamp or not signature or not re.fullmatch(r"\d{1,12}", timestamp):
        return MALFORMED
    if abs(now.timestamp() - int(timestamp)) > tolerance.total_seconds():
        return STALE
    if not hmac.compare_digest(sign(secret, int(timestamp), body), signature.strip().lower()):
        return BAD_SIGNATURE
    return None


def next_attempt_at(sent_attempts: int, last_at: datetime,
                    retry_after: tuple[timedelta, ...]) -> datetime | None:
    """When to send a notification again after `sent_attempts` unanswered posts (the first at
    once, then one per step of the schedule); None once the schedule is used up."""
    if sent_attempts < 1 or sent_attempts > len(retry_after):
        return None
    return last_at + retry_after[sent_attempts - 1]


def new_trade_no(now: datetime) -> str:
    """A wallet trade number: the day, then 16 random digits (unique by a constraint too)."""
    return now.strftime("%Y%m%d") + f"{secrets.randbelow(10 ** 16):016d}"
