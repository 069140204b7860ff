"""Markets and their operators, as loaded from rules/markets.toml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Operator:
    id: str
    name: str
    support_number: str
    short_number: str | None
    # Names phonenumbers.carrier gives for this operator's ranges (e.g. "T2" for Tele2).
    carrier_names: tuple[str, ...]
    # Its name in a language that writes it otherwise than `name` ("МТС", "中国移动"), and the
    # form a language puts after "fee of" where it inflects it (Russian "Комиссия Билайна").
    names: Mapping[str, str] = field(default_factory=dict, compare=False)
    names_of: Mapping[str, str] = field(default_factory=dict, compare=False)

    def name_in(self, lang: str, case: str | None = None) -> str:
        """The name people of `lang` read; `case="of"` for the form after "fee of"."""
        if case == "of" and lang in self.names_of:
            return self.names_of[lang]
        return self.names.get(lang, self.name)


@dataclass(frozen=True)
class TopupLimits:
    tiles: tuple[int, ...]  # minor units
    min_amount: int
    max_amount: int


@dataclass(frozen=True)
class Product:
    """A demo shop product: a price per market (minor units) and a name per language."""

    id: str
    prices: dict[str, int]
    names: dict[str, str]

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names["en"]


@dataclass(frozen=True)
class Market:
    code: str  # "RU", "CN": also the phonenumbers region
    currency: str
    timezone: str
    operators: tuple[Operator, ...]
    topup: TopupLimits

    def operator(self, operator_id: str | None) -> Operator | None:
        return next((op for op in self.operators if op.id == operator_id), None)

    def local_date(self, moment: datetime) -> date:
        """The calendar date in the market's timezone at `moment` (card expiry is checked
        against it: at 23:30 UTC on 30 November it is already December in Moscow)."""
        return moment.astimezone(ZoneInfo(self.timezone)).date()

    def guess_operator(self, carrier_name: str) -> Operator | None:
        """The operator whose number range this is, per the carrier data; None if unknown.

        Only a guess: with number portability the subscriber may have moved since.
        """
        if not carrier_name:
            return None
        return next((op for op in self.operators if carrier_name in op.carrier_names), None)
