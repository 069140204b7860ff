"""Locale selection and the Jinja filters for money, phone numbers, order numbers, operator
names, times and durations.

A page asks for its language dozens of times (every `_()` of its templates, every amount), and
each Flask-Babel lookup walks the request context again: the language, its format locale and
its catalog are looked up once per request instead (`_page_language`) and handed to the
templates in their context, and formatted amounts, dates and durations are remembered, being
pure functions of their values and the locale.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import flask_babel
from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_currency, format_percent
from babel.support import NullTranslations
from babel.units import format_unit
from flask import current_app, g, request
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context
from markupsafe import Markup

from . import pseudo
from .clock import clock
from .domain.markets import Operator
from .domain.money import MINOR_DIGITS, Money
from .domain.phone import as_typed_in_field, format_international

LANG_COOKIE = "lang"
# Catalog name → Babel locale used for formats (the "zh" catalog is Simplified Chinese, China;
# the pseudo-locale formats as English).
FORMAT_LOCALES = {"ru": "ru_RU", "en": "en", "zh": "zh_Hans_CN", pseudo.LANG: "en"}
# Catalog name → <html lang> (BCP 47).
HTML_LANGS = {"zh": "zh-Hans", pseudo.LANG: pseudo.HTML_LANG}
# Every market's currency with the sign people write, in every language: Babel's English and
# Chinese would write "RUB100.00" and "CN¥".
CURRENCY_SIGNS = {"RUB": "₽", "CNY": "¥"}
# The market's time zone as people name it after a time: "23:50 МСК", "北京时间23:50".
ZONE_NAMES = {
    # TRANSLATORS: after a time in Moscow's time zone ("23 ноября в 23:50 МСК"): how
    # people name that zone in your language (Russian: МСК).
    "Europe/Moscow": _l("Moscow time"),
    # TRANSLATORS: after (or, in Chinese, before) a time in China's time zone: how people name
    # that zone in your language (Chinese: 北京时间).
    "Asia/Shanghai": _l("Beijing time"),
}


# --- what a render said: the studio's string map (SPEC §9) ------------------------------------

# (msgctxt or None, msgid) in the order first used; None when nobody listens.
_HEARD: ContextVar[dict[tuple[str | None, str], None] | None] = ContextVar("topup_heard",
                                                                          default=None)


@contextmanager
def recording() -> Iterator[dict[tuple[str | None, str], None]]:
    """Every catalog message looked up while the block runs — templates, views, lazy strings,
    SMS texts — as (msgctxt, msgid) keys of the dict it yields, in first-use order. The
    studio wraps one request of a screen in it, so a screen's list is exactly what that
    render asked the catalog for."""
    heard: dict[tuple[str | None, str], None] = {}
    token = _HEARD.set(heard)
    try:
        yield heard
    finally:
        _HEARD.reset(token)


class _ListeningTranslations:
    """A catalog that notes each message asked of it, then answers as the catalog does."""

    def __init__(self, translations: NullTranslations, heard: dict):
        self._translations, self._heard = translations, heard

    def __getattr__(self, name):
        return getattr(self._translations, name)

    def ugettext(self, message):
        self._heard.setdefault((None, message), None)
        return self._translations.ugettext(message)

    def ungettext(self, singular, plural, num):
        self._heard.setdefault((None, singular), None)
        return self._translations.ungettext(singular, plural, num)

    def upgettext(self, context, message):
        self._heard.setdefault((context, message), None)
        return self._translations.upgettext(context, message)

    def unpgettext(self, context, singular, plural, num):
        self._heard.setdefault((context, singular), None)
        return self._translations.unpgettext(context, singular, plural, num)

    gettext, ngettext, pgettext, npgettext = ugettext, ungettext, upgettext, unpgettext


class ListeningDomain(flask_babel.Domain):
    """Flask-Babel's domain whose catalogs note what is asked of them while `recording()`
    listens; otherwise the very same catalog objects (nothing to pay outside the studio)."""

    def get_translations(self):
        translations = super().get_translations()
        heard = _HEARD.get()
        return translations if heard is None else _ListeningTranslations(translations, heard)


def _primary(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def babel_locale(lang: str) -> str:
    """The Babel (and gettext) locale of a catalog name: "en@qps" for the pseudo-locale."""
    return pseudo.BABEL_LOCALE if lang == pseudo.LANG else lang


def choosable() -> tuple[str, ...]:
    """The languages a person may choose: ru, en, zh, and in sandbox mode the pseudo-locale
    (for translators and testers; it is no language for customers)."""
    languages = tuple(current_app.config["LANGUAGES"])
    return languages + (pseudo.LANG,) if current_app.config["SANDBOX"] else languages


def select_locale() -> str:
    """?lang= (then kept in a cookie) → cookie → Accept-Language by primary subtag → default.

    Werkzeug's best_match would prefer an exact "en" over "zh-CN", so the header is walked
    in quality order and matched on the primary subtag only. The pseudo-locale is chosen
    only explicitly.
    """
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen and _primary(chosen) in choosable():
        g.lang_choice = _primary(chosen)
        return babel_locale(g.lang_choice)
    for tag, _quality in request.accept_languages:  # already sorted by quality
        if _primary(tag) in languages:
            return _primary(tag)
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@dataclass(frozen=True)
class _PageLanguage:
    lang: str  # the catalog: ru, en, zh or qps
    format_locale: str  # the Babel locale of its formats
    translations: NullTranslations


_CACHE = "_topup_page_language"


def _page_language() -> _PageLanguage:
    """This request's language, found once and kept in `g` (see force_locale)."""
    found = g.get(_CACHE)
    if found is None:
        locale = get_locale()
        lang = (pseudo.LANG if pseudo.is_pseudo(locale)
                else str(locale or current_app.config["BABEL_DEFAULT_LOCALE"]))
        found = _PageLanguage(lang, FORMAT_LOCALES.get(lang, lang), get_translations())
        setattr(g, _CACHE, found)
    return found


