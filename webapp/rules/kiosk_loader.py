"""Load rules/kiosk.toml: the bill acceptor and commission per market, and the terminals."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .. import pseudo
from ..domain.kiosk import CashRules, CommissionStep, Terminal
from ..domain.markets import Market
from .loader import RulesError, _Reader

FILE = "kiosk.toml"


def _amount(reader: _Reader, key: str, currency: str, zero_ok: bool = False) -> int:
    if zero_ok and reader.table.get(key, None) in (0, "0"):
        return 0
    return reader.major(key, currency)


def _load_cash(code: str, cash: _Reader, currency: str) -> CashRules:
    notes = tuple(sorted(_Reader(FILE, {"note": n}, f"{cash.where}.notes")
                         .major("note", currency) for n in cash.get("notes", list)))
    if not notes or len(set(notes)) != len(notes):
        raise cash.fail("notes", "needs distinct notes")
    steps = []
    for index, _ in enumerate(cash.get("commission", list)):
        step = cash.sub("commission", index)
        try:
            percent = Decimal(step.get("percent", str))
        except InvalidOperation as exc:
            raise step.fail("percent", "not a number") from exc
        if not percent.is_finite() or not 0 <= percent < 100:
            raise step.fail("percent", "must be from 0 to below 100")
        minimum = (step.major("minimum", currency) if "minimum" in step.table else 0)
        steps.append(CommissionStep(start=_amount(step, "from", currency, zero_ok=True),
                                    percent=percent, minimum=minimum))
    if not steps or steps[0].start != 0:
        raise cash.fail("commission", "the first step must start from 0")
    if any(a.start >= b.start for a, b in zip(steps, steps[1:], strict=False)):
        raise cash.fail("commission", "steps must go up by `from`")
    cap = cash.major("max_per_payment", currency)
    if cap < notes[0]:
        raise cash.fail("max_per_payment", "is below the smallest note")
    return CashRules(currency=currency, notes=notes, max_per_payment=cap,
                     commission=tuple(steps))


def load_kiosk(raw: dict, markets: dict[str, Market], languages=("ru", "en", "zh")):
    """(cash rules by market, terminals by id). Raises RulesError naming the key."""
    root = _Reader(FILE, raw)
    cash_tables = root.get("cash", dict)
    cash = {}
    for code, table in cash_tables.items():
        if code not in markets or not isinstance(table, dict):
            raise root.fail(f"cash.{code}", "unknown market")
        cash[code] = _load_cash(code, _Reader(FILE, table, f"cash.{code}"),
                                markets[code].currency)
    terminals = {}
    for index, _ in enumerate(root.get("terminals", list)):
        entry = root.sub("terminals", index)
        terminal_id = entry.get("id", str)
        if not terminal_id.isascii() or not terminal_id.isalnum() or len(terminal_id) > 16:
            raise entry.fail("id", "letters and digits, at most 16")
        if terminal_id in terminals:
            raise entry.fail("id", f"{terminal_id} twice")
        market = entry.get("market", str)
        if market not in cash:
            raise entry.fail("market", f"no [cash.{market}] for it")
        address = entry.get("address", dict)
        if "en" not in address or not all(isinstance(v, str) and v for v in address.values()):
            raise entry.fail("address", "needs non-empty texts, an English one among them")
        language = entry.get("language", str, default="en", required=False)
        if language not in languages:
            raise entry.fail("language", f"one of {', '.join(languages)}")
        studio = entry.table.get("studio", False)
        if not isinstance(studio, bool):
            raise entry.fail("studio", "true or false")
        # The pseudo-locale's address is made from the English one, as operators' names are.
        address = {**address, pseudo.LANG: pseudo.pseudo(address["en"])}
        terminals[terminal_id] = Terminal(id=terminal_id, market=market, address=address,
                                          language=language, studio=studio)
    if not any(not t.studio for t in terminals.values()):
        raise RulesError(f"{FILE}: terminals: at least one (besides the studio's)")
    return cash, terminals
