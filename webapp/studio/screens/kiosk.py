"""The kiosk (SPEC §7, §3.4): every step of a top-up at a terminal of each market, from the
attract screen to the receipt, as a customer reaches it by touch (and, in the sandbox, the bill
acceptor's and card reader's panels). Each screen plays on the studio's own terminal of the
market (stage.kiosk: held for the play, its last session ended first) with a number of the
stage's own, so that nobody's kiosk, number or money is touched. Shot at a kiosk's 1080×1920.
"""

from __future__ import annotations

import re
import secrets

from flask_babel import lazy_gettext as _l

from ...services import kiosk_cash
from ...views.labels import MARKET_NAMES
from .. import scenario
from ..stage import StageError
from ._flows import OPERATORS, TILES

# Notes a customer puts in (minor units): RU 100 + 200 ₽ pays the 10 ₽ minimum commission;
# CN 20 + 10 元, no commission.
NOTES = {"RU": (10000, 20000), "CN": (2000, 1000)}
# Notes that fill a payment up to its cap (15 000 ₽ / 5 000 元), then one note more.
TO_THE_CAP = {"RU": (500000, 3), "CN": (10000, 50)}
ONE_MORE = {"RU": 1000, "CN": 100}
DECLINED_CARD = "4000000000009995"  # insufficient funds (rules/cards.toml)
_REVISION = re.compile(r'name="revision" value="(\d+)"')


def _start(stage, market: str) -> tuple[str, str]:
    """The studio's terminal of `market` touched on its attract screen in the stage's language:
    (the terminal, a new number of the market's first operator) on the operator step."""
    terminal = stage.kiosk(market)
    phone = stage.subscriber(OPERATORS[market])
    stage.post(f"/kiosk/{terminal}/start", lang=stage.lang)
    return terminal, phone


def _touch(stage, terminal: str, action: str, step: str, value: str = ""):
    return stage.post(f"/kiosk/{terminal}/touch", action=action, step=step, value=value)


def _number(stage, market: str):
    """Operator chosen, the number typed on the keypad: (terminal, the number step)."""
    terminal, phone = _start(stage, market)
    _touch(stage, terminal, "operator", "operator", OPERATORS[market])
    national = phone[3:] if market == "CN" else phone[2:]
    for digit in national:
        page = _touch(stage, terminal, "key", "number", digit)
    return terminal, page


def _amount(stage, market: str):
    terminal, _page = _number(stage, market)
    return terminal, _touch(stage, terminal, "next", "number")


def _method(stage, market: str):
    terminal, _page = _amount(stage, market)
    return terminal, _touch(stage, terminal, "amount", "amount", str(TILES[market]))


def _cash(stage, market: str):
    """Cash, whatever is inserted, with two notes in: (terminal, the cash step)."""
    terminal, _page = _amount(stage, market)
    _touch(stage, terminal, "cash_any", "amount")
    for note in NOTES[market]:
        page = stage.post(f"/kiosk/{terminal}/note", step="cash", note=str(note))
    return terminal, page


def _card(stage, market: str):
    terminal, _page = _method(stage, market)
    return terminal, _touch(stage, terminal, "method", "method", "card")


def _result(stage, market: str):
    terminal, _page = _cash(stage, market)
    return terminal, _touch(stage, terminal, "pay", "cash")


def attract(stage, market):
    terminal = stage.kiosk(market)
    return stage.get(f"/kiosk/{terminal}?lang={stage.lang}")


def operator(stage, market):
    terminal, _phone = _start(stage, market)
    return stage.get(f"/kiosk/{terminal}")


def number(stage, market):
    return _number(stage, market)[1]


def amount(stage, market):
    return _amount(stage, market)[1]


def method(stage, market):
    return _method(stage, market)[1]


def cash(stage, market):
    return _cash(stage, market)[1]


