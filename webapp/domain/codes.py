"""One-time codes (SPEC §5): drawn from a CSPRNG, kept only as a keyed hash bound to what they
confirm, valid for a while, killed by too many wrong tries, and rationed per number."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class CodePolicy:
    digits: int
    valid_for: timedelta
    max_wrong_tries: int
    resend_after: timedelta
    max_per_hour: int


def new_code(policy: CodePolicy) -> str:
    """A fresh code of policy.digits digits from the OS's CSPRNG (leading zeros kept)."""
    return f"{secrets.randbelow(10 ** policy.digits):0{policy.digits}d}"


def code_hash(key: bytes, purpose: str, subject: str, code: str) -> str:
    """HMAC-SHA256 of the code bound to its purpose and subject: a code issued to confirm one
    thing hashes differently for anything else, so it can never confirm it."""
    message = f"{purpose}\x1f{subject}\x1f{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def code_matches(key: bytes, purpose: str, subject: str, typed: str, stored_hash: str) -> bool:
    """Constant-time comparison of a typed code against the stored hash."""
    typed = (typed or "").strip()
    return hmac.compare_digest(code_hash(key, purpose, subject, typed), stored_hash)


def expires_at(issued_at: datetime, policy: CodePolicy) -> datetime:
    return issued_at + policy.valid_for


def is_expired(issued_at: datetime, now: datetime, policy: CodePolicy) -> bool:
    """Valid for [issued, issued + validity): at 9:59 it works, at 10:00 it is dead."""
    return now >= expires_at(issued_at, policy)


@dataclass(frozen=True)
class IssueDecision:
    allowed: bool
    reason: str | None = None  # resend_too_soon | hourly_limit
    retry_at: datetime | None = None


HOUR = timedelta(hours=1)


def may_issue(now: datetime, last_for_same: datetime | None, issued_to_number: list[datetime],
              policy: CodePolicy) -> IssueDecision:
    """Whether a new code may be sent: no sooner than resend_after after the last code for the
    same thing (`last_for_same`), and at most max_per_hour codes in any rolling hour
    (`issued_to_number`: the codes already sent to the number in the same bucket, that is for
    the same purpose and asked for by the same kind of requester). `retry_at` says when asking
    again works.

    The resend pause is per thing confirmed so that, say, a 3-D Secure code right after a
    sign-in code is not held up; the hourly cap protects the number from being flooded. It
    counts per bucket so that strangers using up one (3-D Secure codes of top-ups to a
    victim's number) cannot keep the owner from another (signing in).
    """
    if last_for_same is not None and now < last_for_same + policy.resend_after:
        return IssueDecision(False, "resend_too_soon", last_for_same + policy.resend_after)
    recent = sorted(t for t in issued_to_number if t > now - HOUR)
    if len(recent) >= policy.max_per_hour:
        oldest_counted = recent[-policy.max_per_hour]
        return IssueDecision(False, "hourly_limit", oldest_counted + timedelta(hours=1))
    return IssueDecision(True)


def normalize_typed(raw: str | None) -> str:
    """What a person typed as a code, without spaces ("123 456" → "123456")."""
    return "".join((raw or "").split())


ACTIVE = "active"
USED = "used"
DEAD = "dead"  # too many wrong tries
EXPIRED = "expired"
SUPERSEDED = "superseded"  # a newer code was sent for the same thing
CODE_TRANSITIONS: dict[str, frozenset[str]] = {
    ACTIVE: frozenset({USED, DEAD, EXPIRED, SUPERSEDED}),
    USED: frozenset(), DEAD: frozenset(), EXPIRED: frozenset(), SUPERSEDED: frozenset(),
}
