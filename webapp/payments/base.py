"""The one interface every payment method implements, and the plain data it exchanges.

A provider never imports Flask or the ORM: it takes and returns frozen dataclasses. What it
needs from the database (a subscriber's balance, saved cards, a wallet) it reaches through the
ports it is built with (a Protocol in its own module, implemented in services/), so that
the checkout service runs every method's life cycle the same way, under the order's lock:

    start(StartRequest)     → Succeeded | Declined | RequiresAction
    confirm(ConfirmRequest) → Succeeded | Declined          (the action's answer)
    refund(RefundRequest)   → Refunded                       (where the money went)

and an action finished elsewhere (a wallet's notification, a bill acceptor's end of session)
comes back through `services.checkout.complete(attempt_id, outcome)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Protocol

from ..domain.money import Money

# What a RequiresAction asks the payer (or a device) to do.
CODE = "code"  # type a one-time code sent by SMS (3-D Secure)
SMS_REPLY = "sms_reply"  # reply to an SMS with its code (or type it)
REDIRECT = "redirect"  # go to the provider's page (a wallet on a phone)
QR = "qr"  # scan a code with another device (a wallet on a kiosk)
SESSION = "session"  # a device session that ends with the amount (a kiosk's bill acceptor)

# What anyone but the paying account reads instead of a private refusal (SPEC §3.2.2); the
# account itself gets the reason by a channel of its own (an SMS to the paying number).
PRIVATE = "private"


@dataclass(frozen=True)
class Payable:
    """The order as a provider sees it."""

    number: str
    amount: Money  # what the order costs
    kind: str  # topup | goods
    market: str  # RU | CN
    phone: str  # the number the order is for
    locale: str  # the payer's language (SMS texts)
    today: date  # the market's date (card expiry)
    now: datetime


@dataclass(frozen=True)
class StartRequest:
    order: Payable
    submission: Any  # the method's own type (what its form read)
    signed_in: str | None = None  # the signed-in payer, if any


@dataclass(frozen=True)
class ConfirmRequest:
    order: Payable
    details: Any  # the method's details of the attempt, as start gave them
    attempt_ref: str  # unique per attempt, for the provider's own records ("attempt:12")
    payer: str | None = None  # the account paying (the provider's payer() at start)
    signed_in: str | None = None  # the payer signed in when the attempt started
    answer: Any = None  # the action's answer; None for a code (the checkout checked it)


@dataclass(frozen=True)
class RefundRequest:
    order: Payable
    details: Any
    amount: Money
    payer: str | None = None


@dataclass(frozen=True)
class CodeChallenge:
    """A one-time code the checkout sends and checks for the provider (RequiresAction data).

    `purpose` keeps its own hourly cap (services/codes.py); `reply_to` set: the payer may
    answer by replying to the SMS from that short number."""

    purpose: str
    to: str  # the number the code goes to
    sender: str
    sms: str  # the SMS text's name in services/sms_texts.py: sms(locale, code, **values)
    values: Mapping[str, Any] = field(default_factory=dict)
    reply_to: str | None = None
    by_owner: bool = False  # asked for by the number's owner (signed in as it)
    # True: no attempt without its code (nothing is kept when the code may not be sent now);
    # False: the attempt waits, and its page says why no code came.
    atomic: bool = False


@dataclass(frozen=True)
class Succeeded:
    details: Any  # the method's own record of the payment (kept on the attempt)
    settled: Money | None = None  # the amount taken when only known at the end (cash)


@dataclass(frozen=True)
class Declined:
    reason: str  # a message code (webapp/messages.py)
    details: Any = None
    values: Mapping[str, Any] = field(default_factory=dict)  # for the message
    private: bool = False  # told only to the payer's own number (SPEC §3.2.2)


@dataclass(frozen=True)
class RequiresAction:
    kind: str  # CODE | SMS_REPLY | REDIRECT | QR | SESSION
    details: Any
    data: Any = None  # CodeChallenge for CODE and SMS_REPLY; the method's own type else


Outcome = Succeeded | Declined | RequiresAction


@dataclass(frozen=True)
class Refunded:
    details: Any  # where the money went, in the method's own type


class PaymentProvider(Protocol):
    """A payment method. `method` is its registry name; `details_type` its details'
    dataclass (stored as JSON on the attempt); `partial` its template in
    templates/checkout/methods/."""

    method: ClassVar[str]
    details_type: ClassVar[type]
    one_waiting_per_payer: ClassVar[bool]  # a newer start by a payer replaces a waiting one
    # Refusal and decline reasons only the paying account may read (SPEC §3.2.2): anyone
    # else reads PRIVATE, and tell_private() gives the account the real one. Optional:
    # a method without it has none.
    private_reasons: ClassVar[frozenset[str]]

    def form(self, order: Payable, form: Mapping[str, str], signed_in: str | None) -> Any:
        """What the method's partial shows (its own type), from the posted or empty form."""
        ...

    def read(self, order: Payable, form: Mapping[str, str], signed_in: str | None) -> Any:
        """The submission (the method's own type) from a posted form; raises
        refusals.FormRefused with a message code per field."""
        ...

    def payer(self, submission: Any) -> str | None:
        """The account paying (a phone number for a balance), or None: the key of
        `one_waiting_per_payer` and of who may see the order later."""
        ...

    def start(self, request: StartRequest) -> Outcome: ...

    def confirm(self, request: ConfirmRequest) -> Outcome: ...

    def action_failed(self, details: Any) -> Declined | None:
        """The action can no longer be answered (a code killed by wrong tries): a Declined
        fails the attempt; None lets it wait for a new code."""
        ...

    def withdraw(self, details: Any) -> Succeeded | None:
        """The shop gives a waiting attempt up (another payment starts, the payer pays another
        way, the order's window ends): the provider takes back what it started outside (a
        wallet's trade is closed). A Succeeded if it turns out the payer paid it meanwhile:
        the checkout then takes that payment instead of giving it up."""
        ...

    def refund(self, request: RefundRequest) -> Refunded: ...

    # Optional, with private_reasons:
    #   tell_private(order: Payable, submission, refused: Refused) -> None
    #       tells the paying account a private refusal of start() (in the caller's write
    #       transaction);
    #   refused(reason: str, details, amount: int) -> Refused
    #       a failed attempt's reason as a refusal of its area, with what its text needs
    #       (without it: a general Refused(reason)).
