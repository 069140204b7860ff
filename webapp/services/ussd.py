"""USSD requests as a network would answer them (SPEC §4 channels): *141#, *141*9#,
*141*11#, *141*10#; anything else is an unknown request. Replies are short and localized."""

from __future__ import annotations

from flask_babel import gettext

from ..i18n import force_locale, local_time, money
from . import rules, trust
from .trust_texts import refusal_text


def handle(phone: str, code: str, locale: str) -> str:
    """The reply to USSD `code` dialled from `phone`, in `locale`."""
    code = "".join(code.split())
    ussd = rules().trust
    with force_locale(locale):
        try:
            if code == ussd.ussd_request:
                credit = trust.request_one_off(phone, "ussd")
                # TRANSLATORS: USSD reply (a phone screen, keep it short); %(amount)s e.g. "450
                # ₽"; %(due)s when it is taken back, e.g. "23 ноября в 23:50 МСК"; %(fee)s e.g.
                # "40 ₽".
                return gettext("Trust payment of %(amount)s credited until %(due)s. Fee "
                               "%(fee)s.", amount=money(credit.amount, "RUB"),
                               due=local_time(credit.due_at, "Europe/Moscow"),
                               fee=money(credit.fee, "RUB"))
            if code == ussd.ussd_auto_amount:
                quote = trust.quote(phone, trust.rules_of.AUTO)
                if quote.refusal:
                    return refusal_text(quote.refusal)
                # TRANSLATORS: USSD reply; %(amount)s e.g. "450 ₽".
                return gettext("Auto trust payment would credit %(amount)s.",
                               amount=money(quote.amount, "RUB"))
            if code == ussd.ussd_auto_connect:
                trust.connect_auto(phone)
                # TRANSLATORS: USSD reply; %(first)s the fee today, e.g. "0,50 ₽"; %(daily)s the
                # fee each day after, e.g. "0,75 ₽".
                return gettext("Auto trust payment connected: %(first)s today, then %(daily)s "
                               "a day.", first=money(ussd.auto_first_day_fee, "RUB"),
                               daily=money(ussd.auto_daily_fee, "RUB"))
            if code == ussd.ussd_auto_disconnect:
                trust.disconnect_auto(phone)
                return gettext("Auto trust payment disconnected.")
        except trust.TrustRefused as refused:
            return refusal_text(refused.reason)
        # TRANSLATORS: USSD reply to a code the network does not know.
        return gettext("Unknown request.")
