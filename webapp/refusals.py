"""One refusal tree: what a use case says when it will not do what was asked.

`Refused(code, **values)`: `code` names the message (webapp/messages.py turns it into text in
the page's language, with `values`), and the class says which area refused, which decides the
HTTP status (`http_status`). No Flask here: providers and services raise these too.
"""

from __future__ import annotations


class Refused(Exception):
    """A refusal with a message code and the values its message needs; `area` picks the
    table of webapp/messages.py its code is read in (else the general one)."""

    status = 422
    area: str | None = None

    def __init__(self, code: str, **values):
        super().__init__(code)
        self.code = code
        self.values = values

    @property
    def reason(self) -> str:
        """The code under the name the mobile, trust and code refusals always used."""
        return self.code


class FormRefused(Refused):
    """A form the payer must correct: `errors` maps a field to its message code."""

    def __init__(self, errors: dict[str, str], **values):
        super().__init__("form", **values)
        self.errors = errors


class CheckoutRefused(Refused):
    """The order or attempt cannot go on: not_found, expired, already_paid, card_not_found,
    not_pending, method_unavailable, not_refundable."""

    status = 409


class MobileRefused(Refused):
    """A mobile payment refused: one of payments.mobile_balance.PRIVATE_REASONS, PRIVATE, or
    not_goods, operator_missing, not_refundable; `total` (the amount with commission) for
    the funds message."""

    area = "mobile"

    def __init__(self, code: str, total: int | None = None, **values):
        super().__init__(code, total=total, **values)
        self.total = total


class TrustRefused(Refused):
    """A trust payment refused: unknown_number, or a refusal of domain.trust.refusal()."""

    area = "trust"


class CodeRefused(Refused):
    """A one-time code refused: resend_too_soon | hourly_limit (with retry_at); no_code |
    expired | used | dead | wrong (with tries_left)."""

    area = "codes"

    def __init__(self, code: str, *, retry_at=None, tries_left: int | None = None):
        super().__init__(code, retry_at=retry_at, tries_left=tries_left)
        self.retry_at = retry_at
        self.tries_left = tries_left

    @property
    def status(self) -> int:  # type: ignore[override]
        return 429 if self.retry_at is not None else 422


def http_status(refused: Refused) -> int:
    """The one mapping of a refusal to an HTTP status: a form to correct 422, a state that
    does not allow it 409, a wait 429."""
    return refused.status
