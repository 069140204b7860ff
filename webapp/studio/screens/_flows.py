"""Steps several screens share: placing a top-up or a goods order, paying by card, signing in.
Each takes the stage and does what a person would do on the pages."""

from __future__ import annotations

import re

from ..stage import Heard, Stage, StageError

APPROVED_CARD = "4242424242424242"
THREE_DS_CARD = "4000002760003184"
WRONG_CODE = "000000"
_ORDER = re.compile(r"/orders/([^/?#]+)")
_ATTEMPT = re.compile(r"/orders/[^/]+/(?:3ds|mobile)/(\d+)")
# The first tile of each market (minor units), and a number of each market's first operator.
TILES = {"RU": 10000, "CN": 3000}
OPERATORS = {"RU": "beeline", "CN": "china_mobile"}


def order_number(heard: Heard) -> str:
    found = _ORDER.search(heard.path)
    if found is None:
        raise StageError(f"not an order page: {heard.path}")
    return found.group(1)


def attempt_id(heard: Heard) -> int:
    found = _ATTEMPT.search(heard.path)
    if found is None:
        raise StageError(f"not a code page of a payment: {heard.path}")
    return int(found.group(1))


def topup_order(stage: Stage, market: str = "RU", phone: str | None = None,
                operator: str | None = None, amount: int | None = None) -> Heard:
    """Type a number (a new one of the market's first operator), choose a tile, place the
    order: the checkout page."""
    operator = operator or OPERATORS[market]
    phone = phone or stage.subscriber(OPERATORS[market])
    national = phone[3:] if market == "CN" else phone[2:]
    return stage.post(f"/topup/{market}", phone=national, operator=operator,
                      amount=str(amount or TILES[market]))


def goods_order(stage: Stage, market: str = "RU", product: str = "phone-case") -> Heard:
    """Buy a product in the demo shop: its checkout page."""
    stage.get(f"/shop/{market}")
    return stage.post(f"/shop/{market}/buy", product=product)


def pay_card(stage: Stage, number: str, card: str = APPROVED_CARD,
             expect: int | tuple[int, ...] = 200, **fields: str) -> Heard:
    """Pay the order with `card` (expiry 12/30, CVC 123 unless given)."""
    form = {"card_choice": "new", "number": card, "expiry": "12/30", "cvc": "123",
            "attempt_key": f"studio-{stage.address}-{number}", **fields}
    return stage.post(f"/orders/{number}/card", expect=expect, **form)


def three_ds(stage: Stage) -> tuple[str, Heard]:
    """A top-up paid with the 3-D Secure test card: (the number the bank's code went to, the
    bank's code page). Nobody is signed in, so the code goes to the topped-up number."""
    phone = stage.subscriber()
    number = order_number(topup_order(stage, phone=phone))
    return phone, pay_card(stage, number, THREE_DS_CARD)


def sign_in(stage: Stage, phone: str) -> Heard:
    """Sign in as `phone` with the code its SMS brings: the account page."""
    stage.get("/signin")
    stage.post("/signin", phone=phone)
    return stage.post("/signin/code", code=stage.code_sent_to(phone))


def ask_sign_in_code(stage: Stage, phone: str | None = None) -> tuple[str, Heard]:
    """Ask for a sign-in code for a new number: (the number, the code page)."""
    phone = phone or stage.subscriber()
    stage.get("/signin")
    return phone, stage.post("/signin", phone=phone)


def mobile_form(stage: Stage, number: str, phone: str, operator: str) -> dict[str, str]:
    """The mobile payment form's fields for `phone` at `operator`."""
    return {"phone": phone[2:], "operator": operator}
