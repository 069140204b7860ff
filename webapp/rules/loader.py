"""Load and validate the rule data files into typed, frozen objects.

A bad file stops the app at start-up with a RulesError naming the file and the key, so a tester
who edits a number learns at once what is wrong instead of meeting a 500 later.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import pseudo
from ..domain.builder import BuilderRules
from ..domain.cards import OUTCOMES, TestCard, card_brand, check_number
from ..domain.codes import CodePolicy
from ..domain.kiosk import CashRules, Terminal
from ..domain.markets import Market, Operator, Product, TopupLimits
from ..domain.mcommerce import OperatorTerms
from ..domain.money import MINOR_DIGITS
from ..domain.topup import Promotion
from ..domain.trust import AmountBand, FeeStep, TrustRules
from ..domain.wallet import WalletRules, is_password_shape

RULES_DIR = Path(__file__).parent


class RulesError(Exception):
    """A rule file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class Rules:
    markets: dict[str, Market]
    promotions: tuple[Promotion, ...]
    test_cards: tuple[TestCard, ...]
    payment_window: timedelta
    codes: CodePolicy
    trust: TrustRules
    mcommerce: dict[str, OperatorTerms]
    # A private refusal of a mobile payment goes to a number by SMS at most once this often.
    refusal_sms_every: timedelta
    products: tuple[Product, ...]
    builder: BuilderRules
    wallet: WalletRules
    # Kiosks (rules/kiosk.toml): the bill acceptor and commission by market, terminals by id.
    kiosk_cash: dict[str, CashRules]
    terminals: dict[str, Terminal]
    # (market, order kind, channel) → the payment methods offered, in the chooser's order.
    payment_methods: dict[tuple[str, str, str], tuple[str, ...]]

    def product(self, product_id: str) -> Product | None:
        return next((p for p in self.products if p.id == product_id), None)

    def market(self, code: str) -> Market | None:
        return self.markets.get((code or "").upper())

    def promotions_for(self, market: str) -> tuple[Promotion, ...]:
        return tuple(p for p in self.promotions if p.market == market)

    def operator(self, operator_id: str) -> Operator | None:
        for market in self.markets.values():
            found = market.operator(operator_id)
            if found:
                return found
        return None


