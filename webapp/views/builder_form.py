"""The subscriber builder's form (sandbox): one Flask-WTF form reads the HTML form and, through
`formdata_from_json`, the JSON endpoint, so both check their fields the same way.

The form checks what each field is (a choice, an amount, a whole number, a date); the rules
between fields and their bounds are the service's (services.builder), whose problems come back
to the same fields.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, StringField
from wtforms.validators import StopValidation, ValidationError

from ..domain.builder import Paid
from ..domain.money import MINOR_DIGITS, MoneyError, parse_major
from ..domain.trust import add_months
from ..services.builder import LOCATIONS, PERIODS, TARIFF_KINDS, SubscriberSpec

MARKETS = ("RU", "CN")


def _required(form, field) -> None:
    if not (field.data or "").strip():
        field.errors[:] = []
        raise StopValidation(str(_l("Fill this in.")))


def _optional(form, field) -> None:
    if not (field.data or "").strip():
        field.errors[:] = []
        raise StopValidation()


def _one_of(values: tuple[str, ...]):
    def check(form, field) -> None:
        if field.data not in values:
            # TRANSLATORS: subscriber builder (JSON), a field with a value it does not know;
            # %(options)s the values allowed, e.g. "prepaid, monthly_fee, postpaid, corporate".
            raise ValidationError(str(_l("Choose one of: %(options)s.",
                                         options=", ".join(values))))
    return check


def read_amount(text: str | None, signed: bool = False) -> int:
    """An amount typed in major units ("150", "150,50", with a minus sign where `signed`) as
    minor units; both markets' currencies have the same minor digits. Raises MoneyError."""
    text = (text or "").strip().replace("\u2212", "-")
    negative = signed and text.startswith("-")
    minor = parse_major(text[1:] if negative else text, "RUB")
    return -minor if negative else minor


def _amount(signed: bool = False):
    def check(form, field) -> None:
        try:
            read_amount(field.data, signed)
        except MoneyError as error:
            raise ValidationError(str(
                _l("Enter an amount like 150, 150.50 or -45.") if signed
                else _l("Enter an amount like 150 or 150.50."))) from error
    return check


def _whole_number(form, field) -> None:
    if not (field.data or "").strip().isdigit():
        raise ValidationError(str(_l("Enter a whole number, like 3.")))


def read_date(text: str | None) -> date:
    """A date as YYYY-MM-DD (what a date input sends). Raises ValueError."""
    return date.fromisoformat((text or "").strip())


def _date(form, field) -> None:
    try:
        read_date(field.data)
    except ValueError as error:
        raise ValidationError(str(_l("Enter the date as YYYY-MM-DD, for example 2024-01-31."))) \
            from error


class SubscriberForm(FlaskForm):
    """Every field of a test subscriber; amounts in major units of the market's currency."""

    market = StringField(_l("Country"), validators=[_optional, _one_of(MARKETS)])
    operator = StringField(_l("Operator"), validators=[_required])
    phone = StringField(_l("Number"), validators=[_optional])
    tariff_kind = StringField(_l("Kind of tariff"), validators=[_required,
                                                                _one_of(TARIFF_KINDS)])
    # TRANSLATORS: subscriber builder: label of the field with the tariff's name.
    tariff_name = StringField(_l("Tariff name"), validators=[_optional])
    # TRANSLATORS: subscriber builder: label of the field with the amount of a tariff's monthly
    # fee.
    monthly_fee = StringField(_l("Monthly fee"), validators=[_optional, _amount()])
    balance = StringField(_l("Balance"), validators=[_required, _amount(signed=True)])
    activated_on = StringField(_l("Connected on"), validators=[_required, _date])
    location = StringField(_l("Location"), validators=[_required, _one_of(LOCATIONS)])
    mobile_payments_enabled = BooleanField(_l("Mobile payments allowed by the operator"))
    personal_budget = BooleanField(_l("Personal budget (MegaFon)"))
    auto_trust = BooleanField(_l("Auto trust payment connected (Beeline)"))
    suspended = BooleanField(_l("Suspended for debt"))
    topped_up = BooleanField(_l("Has been topped up before"))
    history_months = StringField(_l("Months of spending history"),
                                 validators=[_optional, _whole_number])
    monthly_spend = StringField(_l("Spent on services each month"),
                                validators=[_optional, _amount()])
    # TRANSLATORS: subscriber builder: label of the field with how many mobile payments were made
    # today.
    paid_day_count = StringField(_l("Payments today"), validators=[_optional, _whole_number])
    paid_day_sum = StringField(_l("Their sum today"), validators=[_optional, _amount()])
    paid_week_count = StringField(_l("Payments this week"),
                                  validators=[_optional, _whole_number])
    paid_week_sum = StringField(_l("Their sum this week"), validators=[_optional, _amount()])
    paid_month_count = StringField(_l("Payments this month"),
                                   validators=[_optional, _whole_number])
    paid_month_sum = StringField(_l("Their sum this month"), validators=[_optional, _amount()])

    def spec(self) -> SubscriberSpec:
        """The request as the service takes it (call after validate() passed)."""

        def amount(field) -> int:
            return read_amount(field.data) if (field.data or "").strip() else 0

        def count(field) -> int:
            return int(field.data) if (field.data or "").strip() else 0

        return SubscriberSpec(
            operator=self.operator.data.strip(), market=(self.market.data or "").strip() or None,
            phone=(self.phone.data or "").strip() or None,
            tariff_kind=self.tariff_kind.data, tariff_name=(self.tariff_name.data or "").strip(),
            monthly_fee=amount(self.monthly_fee) or None,
            balance=read_amount(self.balance.data, signed=True),
            activated_on=read_date(self.activated_on.data), location=self.location.data,
            mobile_payments_enabled=self.mobile_payments_enabled.data,
            personal_budget=self.personal_budget.data, auto_trust=self.auto_trust.data,
            suspended=self.suspended.data, topped_up=self.topped_up.data,
            history_months=count(self.history_months), monthly_spend=amount(self.monthly_spend),
            paid={period: Paid(count(getattr(self, f"paid_{period}_count")),
                               amount(getattr(self, f"paid_{period}_sum")))
                  for period in PERIODS})


