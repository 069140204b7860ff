"""Trust payment on the web and by USSD: the form, the quote with its code, a wrong code,
given, and each refusal; the USSD dialer and each of its answers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import scenario
from ._flows import WRONG_CODE


def trustworthy(stage, **spec) -> str:
    """A Beeline number that may have a trust payment (2 years old, 500 ₽ spent a month)."""
    return stage.subscriber("beeline", balance=1000, **spec)


def _ask(stage, phone: str, expect=200):
    stage.get("/trust")
    return stage.post("/trust", expect=expect, phone=phone[2:])


def given(stage, phone: str):
    """Ask for a trust payment on the web and confirm it with the SMS's code: its page."""
    _ask(stage, phone)
    return stage.post("/trust/confirm", code=stage.code_sent_to(phone))


@scenario("trust.start", _l("Trust payment: the number"))
def start(stage):
    return stage.get("/trust")


@scenario("trust.confirm", _l("Trust payment: the amount, its fee and the code"))
def confirm(stage):
    return _ask(stage, trustworthy(stage))


@scenario("trust.wrong_code", _l("Trust payment: a wrong code, tries left"))
def wrong_code(stage):
    _ask(stage, trustworthy(stage))
    return stage.post("/trust/confirm", expect=422, code=WRONG_CODE)


@scenario("trust.done", _l("Trust payment: credited"))
def done(stage):
    return given(stage, trustworthy(stage))


REFUSALS = {
    "first_months": (_l("Trust payment refused: a month-old number"),
                     {"years": 0, "months": 1, "history_months": 1}),
    "spent_too_little": (_l("Trust payment refused: too little spent"),
                         {"monthly_spend": 3000, "years": 0, "months": 4}),
    "postpaid": (_l("Trust payment refused: a postpaid tariff"),
                 {"tariff_kind": "postpaid", "tariff_name": "Postpaid"}),
    "monthly_fee_new": (_l("Trust payment refused: a monthly fee, a new customer"),
                        {"tariff_kind": "monthly_fee", "tariff_name": "Unlimited 600",
                         "monthly_fee": 60000, "years": 0, "months": 2, "history_months": 2}),
    "suspended": (_l("Trust payment refused: suspended for debt"),
                  {"suspended": True, "balance": -4500}),
}


def _refusal(spec):
    def play(stage):
        fields = {"balance": 1000, **spec}
        return _ask(stage, stage.subscriber("beeline", **fields), expect=422)

    return play


for _reason, (_title, _spec) in REFUSALS.items():
    scenario(f"trust.refused_{_reason}", _title)(_refusal(_spec))


@scenario("trust.refused_outstanding", _l("Trust payment refused: one is outstanding"))
def refused_outstanding(stage):
    phone = trustworthy(stage)
    given(stage, phone)
    return _ask(stage, phone, expect=422)


@scenario("trust.refused_other_operator", _l("Trust payment refused: not a Beeline number"))
def refused_other_operator(stage):
    return _ask(stage, stage.subscriber("mts"), expect=422)


# --- USSD ------------------------------------------------------------------------------------

def _dial(stage, phone: str, request: str):
    stage.get(f"/ussd/{phone[1:]}")
    return stage.post(f"/ussd/{phone[1:]}", display=request, action="dial")


@scenario("ussd.dialer", _l("USSD: the dialer"))
def dialer(stage):
    return stage.get(f"/ussd/{trustworthy(stage)[1:]}")


USSD = {
    "given": ("*141#", _l("USSD *141#: trust payment credited")),
    "auto_amount": ("*141*9#", _l("USSD *141*9#: what auto trust payment would give")),
    "auto_connect": ("*141*11#", _l("USSD *141*11#: auto trust payment connected")),
    "auto_disconnect": ("*141*10#", _l("USSD *141*10#: auto trust payment disconnected")),
    "unknown": ("*100#", _l("USSD: an unknown request")),
}


def _answer(request: str):
    return lambda stage: _dial(stage, trustworthy(stage), request)


for _name, (_request, _title) in USSD.items():
    scenario(f"ussd.{_name}", _title)(_answer(_request))


@scenario("ussd.refused", _l("USSD *141#: refused, a month-old number"))
def ussd_refused(stage):
    phone = stage.subscriber("beeline", years=0, months=1, history_months=1)
    return _dial(stage, phone, "*141#")
