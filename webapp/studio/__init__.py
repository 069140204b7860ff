"""The translators' and testers' studio (SPEC §9, sandbox only): every screen in every state,
in any two languages side by side, each with the catalog messages its render asked for.

A screen is a **scenario**: one small function, registered with `@scenario`, that reaches the
state on a fresh `Stage` (its own browser session, address and subscribers, so that the
gallery never touches the demo data a tester uses) the way a person does, and returns the
request that shows it (`stage.get` / `stage.post` follow redirects and check the status)::

    # webapp/studio/screens/wallet.py
    from flask_babel import lazy_gettext as _l

    from .. import scenario
    from ._flows import goods_order, order_number

    @scenario("wallet.qr", _l("Wallet: the QR code to scan"))
    def qr(stage):
        number = order_number(goods_order(stage, "CN"))        # the shop, "Buy"
        return stage.post(f"/orders/{number}/wallet", method="alipay")

    @scenario("wallet.declined", _l("Wallet: the payer declined"))
    def declined(stage):
        ...

A screen is shot, and framed in the gallery, at its window's size: a phone's, unless its area
says otherwise (AREA_SIZES: the kiosk's 1080×1920) or it does (`size="desktop"`).

The name (`area.state`, lowercase) is the screen's stable link, `/studio/screens/wallet.qr`;
the area (before the dot) groups it in the gallery; the title is a lazy string (`make
translations`, then its msgstr in ru, en and zh). A new area adds its module to the import and
its heading to AREAS in `screens/__init__.py`. Steps several screens share are in
`screens/_flows.py` (a top-up or shop order, a card payment, 3-D Secure, sign-in); the stage
has the sandbox's tools (`stage.subscriber(operator, **builder fields)`, `code_sent_to`,
`expire_code`, `skip_wait`, `order_past_deadline`, `session_set`). A step that answers an
unexpected status raises StageError, and tests/web/test_studio.py plays every registered
screen: one that no longer renders fails at once. `flask studio shots` and its CI test
(tests/e2e/test_studio.py) shoot it with the rest.

`run(name, lang)` plays a scenario and gives the screen's HTML, status and messages; the
studio's pages (views/studio.py) and `flask studio shots` (studio/shots.py) are built on it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from ..extensions import db
from .stage import Heard, Stage, StageError

__all__ = ["Scenario", "Screen", "Stage", "StageError", "REGISTRY", "scenario", "run", "areas"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9_.]+$")


# The window each screen is meant for (the gallery's frame, flask studio shots' --sizes): a
# phone's by default; a kiosk's screens a kiosk's (the portrait 1080×1920 of SPEC §7); a page
# for a desktop (the wallet's QR code, to scan with a phone) a desktop's.
SIZES = {"phone": {"width": 390, "height": 844}, "kiosk": {"width": 1080, "height": 1920},
         "desktop": {"width": 1280, "height": 800}}
AREA_SIZES = {"kiosk": "kiosk"}


@dataclass(frozen=True)
class Scenario:
    name: str  # "area.state": the stable link
    title: object  # a lazy string
    play: Callable[[Stage], Heard]
    size: str = "phone"  # one of SIZES

    @property
    def area(self) -> str:
        return self.name.split(".", 1)[0]


REGISTRY: dict[str, Scenario] = {}


def scenario(name: str, title: object, size: str | None = None
             ) -> Callable[[Callable[[Stage], Heard]], Callable[[Stage], Heard]]:
    """Register the decorated function as the screen `name` ("area.state"), meant for a window
    of `size` (by default its area's: a kiosk's for the kiosk, else a phone's). Raises
    ValueError for a malformed or taken name or an unknown size."""

    def register(play: Callable[[Stage], Heard]) -> Callable[[Stage], Heard]:
        if not _NAME.match(name):
            raise ValueError(f"a studio screen is named area.state in lowercase: {name!r}")
        if name in REGISTRY:
            raise ValueError(f"two studio screens are named {name!r}")
        own = size or AREA_SIZES.get(name.split(".", 1)[0], "phone")
        if own not in SIZES:
            raise ValueError(f"{name}: no window size {own!r} (one of {', '.join(SIZES)})")
        REGISTRY[name] = Scenario(name, title, play, own)
        return play

    return register


def areas() -> list[tuple[object, list[Scenario]]]:
    """(heading, screens) of each area: the headings' order first, then any area without
    one, named by itself; screens in the order they were registered."""
    from .screens import AREAS

    found: dict[str, list[Scenario]] = {}
    for item in REGISTRY.values():
        found.setdefault(item.area, []).append(item)
    ordered = [area for area in AREAS if area in found] + [a for a in found if a not in AREAS]
    return [(AREAS.get(area, area), found[area]) for area in ordered]


@dataclass(frozen=True)
class Screen:
    """A scenario played in one language: what the browser got and what the render said."""

    scenario: Scenario
    lang: str
    status: int
    path: str  # the request that shows it
    html: str
    messages: list[tuple[str | None, str]]  # (msgctxt, msgid), in first-use order


_ONE_PLAY_AT_A_TIME = threading.RLock()


def run(name: str, lang: str) -> Screen:
    """Play screen `name` in `lang` on a fresh stage. Raises KeyError for an unknown name and
    StageError when the scenario does not reach its screen."""
    from . import screens  # noqa: F401 - registers every area's screens

    found = REGISTRY[name]
    db.session.commit()  # hold no transaction of the caller's while the stage writes
    # One play at a time in a process: a screen page and its two frames play at once, and on
    # SQLite (one writer) three plays writing together outwaited its busy timeout; it also
    # keeps two plays off one studio kiosk terminal.
    with _ONE_PLAY_AT_A_TIME:
        stage = Stage(current_app._get_current_object(), lang)  # type: ignore[attr-defined]
        heard = found.play(stage)
    return Screen(found, lang, heard.response.status_code, heard.path,
                  heard.response.get_data(as_text=True), heard.messages)


def load() -> dict[str, Scenario]:
    """Every registered screen (importing the areas' modules)."""
    from . import screens  # noqa: F401

    return REGISTRY