TEXT_FIELDS = ("market", "operator", "phone", "tariff_kind", "tariff_name", "activated_on",
               "location")
AMOUNT_FIELDS = ("balance", "monthly_fee", "monthly_spend", "paid_day_sum", "paid_week_sum",
                 "paid_month_sum")
COUNT_FIELDS = ("history_months", "paid_day_count", "paid_week_count", "paid_month_count")
FLAG_FIELDS = ("mobile_payments_enabled", "personal_budget", "auto_trust", "suspended",
               "topped_up")


def defaults(today: date) -> dict:
    """What a field left out gets: a prepaid number connected two years ago, with mobile
    payments allowed and a top-up behind it (the HTML form starts from these too)."""
    return {"tariff_kind": "prepaid", "location": "home", "mobile_payments_enabled": True,
            "topped_up": True, "activated_on": add_months(today, -24).isoformat()}


def formdata_from_json(payload: dict, today: date) -> tuple[MultiDict, dict[str, str]]:
    """A JSON object as the form's data, and the fields whose JSON type is wrong (or that do
    not exist) with why. Amounts may be numbers or strings, counts JSON integers, flags
    true/false; null is the same as leaving the field out (its default then)."""
    data: MultiDict = MultiDict()
    wrong: dict[str, str] = {}
    for name, value in payload.items():
        if value is None:
            continue
        if name in TEXT_FIELDS:
            if isinstance(value, str):
                data[name] = value
            else:
                wrong[name] = str(_l("Expected a string."))
        elif name in AMOUNT_FIELDS:
            if isinstance(value, str) or (isinstance(value, int | Decimal)
                                          and not isinstance(value, bool)):
                data[name] = _plain(value)
            else:
                wrong[name] = str(_l("Expected an amount: a number or a string like \"150.50\"."))
        elif name in COUNT_FIELDS:
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                data[name] = str(value)
            else:
                wrong[name] = str(_l("Expected a whole number, 0 or more."))
        elif name in FLAG_FIELDS:
            if isinstance(value, bool):
                if value:
                    data[name] = "y"
            else:
                wrong[name] = str(_l("Expected true or false."))
        else:
            wrong[name] = str(_l("There is no such field."))
    for name, value in defaults(today).items():
        if name not in payload or payload[name] is None:
            if value is True:
                data[name] = "y"
            elif value:
                data[name] = value
    return data, wrong


def _plain(value) -> str:
    """A JSON number as the digits a person would type (never an exponent)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def as_json(spec: SubscriberSpec, balance: int, currency: str) -> dict:
    """A built subscriber in the request's own fields; amounts as decimal strings."""
    digits = MINOR_DIGITS[currency]

    def major(minor: int | None) -> str | None:
        return None if minor is None else str(Decimal(minor).scaleb(-digits))

    body = {name: getattr(spec, name) for name in
            ("market", "operator", "phone", "tariff_kind", "tariff_name", "location",
             "history_months", *FLAG_FIELDS)}
    body.update(balance=major(balance), monthly_fee=major(spec.monthly_fee),
                monthly_spend=major(spec.monthly_spend),
                activated_on=spec.activated_on.isoformat(), currency=currency)
    for period in PERIODS:
        paid = spec.paid_in(period)
        body[f"paid_{period}_count"] = paid.count
        body[f"paid_{period}_sum"] = major(paid.total)
    return body
