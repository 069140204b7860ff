"""Bank card through the simulated acquirer: the outcome is decided by the test card number
(SPEC §3.1); a new card, a saved one (its token and CVC), 3-D Secure by a code sent by SMS."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from ..domain.cards import (
    DO_NOT_HONOR,
    EXPIRED_CARD,
    INSUFFICIENT_FUNDS,
    REQUIRES_3DS,
    SUCCESS,
    CardDetails,
    TestCard,
    card_outcome,
    normalize_number,
    valid_cvc,
    validate_card,
)
from ..refusals import CheckoutRefused, FormRefused
from .base import (
    CODE,
    CodeChallenge,
    ConfirmRequest,
    Declined,
    Outcome,
    Payable,
    Refunded,
    RefundRequest,
    RequiresAction,
    StartRequest,
    Succeeded,
)

_DECLINES = {INSUFFICIENT_FUNDS, DO_NOT_HONOR, EXPIRED_CARD}
NEW_CARD = "new"
THREE_DS = "3ds"  # the codes' purpose (its own hourly cap)
BANK_SENDER = "3-D Secure"  # the SMS sender of the bank's code (an alphanumeric sender)


@dataclass(frozen=True)
class SavedCardRef:
    """A card saved earlier: the acquirer knows it by token; we never held its number."""

    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    profile: str  # the outcome the acquirer gives this card (from the card it was saved from)
    saved_card_id: int | None = None


@dataclass(frozen=True)
class CardSubmission:
    """What the payer submitted: a new card or a saved one, and whether to save a new one."""

    card: CardDetails | SavedCardRef
    save_card: bool = False


@dataclass(frozen=True)
class CardAttempt:
    """The card's details kept on the attempt (never its number or CVC)."""

    brand: str
    last4: str
    exp_month: int
    exp_year: int
    profile: str | None = None  # how the acquirer treats this card next time (saving it)
    save_card: bool = False
    saved_card_id: int | None = None
    three_ds_phone: str | None = None  # where the 3-D Secure code went



@dataclass(frozen=True)
class CardForm:
    """What the card partial shows: the payer's saved cards and the typed values."""

    saved_cards: tuple[SavedCardRef, ...]
    typed: Mapping[str, str]  # number, expiry, choice (never the CVC); empty on a new page


@dataclass(frozen=True)
class CardRefunded:
    brand: str
    last4: str


class SavedCards(Protocol):
    """The saved cards of a payer (services/payment_ports.py)."""

    def of(self, owner: str) -> list[SavedCardRef]: ...

    def find(self, token: str, owner: str) -> SavedCardRef | None: ...

    def owns(self, card: SavedCardRef, owner: str) -> bool: ...

    def save(self, owner: str, attempt: CardAttempt) -> int: ...


class CardProvider:
    method = "card"
    details_type = CardAttempt
    one_waiting_per_payer = False
    private_reasons: frozenset[str] = frozenset()  # a bank's decline is the payer's own

    def __init__(self, test_cards: tuple[TestCard, ...], saved_cards: SavedCards):
        self._test_cards = test_cards
        self._saved = saved_cards

    def form(self, order: Payable, form: Mapping[str, str], signed_in: str | None) -> CardForm:
        return CardForm(saved_cards=tuple(self._saved.of(signed_in)) if signed_in else (),
                        typed=_typed(form) if form else {})

    def read(self, order: Payable, form: Mapping[str, str],
             signed_in: str | None) -> CardSubmission:
        """The chosen saved card with its CVC, or a new card. A new number typed while a saved
        card is chosen and its CVC left empty means "new card" (typing a number chooses it; a
        page without CSS :has shows every field). Raises FormRefused."""
        typed = _typed(form)
        if typed["choice"] != NEW_CARD:
            card = self._saved.find(typed["choice"], signed_in) if signed_in else None
            if card is None:
                raise FormRefused({"choice": "card_not_found"})
            if not valid_cvc(form.get("saved_cvc")):
                raise FormRefused({"saved_cvc": "cvc_format"})
            return CardSubmission(card)
        card, problems = validate_card(form.get("number"), form.get("expiry"), form.get("cvc"),
                                       order.today)
        if card is None:
            raise FormRefused(problems)
        # "1" posted by the page, True read by its Flask-WTF form
        return CardSubmission(card, save_card=form.get("save_card") in ("1", True))

    def payer(self, submission: CardSubmission) -> str | None:
        return None  # the card's holder is not an account of ours

    def start(self, request: StartRequest) -> Outcome:
        card, signed_in = request.submission.card, request.signed_in
        if isinstance(card, SavedCardRef):
            # Checked again under the order's lock: the card may have been removed since.
            if not (signed_in and self._saved.owns(card, signed_in)):
                raise CheckoutRefused("card_not_found")
            outcome = card.profile
            if (card.exp_year, card.exp_month) < (request.order.today.year,
                                                  request.order.today.month):
                outcome = EXPIRED_CARD
        elif isinstance(card, CardDetails):
            outcome = card_outcome(card.number, self._test_cards)
        else:
            raise TypeError("a card payment needs CardDetails or SavedCardRef")
        details = CardAttempt(
            brand=card.brand, last4=card.last4, exp_month=card.exp_month,
            exp_year=card.exp_year,
            save_card=bool(request.submission.save_card and signed_in
                           and isinstance(card, CardDetails)),
            saved_card_id=card.saved_card_id if isinstance(card, SavedCardRef) else None,
            three_ds_phone=signed_in or request.order.phone)
        if outcome == SUCCESS:
            return Succeeded(self._saving(replace(details, profile=SUCCESS), signed_in))
        if outcome in _DECLINES:
            return Declined(outcome, details)
        if outcome == REQUIRES_3DS:
            details = replace(details, profile=REQUIRES_3DS)
            return RequiresAction(CODE, details, CodeChallenge(
                purpose=THREE_DS, to=details.three_ds_phone, sender=BANK_SENDER,
                sms="three_ds", values={"amount": request.order.amount.minor,
                                        "currency": request.order.amount.currency,
                                        "order_number": request.order.number,
                                        "last4": details.last4},
                by_owner=details.three_ds_phone == signed_in))
        raise ValueError(f"unhandled card outcome {outcome!r}")

    def confirm(self, request: ConfirmRequest) -> Outcome:
        """The 3-D Secure code was right (the checkout checked it): the bank pays."""
        return Succeeded(self._saving(request.details, request.signed_in))

    def action_failed(self, details: CardAttempt) -> Declined:
        """The code can no longer confirm the payment (too many wrong tries)."""
        return Declined("three_ds_failed", details)

    def withdraw(self, details: CardAttempt) -> None:
        """Nothing was started outside: giving the attempt up is the checkout's alone."""
        return None

    def refund(self, request: RefundRequest) -> Refunded:
        return Refunded(CardRefunded(request.details.brand, request.details.last4))

    def _saving(self, details: CardAttempt, signed_in: str | None) -> CardAttempt:
        """Keep the card for the payer who was signed in and ticked "save" (once per card)."""
        if details.save_card and signed_in:
            return replace(details, saved_card_id=self._saved.save(signed_in, details))
        return details


def _typed(form: Mapping[str, str]) -> dict[str, str]:
    """What goes back into the form (never the CVC)."""
    choice = form.get("card_choice") or NEW_CARD
    number = normalize_number(form.get("number"))[:19]
    if choice != NEW_CARD and number and not (form.get("saved_cvc") or "").strip():
        choice = NEW_CARD
    return {"number": number, "expiry": (form.get("expiry") or "")[:7], "choice": choice}