def cash_refused(stage, market):
    """The payment filled to its cap by the acceptor, then one note more: given back."""
    terminal, _page = _amount(stage, market)
    _touch(stage, terminal, "cash_any", "amount")
    note, times = TO_THE_CAP[market]
    with stage.app.app_context():  # the acceptor's own events, as its driver sends them
        for _ in range(times):
            if not kiosk_cash.insert_note(terminal, f"studio-{secrets.token_hex(8)}",
                                          note).accepted:
                raise StageError(f"{terminal} refused a note below its cap")
    return stage.post(f"/kiosk/{terminal}/note", step="cash", note=str(ONE_MORE[market]))


def card(stage, market):
    return _card(stage, market)[1]


def card_declined(stage, market):
    terminal, page = _card(stage, market)
    found = _REVISION.search(page.response.get_data(as_text=True))
    if found is None:
        raise StageError("the card step has no card reader panel")
    return stage.post(f"/kiosk/{terminal}/tap", step="card", revision=found.group(1),
                      card=DECLINED_CARD)


def idle(stage, market):
    """A minute and some without a touch, with cash in: the countdown."""
    terminal, _page = _cash(stage, market)
    stage.kiosk_idle(terminal)
    return stage.get(f"/kiosk/{terminal}")


def result(stage, market):
    return _result(stage, market)[1]


def receipt(stage, market):
    terminal, _page = _result(stage, market)
    return _touch(stage, terminal, "receipt", "result")


# (state, title): the title names the market (%(market)s: "Russia", "China").
STEPS = (
    # TRANSLATORS: studio screen title; %(market)s a market, e.g. "Russia".
    (attract, _l("Kiosk, %(market)s: the attract screen")),
    # TRANSLATORS: studio screen title; %(market)s a market, e.g. "Russia".
    (operator, _l("Kiosk, %(market)s: choose the operator")),
    # TRANSLATORS: studio screen title; %(market)s a market, e.g. "Russia".
    (number, _l("Kiosk, %(market)s: the number typed on the keypad")),
    # TRANSLATORS: studio screen title; %(market)s a market, e.g. "Russia".
    (amount, _l("Kiosk, %(market)s: choose the amount")),
    # TRANSLATORS: studio screen title; %(market)s a market, e.g. "Russia".
    (method, _l("Kiosk, %(market)s: choose how to pay")),
    # TRANSLATORS: studio screen title; %(market)s a market, e.g. "Russia".
    (cash, _l("Kiosk, %(market)s: notes inserted, the commission")),
    # TRANSLATORS: studio screen title; %(market)s a market, e.g. "Russia".
    (cash_refused, _l("Kiosk, %(market)s: a note over the limit given back")),
    # TRANSLATORS: studio screen title; %(market)s a market, e.g. "Russia".
    (card, _l("Kiosk, %(market)s: tap a card on the reader")),
    # TRANSLATORS: studio screen title; %(market)s a market, e.g. "Russia".
    (card_declined, _l("Kiosk, %(market)s: the card declined")),
    # TRANSLATORS: studio screen title; %(market)s a market, e.g. "Russia".
    (idle, _l("Kiosk, %(market)s: \"Are you still there?\"")),
    # TRANSLATORS: studio screen title; %(market)s a market, e.g. "Russia".
    (result, _l("Kiosk, %(market)s: paid, the result")),
    # TRANSLATORS: studio screen title; %(market)s a market, e.g. "Russia".
    (receipt, _l("Kiosk, %(market)s: the receipt")),
)


def _register() -> None:
    for market in ("RU", "CN"):
        for play, title in STEPS:
            scenario(f"kiosk.{market.lower()}_{play.__name__}",
                     _titled(title, market))(_for_market(play, market))


class _titled:  # noqa: N801 - reads as the lazy string it stands for
    """A step's title with the market's name in it, in the language it is read in (both
    lazy: a title is made when the module loads, read in each page's language)."""

    def __init__(self, title, market: str):
        self.title, self.market = title, market

    def __str__(self) -> str:
        return str(self.title) % {"market": MARKET_NAMES[self.market]}


def _for_market(play, market: str):
    return lambda stage: play(stage, market)


_register()