class _Reader:
    """Typed access to one TOML table that reports problems as file: key."""

    def __init__(self, file: str, table: dict, where: str = ""):
        self.file, self.table, self.where = file, table, where

    def fail(self, key: str, problem: str) -> RulesError:
        path = f"{self.where}.{key}" if self.where else key
        return RulesError(f"{self.file}: {path}: {problem}")

    def get(self, key: str, kind: type | tuple[type, ...], default=None, required=True):
        if key not in self.table:
            if required:
                raise self.fail(key, "missing")
            return default
        value = self.table[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            raise self.fail(key, f"expected {getattr(kind, '__name__', kind)}, got {value!r}")
        return value

    def major(self, key: str, currency: str, required=True, default=0) -> int:
        """An amount in major units (int or decimal string) as minor units, > 0."""
        value = self.get(key, (int, str), default=None, required=required)
        if value is None:
            return default
        try:
            amount = Decimal(str(value)).scaleb(MINOR_DIGITS[currency])
        except InvalidOperation as exc:
            raise self.fail(key, f"not an amount: {value!r}") from exc
        if not amount.is_finite() or amount != amount.to_integral_value() or amount <= 0:
            raise self.fail(key, f"must be a positive amount with at most 2 decimals: {value!r}")
        return int(amount)

    def sub(self, key: str, index: int | None = None) -> _Reader:
        where = f"{self.where}.{key}" if self.where else key
        if index is not None:
            where += f"[{index}]"
        return _Reader(self.file, self.table if index is None else self.table[key][index], where)


def _read(directory: Path, name: str) -> dict:
    path = directory / name
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise RulesError(f"{name}: file not found in {directory}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{name}: {exc}") from exc


def _names(table: _Reader, key: str) -> dict[str, str]:
    """An optional table of texts by language: { ru = "МТС", zh = "..." }."""
    raw = table.get(key, dict, default={}, required=False)
    for lang, text in raw.items():
        if not isinstance(text, str) or not text.strip():
            raise table.fail(f"{key}.{lang}", f"expected a non-empty string, got {text!r}")
    return dict(raw)


def _load_market(code: str, data: _Reader) -> Market:
    currency = data.get("currency", str)
    if currency not in MINOR_DIGITS:
        raise data.fail("currency", f"unknown currency {currency!r}")
    timezone = data.get("timezone", str)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise data.fail("timezone", f"unknown timezone {timezone!r}") from exc
    operators = []
    for index, _ in enumerate(data.get("operators", list)):
        op = data.sub("operators", index)
        carrier_names = op.get("carrier_names", list, default=[], required=False)
        name = op.get("name", str)
        operators.append(Operator(
            id=op.get("id", str), name=name,
            support_number=op.get("support_number", str),
            short_number=op.get("short_number", str, required=False),
            carrier_names=tuple(str(n) for n in carrier_names),
            names=_names(op, "names") | {pseudo.LANG: pseudo.pseudo(name)},
            names_of=_names(op, "names_of"),
        ))
    if not operators:
        raise data.fail("operators", "a market needs at least one operator")
    tiles_raw = data.get("topup_tiles", list)
    tiles = tuple(_Reader(data.file, {"tile": t}, f"{data.where}.topup_tiles")
                  .major("tile", currency) for t in tiles_raw)
    limits = TopupLimits(tiles=tiles, min_amount=data.major("topup_min", currency),
                         max_amount=data.major("topup_max", currency))
    if limits.min_amount > limits.max_amount:
        raise data.fail("topup_min", "is above topup_max")
    for tile in tiles:
        if not limits.min_amount <= tile <= limits.max_amount:
            raise data.fail("topup_tiles", f"tile {tile} minor units is outside min..max")
    return Market(code=code, currency=currency, timezone=timezone, operators=tuple(operators),
                  topup=limits)


def _load_promotions(raw: dict, markets: dict[str, Market]) -> tuple[Promotion, ...]:
    root = _Reader("promotions.toml", raw)
    promotions = []
    for index, _ in enumerate(root.get("promotion", list, default=[], required=False)):
        p = root.sub("promotion", index)
        market = markets.get(p.get("market", str))
        if market is None:
            raise p.fail("market", "unknown market")
        kind = p.get("kind", str)
        if kind == "amount_off":
            promo = Promotion(id=p.get("id", str), market=market.code, kind=kind,
                              min_amount=p.major("min_amount", market.currency),
                              off=p.major("off", market.currency))
        elif kind == "first_topup_percent":
            try:
                percent = Decimal(p.get("percent", (str, int)))
            except InvalidOperation as exc:
                raise p.fail("percent", "not a number") from exc
            if not percent.is_finite() or not 0 < percent < 100:
                raise p.fail("percent", "must be between 0 and 100")
            promo = Promotion(id=p.get("id", str), market=market.code, kind=kind,
                              percent=percent)
        else:
            raise p.fail("kind", f"unknown kind {kind!r}")
        promotions.append(promo)
    return tuple(promotions)


def _load_cards(raw: dict) -> tuple[TestCard, ...]:
    root = _Reader("cards.toml", raw)
    cards = []
    for index, _ in enumerate(root.get("card", list)):
        c = root.sub("card", index)
        number = c.get("number", str)
        if check_number(number)[1] is not None:
            raise c.fail("number", f"{number} is not a valid card number of a known brand "
                                   "(digits, length, Luhn)")
        outcome = c.get("outcome", str)
        if outcome not in OUTCOMES:
            raise c.fail("outcome", f"unknown outcome {outcome!r}; one of {', '.join(OUTCOMES)}")
        cards.append(TestCard(number=number, brand=card_brand(number) or "", outcome=outcome))
    return tuple(cards)


def _load_codes(raw: dict) -> CodePolicy:
    root = _Reader("codes.toml", raw)
    values = {key: root.get(key, int) for key in ("digits", "valid_minutes", "max_wrong_tries",
                                                  "resend_after_seconds",
                                                  "max_per_number_per_hour")}
    for key, value in values.items():
        if value <= 0:
            raise root.fail(key, "must be positive")
    if not 4 <= values["digits"] <= 10:
        raise root.fail("digits", "must be between 4 and 10")
    return CodePolicy(digits=values["digits"],
                      valid_for=timedelta(minutes=values["valid_minutes"]),
                      max_wrong_tries=values["max_wrong_tries"],
                      resend_after=timedelta(seconds=values["resend_after_seconds"]),
                      max_per_hour=values["max_per_number_per_hour"])


def _load_trust(raw: dict, markets: dict[str, Market]) -> TrustRules:
    root = _Reader("trust.toml", raw)
    operator = root.get("operator", str)
    ru = markets.get("RU")
    if ru is None or ru.operator(operator) is None:
        raise root.fail("operator", f"{operator!r} is not an operator of market RU")
    bands = []
    for index, _ in enumerate(root.get("amount", list)):
        band = root.sub("amount", index)
        spend_from = band.get("from", (str, int))
        bands.append(AmountBand(
            spend_from=0 if str(spend_from) == "0" else band.major("from", "RUB"),
            home=band.major("home", "RUB"), away=band.major("away", "RUB")))
    if not bands or bands[0].spend_from != 0:
        raise root.fail("amount", "the first band must start from 0")
    if any(b.spend_from >= c.spend_from for b, c in zip(bands, bands[1:], strict=False)):
        raise root.fail("amount", "bands must go up by `from`")
    fees = []
    for index, _ in enumerate(root.get("fee", list)):
        step = root.sub("fee", index)
        fees.append(FeeStep(up_to=step.major("up_to", "RUB"), fee=step.major("fee", "RUB")))
    if any(a.up_to >= b.up_to for a, b in zip(fees, fees[1:], strict=False)):
        raise root.fail("fee", "steps must go up by `up_to`")
    term = _Reader("trust.toml", root.get("term", dict), "term")
    auto = _Reader("trust.toml", root.get("auto", dict), "auto")
    rules = _Reader("trust.toml", root.get("eligibility", dict), "eligibility")
    ussd = _Reader("trust.toml", root.get("ussd", dict), "ussd")
    return TrustRules(
        operator=operator, bands=tuple(bands),
        home_term=timedelta(days=term.get("home_days", int)),
        away_term=timedelta(days=term.get("away_days", int)), fees=tuple(fees),
        auto_below=auto.major("below_balance", "RUB"),
        auto_first_day_fee=auto.major("first_day_fee", "RUB"),
        auto_daily_fee=auto.major("daily_fee", "RUB"),
        auto_cooldown=timedelta(days=auto.get("cooldown_days", int)),
        min_months=rules.get("min_months", int),
        min_total_spent=rules.major("min_total_spent", "RUB"),
        monthly_fee_min_months=rules.get("monthly_fee_min_months", int),
        monthly_fee_min_monthly_spend=rules.major("monthly_fee_min_monthly_spend", "RUB"),
        no_auto_tariffs=tuple(str(t) for t in rules.get("no_auto_tariffs", list)),
        ussd_request=ussd.get("request", str), ussd_auto_amount=ussd.get("auto_amount", str),
        ussd_auto_connect=ussd.get("auto_connect", str),
        ussd_auto_disconnect=ussd.get("auto_disconnect", str))


_ACTIVATIONS = ("none", "spent_over", "months_or_topup", "personal_budget")
_LIMITS = ("daily_sum", "weekly_sum", "monthly_sum")
_COUNTS = ("daily_count", "weekly_count", "monthly_count")


PRIVATE_REFUSALS = "private_refusals"


def _load_refusal_sms_every(raw: dict) -> timedelta:
    table = _Reader("mcommerce.toml", raw).get(PRIVATE_REFUSALS, dict)
    every = _Reader("mcommerce.toml", table, PRIVATE_REFUSALS)
    minutes = every.get("same_reason_every_minutes", int)
    if minutes <= 0:
        raise every.fail("same_reason_every_minutes", "must be positive")
    return timedelta(minutes=minutes)


def _load_mcommerce(raw: dict, markets: dict[str, Market]) -> dict[str, OperatorTerms]:
    terms = {}
    ru = markets.get("RU")
    for operator, table in raw.items():
        if operator == PRIVATE_REFUSALS:
            continue
        if ru is None or ru.operator(operator) is None or not isinstance(table, dict):
            raise RulesError(f"mcommerce.toml: {operator}: not an operator table of market RU")
        t = _Reader("mcommerce.toml", table, operator)
        try:
            percent = Decimal(str(t.get("percent", (str, int))))
        except InvalidOperation as exc:
            raise t.fail("percent", "not a number") from exc
        if not percent.is_finite() or not 0 <= percent < 100:
            raise t.fail("percent", "must be from 0 to 100")
        activation = t.get("activation", str)
        if activation not in _ACTIVATIONS:
            raise t.fail("activation", f"one of {', '.join(_ACTIVATIONS)}")
        fixed = t.get("fixed", (int, str), default=0, required=False)
        terms[operator] = OperatorTerms(
            operator=operator, percent=percent,
            fixed=0 if str(fixed) == "0" else t.major("fixed", "RUB"),
            reserve=t.major("reserve", "RUB"), activation=activation,
            activation_spent=t.major("activation_spent", "RUB", required=False),
            activation_months=t.get("activation_months", int, default=0, required=False),
            per_payment_cap=t.major("per_payment_cap", "RUB", required=False, default=None),
            **{key: t.major(key, "RUB", required=False, default=None) for key in _LIMITS},
            **{key: t.get(key, int, default=None, required=False) for key in _COUNTS})
    return terms


def _load_products(raw: dict, markets: dict[str, Market]) -> tuple[Product, ...]:
    root = _Reader("shop.toml", raw)
    products = []
    for index, _ in enumerate(root.get("product", list)):
        p = root.sub("product", index)
        prices_raw = _Reader("shop.toml", p.get("price", dict), f"{p.where}.price")
        prices = {code: prices_raw.major(code, market.currency)
                  for code, market in markets.items()}
        names = {str(k): str(v) for k, v in p.get("name", dict).items()}
        if "en" not in names:
            raise p.fail("name", "needs at least an en name")
        names[pseudo.LANG] = pseudo.pseudo(names["en"])
        products.append(Product(id=p.get("id", str), prices=prices, names=names))
    return tuple(products)


def _load_builder(raw: dict, markets: dict[str, Market]) -> BuilderRules:
    root = _Reader("builder.toml", raw)
    prefixes_raw = _Reader("builder.toml", root.get("prefixes", dict), "prefixes")
    prefixes = {}
    for market in markets.values():
        for operator in market.operators:
            found = prefixes_raw.get(operator.id, list)
            if not found or not all(isinstance(p, str) and p.isdigit() for p in found):
                raise prefixes_raw.fail(operator.id, "a list of digit strings like \"7903\"")
            prefixes[operator.id] = tuple(found)
    for key in prefixes_raw.table:
        if key not in prefixes:
            raise prefixes_raw.fail(key, "not an operator of markets.toml")
    bounds = _Reader("builder.toml", root.get("bounds", dict), "bounds")
    values = {key: bounds.get(key, int) for key in
              ("max_amount", "max_history_months", "max_payments", "max_years_active")}
    for key, value in values.items():
        if value <= 0:
            raise bounds.fail(key, "must be positive")
    return BuilderRules(prefixes=prefixes, **values)


def _positive(reader: _Reader, key: str) -> int:
    value = reader.get(key, int)
    if value <= 0:
        raise reader.fail(key, "must be positive")
    return value


def _load_wallet(raw: dict) -> WalletRules:
    root = _Reader("wallet.toml", raw)
    password = _Reader("wallet.toml", root.get("password", dict), "password")
    notify = _Reader("wallet.toml", root.get("notify", dict), "notify")
    demo = _Reader("wallet.toml", root.get("demo", dict), "demo")
    retries = notify.get("retry_after_seconds", list)
    if not retries or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0
                              for s in retries):
        raise notify.fail("retry_after_seconds", "a list of positive whole seconds")
    demo_password = demo.get("password", str)
    if not is_password_shape(demo_password):
        raise demo.fail("password", "six digits")
    balances = _Reader("wallet.toml", demo.get("balance", dict), "demo.balance")
    return WalletRules(
        trade_valid_for=timedelta(minutes=_positive(root, "trade_valid_minutes")),
        max_wrong_passwords=_positive(password, "max_wrong"),
        lock_for=timedelta(minutes=_positive(password, "lock_minutes")),
        signature_tolerance=timedelta(seconds=_positive(notify, "signature_tolerance_seconds")),
        retry_after=tuple(timedelta(seconds=s) for s in retries),
        demo_password=demo_password,
        demo_balance={currency: balances.major(currency, currency) for currency in MINOR_DIGITS})


