"""The top-up screen's use cases: read what was typed, price it, place the order (SPEC §2)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..database import lock_name
from ..domain.markets import Market, Operator
from ..domain.money import MoneyError, parse_major
from ..domain.phone import MobileNumber, PhoneError, parse_mobile
from ..domain.topup import FIRST_TOPUP, AmountError, Price, check_amount, price_for
from ..extensions import db
from ..models import Order
from . import rules
from .orders import first_topup_open
from .shop import create_order

OTHER = "other"


class PriceChanged(Exception):
    """The price shown was counted with the first top-up discount, which another order of the
    number took meanwhile (or without it, and it is free again): the form shows the new one."""

    code = "price_changed"


def price_seen(draft: TopupDraft, shown: str | None) -> int | None:
    """The price a form showed ("<number>:<amount>:<price>") if it was for the draft's number
    and amount, else None (it showed none, or one for what was typed before)."""
    parts = (shown or "").split(":")
    if (len(parts) != 3 or draft.number is None or parts[0] != draft.number.e164
            or parts[1] != str(draft.amount) or not parts[2].isdigit()):
        return None
    return int(parts[2])


def _first_topup_open(market: Market, phone: str) -> bool:
    first = tuple(p.id for p in rules().promotions_for(market.code) if p.kind == FIRST_TOPUP)
    return first_topup_open(phone, first)


@dataclass
class TopupDraft:
    """What the top-up screen shows for what was typed so far, with any problems found."""

    market: Market
    phone_raw: str = ""
    number: MobileNumber | None = None
    guessed: Operator | None = None
    operator: Operator | None = None
    # The operator that refused to credit this number last time (a retry after a refund):
    # the screen then pre-selects no operator and says why.
    refused_by: Operator | None = None
    amount_choice: str = ""
    other_raw: str = ""
    amount: int | None = None
    tiles: list[Price] = field(default_factory=list)
    price: Price | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and self.price is not None and self.operator is not None


def read_draft(market: Market, phone_raw: str | None, operator_id: str | None,
               amount_choice: str | None, other_raw: str | None,
               *, complete: bool, refused_by: str | None = None) -> TopupDraft:
    """Check what was typed. With complete=False (live feedback while typing) missing fields are
    not errors yet; with complete=True (placing the order) everything is required.

    An amount typed in "other amount" with no tile chosen means "other amount": typing it is
    choosing it. `refused_by` (an operator id) turns the operator guess off: that operator
    could not credit the number, so the payer chooses.
    """
    draft = TopupDraft(market=market, phone_raw=(phone_raw or "").strip()[:40],
                       amount_choice=(amount_choice or "").strip(),
                       other_raw=(other_raw or "").strip()[:20],
                       refused_by=market.operator(refused_by) if refused_by else None)
    if not draft.amount_choice and draft.other_raw:
        draft.amount_choice = OTHER
    _read_number(draft, complete)
    _read_operator(draft, operator_id, complete)
    first = _first_topup_open(market, draft.number.e164) if draft.number else True
    promotions = rules().promotions_for(market.code)
    draft.tiles = [price_for(tile, promotions, first) for tile in market.topup.tiles]
    _read_amount(draft, complete)
    if draft.amount is not None:
        draft.price = price_for(draft.amount, promotions, first)
    return draft


def _read_number(draft: TopupDraft, complete: bool) -> None:
    try:
        draft.number = parse_mobile(draft.phone_raw, draft.market.code)
    except PhoneError as exc:
        if draft.phone_raw or complete:
            draft.errors["phone"] = "phone_" + exc.code
        return
    draft.guessed = draft.market.guess_operator(draft.number.carrier_name)


def _read_operator(draft: TopupDraft, operator_id: str | None, complete: bool) -> None:
    if operator_id:
        draft.operator = draft.market.operator(operator_id)
        if draft.operator is None:
            draft.errors["operator"] = "operator_unknown"
    elif draft.refused_by is None:
        draft.operator = draft.guessed
    if draft.operator is None and complete and "operator" not in draft.errors:
        draft.errors["operator"] = "operator_missing"


def _read_amount(draft: TopupDraft, complete: bool) -> None:
    choice = draft.amount_choice
    if not choice:
        if complete:
            draft.errors["amount"] = "amount_missing"
        return
    if choice == OTHER:
        if not draft.other_raw and not complete:
            return
        try:
            draft.amount = check_amount(parse_major(draft.other_raw, draft.market.currency),
                                        draft.market.topup)
        except (MoneyError, AmountError) as exc:
            draft.errors["other_amount"] = "amount_" + exc.code
        return
    tiles = {str(tile): tile for tile in draft.market.topup.tiles}
    if choice not in tiles:  # a tampered or stale form: only the shown tiles can be chosen
        draft.errors["amount"] = "amount_missing"
        return
    draft.amount = tiles[choice]


def place_order(draft: TopupDraft, locale: str, payer_phone: str | None = None,
                price_seen: int | None = None) -> Order:
    """Create the order for a complete draft: awaiting payment, deadline one hour from now.
    `payer_phone` is the signed-in payer, whose account will list the order; `price_seen` the
    price the form showed for this number and amount, if it showed one.

    Orders of one number are placed one at a time (a lock on the number), so that the first
    top-up discount goes to one open order only, however many are placed at once. Raises
    PriceChanged when the price is no longer the draft's, or the one the payer saw."""
    if not draft.ok:
        raise ValueError("place_order needs a complete draft")
    assert draft.number and draft.operator and draft.price and draft.amount is not None
    lock_name("first-topup:" + draft.number.e164)
    price = price_for(draft.amount, rules().promotions_for(draft.market.code),
                      _first_topup_open(draft.market, draft.number.e164))
    if price != draft.price or price_seen not in (None, price.to_pay):
        db.session.rollback()
        raise PriceChanged()
    return create_order(
        "T", kind="topup", market=draft.market.code, currency=draft.market.currency,
        phone=draft.number.e164, operator_id=draft.operator.id, amount=price.amount,
        price=price.to_pay, promotion_id=price.promotion.id if price.promotion else None,
        locale=locale, payer_phone=payer_phone)