@contextmanager
def force_locale(locale: str) -> Iterator[None]:
    """Flask-Babel's force_locale (an SMS or a USSD reply in its own language, whatever the
    page's) that also sets this request's remembered language aside while it lasts. Use this
    one: with Flask-Babel's alone, `money` would keep the page's locale."""
    saved = g.pop(_CACHE, None)
    try:
        with flask_babel.force_locale(babel_locale(locale)):
            yield
    finally:
        g.pop(_CACHE, None)
        if saved is not None:
            setattr(g, _CACHE, saved)


def current_lang() -> str:
    return _page_language().lang


def format_locale() -> str:
    return _page_language().format_locale


def money(minor: int | Money, currency: str | None = None, locale: str | None = None) -> str:
    """1 500 ₽ / 0,50 ₽ / ₽1,500 / ¥98.50 according to the page's locale (or `locale`): the
    currency's sign in every language, and no ",00" on a whole amount."""
    locale = locale or format_locale()
    if isinstance(minor, Money):
        return _formatted_money(minor.minor, minor.currency, locale)
    return _formatted_money(int(minor), currency or "RUB", locale)


@lru_cache(maxsize=4096)
def _formatted_money(minor: int, currency: str, locale: str) -> str:
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    if currency in CURRENCY_SIGNS:
        pattern = pattern.replace("¤", f"'{CURRENCY_SIGNS[currency]}'")
    if minor % 10 ** MINOR_DIGITS[currency] == 0:
        pattern = re.sub(r"\.0+", "", pattern)
    return format_currency(Money(minor, currency).major, currency, format=pattern,
                           locale=locale, currency_digits=False)


def local_time(moment: datetime, timezone: str) -> str:
    """A moment in the market's timezone as people write it, with the zone named: "23 ноября
    в 23:50 МСК", "November 23 at 11:50 PM Moscow time", "北京时间11月23日23:50"; the year
    only when it is not this one."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    this_year = clock.now().astimezone(zone).year == local.year
    day, time = _day_and_time(local, timezone, format_locale(), this_year)
    name = ZONE_NAMES.get(timezone)
    # TRANSLATORS: a date and time in a market's time zone. %(date)s is a day ("23 ноября",
    # "November 23", "11月23日", with the year when not this year), %(time)s a time ("23:50",
    # "11:50 PM"), %(zone)s the zone's name ("МСК", "Moscow time", "北京时间"). Put them in
    # your order: Russian "%(date)s в %(time)s %(zone)s", Chinese "%(zone)s%(date)s%(time)s".
    return flask_babel.gettext("%(date)s at %(time)s %(zone)s", date=_pseudo_in_qps(day),
                               time=time,
                               zone=str(name) if name else _tz_label(moment, timezone))


@lru_cache(maxsize=4096)
def _day_and_time(local: datetime, timezone: str, locale: str, this_year: bool
                  ) -> tuple[str, str]:
    """Babel's day ("23 ноября", with the year unless this_year) and short time of a local
    moment: a pure function of its arguments, and Babel's pattern work is the slow part."""
    day = format_skeleton("MMMMd" if this_year else "yMMMMd", local, locale=locale)
    return day, format_time(local, "short", tzinfo=ZoneInfo(timezone), locale=locale)


def long_date(day: date) -> str:
    """A calendar date as people write it: "10 января 2024 г.", "January 10, 2024",
    "2024年1月10日"."""
    return _pseudo_in_qps(format_date(day, "long", locale=format_locale()))


def _pseudo_in_qps(text: str) -> str:
    """Words Babel writes (months, units) made pseudo in the pseudo-locale, as the catalog's
    are: there, any plain English word on a page is one the page did not localize."""
    return pseudo.pseudo(text) if current_lang() == pseudo.LANG else text


def _tz_label(moment: datetime, timezone: str) -> str:
    offset = moment.astimezone(ZoneInfo(timezone)).utcoffset() or timedelta(0)
    hours = int(offset.total_seconds() // 3600)
    return f"(UTC{hours:+d})"


_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60))