ORDER_KINDS = ("topup", "goods")
CHANNELS = ("phone", "kiosk")


def _load_payment_methods(raw: dict, markets: dict[str, Market]
                          ) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """payments.toml: every market, order kind and channel lists at least one method, once
    each (whether a method is registered is checked when the app starts)."""
    found = {}
    root = _Reader("payments.toml", raw)
    for market in markets:
        by_market = _Reader("payments.toml", root.get(market, dict), market)
        for kind in ORDER_KINDS:
            table = _Reader("payments.toml", by_market.get(kind, dict), f"{market}.{kind}")
            for channel in CHANNELS:
                methods = table.get(channel, list)
                if not methods or not all(isinstance(m, str) and m for m in methods) \
                        or len(set(methods)) != len(methods):
                    raise table.fail(channel, "a list of method names, each once")
                found[(market, kind, channel)] = tuple(methods)
    return found


def load_rules(directory: Path | str = RULES_DIR) -> Rules:
    """Read every rule file in `directory`; raise RulesError on the first problem."""
    directory = Path(directory)
    markets_raw = _read(directory, "markets.toml")
    for code, table in markets_raw.items():
        if not isinstance(table, dict):
            raise RulesError(f"markets.toml: {code}: expected a market table like [RU]")
    markets = {code: _load_market(code, _Reader("markets.toml", table, code))
               for code, table in markets_raw.items()}
    orders = _Reader("orders.toml", _read(directory, "orders.toml"))
    window = orders.get("payment_window_minutes", int)
    if window <= 0:
        raise orders.fail("payment_window_minutes", "must be positive")
    mcommerce = _read(directory, "mcommerce.toml")
    from .kiosk_loader import load_kiosk  # it reads with this module's _Reader

    kiosk_cash, terminals = load_kiosk(_read(directory, "kiosk.toml"), markets)
    return Rules(
        markets=markets,
        promotions=_load_promotions(_read(directory, "promotions.toml"), markets),
        test_cards=_load_cards(_read(directory, "cards.toml")),
        payment_window=timedelta(minutes=window),
        codes=_load_codes(_read(directory, "codes.toml")),
        trust=_load_trust(_read(directory, "trust.toml"), markets),
        mcommerce=_load_mcommerce(mcommerce, markets),
        refusal_sms_every=_load_refusal_sms_every(mcommerce),
        products=_load_products(_read(directory, "shop.toml"), markets),
        builder=_load_builder(_read(directory, "builder.toml"), markets),
        wallet=_load_wallet(_read(directory, "wallet.toml")),
        kiosk_cash=kiosk_cash,
        terminals=terminals,
        payment_methods=_load_payment_methods(_read(directory, "payments.toml"), markets),
    )