def duration(delta: timedelta) -> str:
    """Time left in its largest whole unit, rounded down ("59 минут", "7 дней", "1 hour"),
    never a countdown that jumps up (59 min 59 s is 59 minutes), and days never weeks ("7
    дней", not "1 неделя")."""
    seconds = max(int(delta.total_seconds()), 0)
    for unit, size in _UNITS:
        if seconds >= size:
            return _pseudo_in_qps(_count_of(seconds // size, unit, format_locale()))
    return _pseudo_in_qps(_count_of(seconds, "second", format_locale()))


@lru_cache(maxsize=4096)
def _count_of(count: int, unit: str, locale: str) -> str:
    """"59 минут": Babel's long duration unit, remembered (a pure function, and a slow one)."""
    return format_unit(count, f"duration-{unit}", length="long", locale=locale)


def percent(value) -> str:
    """A percentage given as a number of percent (Decimal("3") → "3 %", "3%"), as the page's
    language writes it."""
    from decimal import Decimal

    return format_percent(Decimal(value) / 100, locale=format_locale(),
                          decimal_quantization=False)


def phone(e164: str) -> Markup:
    """A phone number as people write it, never broken across lines."""
    return Markup('<span class="nowrap">%s</span>') % format_international(e164)


def order_number(number: str) -> Markup:
    """An order number, never broken across lines."""
    return Markup('<span class="order-no">%s</span>') % number


def operator_name(operator: Operator, case: str | None = None) -> str:
    """The operator's name in the page's language ("МТС", "中国移动"); `case="of"` gives
    the form a language puts after "fee of" (Russian: "Комиссия Билайна")."""
    return operator.name_in(current_lang(), case)


def _per_request(formatter):
    """The formatter as a Jinja filter that runs at render time. Jinja calls a plain filter
    with constant arguments (`50|money('RUB')`) once, when it compiles the template, and keeps
    the result: the first request's language would stick to every later page."""

    @pass_context
    def apply(_context, *args, **kwargs):
        return formatter(*args, **kwargs)

    return apply


# The key under which a template's context carries its page's language (context processor
# below): a template reads it from its own context, not from the request's `g` each time.
_CONTEXT_KEY = "_topup_language"


def _language_in(context) -> _PageLanguage:
    """The page language in a template's context; a macro imported without context asks the
    request."""
    found = context.get(_CONTEXT_KEY)
    return found if found is not None else _page_language()


@pass_context
def _template_money(context, minor: int | Money, currency: str | None = None) -> str:
    return money(minor, currency, _language_in(context).format_locale)


# The templates' gettext: Jinja's new-style semantics (marked safe under autoescape, always
# %-formatted, `num` given to ngettext) with one call and the request's remembered catalog,
# where Jinja's `_` resolves `gettext` and calls Flask-Babel's, which looks the catalog up again.
@pass_context
def _template_gettext(context, string: str, **variables) -> str:
    text = _language_in(context).translations.ugettext(string)
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables


@pass_context
def _template_ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    text = _language_in(context).translations.ungettext(singular, plural, num)
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables


@pass_context
def _template_pgettext(context, msgctxt: str, string: str, **variables) -> str:
    text = _language_in(context).translations.upgettext(msgctxt, string)
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables


@pass_context
def _template_npgettext(context, msgctxt: str, singular: str, plural: str, num: int,
                        **variables) -> str:
    variables.setdefault("num", num)
    text = _language_in(context).translations.unpgettext(msgctxt, singular, plural, num)
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables


def init_app(app) -> None:
    """Filters, and the templates' gettext (replacing Flask-Babel's, installed before)."""
    # One domain for every app of the process (the Babel object is shared): one that listens.
    babel_config = app.extensions["babel"]
    if not isinstance(vars(babel_config.instance).get("domain_instance"), ListeningDomain):
        babel_config.instance.domain_instance = ListeningDomain(domain=babel_config.default_domain)
    app.jinja_env.globals.update(
        _=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext,
        pgettext=_template_pgettext, npgettext=_template_npgettext)
    app.jinja_env.filters["money"] = _template_money
    app.jinja_env.filters["phone"] = phone
    app.jinja_env.filters["percent"] = _per_request(percent)
    app.jinja_env.filters["order_number"] = order_number
    app.jinja_env.filters["operator_name"] = _per_request(operator_name)
    app.jinja_env.filters["phone_field"] = as_typed_in_field
    app.jinja_env.filters["local_time"] = _per_request(local_time)
    app.jinja_env.filters["long_date"] = _per_request(long_date)
    app.jinja_env.filters["duration"] = _per_request(duration)

    @app.context_processor
    def _language():
        return {_CONTEXT_KEY: _page_language()}

    @app.after_request
    def _remember_choice(response):
        choice = g.get("lang_choice")
        if choice and request.args.get("lang"):
            response.set_cookie(LANG_COOKIE, choice, max_age=365 * 24 * 3600, samesite="Lax",
                                httponly=True, secure=app.config["SESSION_COOKIE_SECURE"])
        return response
