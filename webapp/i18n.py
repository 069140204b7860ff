"""Locale selection and the Jinja filters for money, phone numbers, times and durations.

A page asks for its language dozens of times (every `_()` of its templates, every amount), and
each Flask-Babel lookup walks the request context again: the language, its format locale and
its catalog are looked up once per request instead (`_page_language`), and formatted amounts
are remembered, being pure functions of amount, currency and locale.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import flask_babel
from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_currency
from babel.support import NullTranslations
from flask import current_app, g, request
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup

from .domain.money import Money
from .domain.phone import as_typed_in_field, format_international

LANG_COOKIE = "lang"
# Catalog name → Babel locale used for formats (the "zh" catalog is Simplified Chinese, China).
FORMAT_LOCALES = {"ru": "ru_RU", "en": "en", "zh": "zh_Hans_CN"}


def _primary(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def select_locale() -> str:
    """?lang= (then kept in a cookie) → cookie → Accept-Language by primary subtag → default.

    Werkzeug's best_match would prefer an exact "en" over "zh-CN", so the header is walked
    in quality order and matched on the primary subtag only.
    """
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen and _primary(chosen) in languages:
        g.lang_choice = _primary(chosen)
        return g.lang_choice
    for tag, _quality in request.accept_languages:  # already sorted by quality
        if _primary(tag) in languages:
            return _primary(tag)
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@dataclass(frozen=True)
class _PageLanguage:
    lang: str  # the catalog: ru, en or zh
    format_locale: str  # the Babel locale of its formats
    translations: NullTranslations


_CACHE = "_topup_page_language"


def _page_language() -> _PageLanguage:
    """This request's language, found once and kept in `g` (see force_locale)."""
    found = g.get(_CACHE)
    if found is None:
        lang = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
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
        with flask_babel.force_locale(locale):
            yield
    finally:
        g.pop(_CACHE, None)
        if saved is not None:
            setattr(g, _CACHE, saved)


def current_lang() -> str:
    return _page_language().lang


def format_locale() -> str:
    return _page_language().format_locale


def money(minor: int | Money, currency: str | None = None) -> str:
    """1 500,00 ₽ / RUB1,500.00 / ¥98.50 according to the page's locale."""
    if isinstance(minor, Money):
        return _formatted_money(minor.minor, minor.currency, format_locale())
    return _formatted_money(int(minor), currency or "RUB", format_locale())


@lru_cache(maxsize=4096)
def _formatted_money(minor: int, currency: str, locale: str) -> str:
    return format_currency(Money(minor, currency).major, currency, locale=locale)


def local_time(moment: datetime, timezone: str) -> str:
    """A moment in the market's timezone, with the zone shown (receipts, deadlines)."""
    return format_datetime(moment, "medium", tzinfo=ZoneInfo(timezone),
                           locale=format_locale()) + " " + _tz_label(moment, timezone)


def long_date(day: date) -> str:
    """A calendar date as people write it: "10 января 2024 г.", "January 10, 2024",
    "2024年1月10日"."""
    return format_date(day, "long", locale=format_locale())


def _tz_label(moment: datetime, timezone: str) -> str:
    offset = moment.astimezone(ZoneInfo(timezone)).utcoffset() or timedelta(0)
    hours = int(offset.total_seconds() // 3600)
    return f"(UTC{hours:+d})"


def duration(delta: timedelta) -> str:
    """Time left, rounded down to whole minutes ("59 минут", "1 hour"), never a countdown
    that jumps up: 59 min 59 s left shows as 59 minutes, not "1 hour"."""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 60:
        return format_timedelta(timedelta(seconds=seconds), granularity="second",
                                threshold=100, locale=format_locale())
    if seconds < 3600:
        return format_timedelta(timedelta(minutes=seconds // 60), granularity="minute",
                                threshold=1000, locale=format_locale())
    return format_timedelta(timedelta(seconds=seconds), locale=format_locale())


def _per_request(formatter):
    """The formatter as a Jinja filter that runs at render time. Jinja calls a plain filter
    with constant arguments (`50|money('RUB')`) once, when it compiles the template, and keeps
    the result: the first request's language would stick to every later page."""

    @pass_context
    def apply(_context, *args, **kwargs):
        return formatter(*args, **kwargs)

    return apply


# The templates' gettext: Jinja's new-style semantics (marked safe under autoescape, always
# %-formatted, `num` given to ngettext) with one call and the request's remembered catalog,
# where Jinja's `_` resolves `gettext` and calls Flask-Babel's, which looks the catalog up again.
@pass_context
def _template_gettext(context, string: str, **variables) -> str:
    text = _page_language().translations.ugettext(string)
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables


@pass_context
def _template_ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    text = _page_language().translations.ungettext(singular, plural, num)
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables


@pass_context
def _template_pgettext(context, msgctxt: str, string: str, **variables) -> str:
    text = _page_language().translations.upgettext(msgctxt, string)
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables


@pass_context
def _template_npgettext(context, msgctxt: str, singular: str, plural: str, num: int,
                        **variables) -> str:
    variables.setdefault("num", num)
    text = _page_language().translations.unpgettext(msgctxt, singular, plural, num)
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables


def init_app(app) -> None:
    """Filters, and the templates' gettext (replacing Flask-Babel's, installed before)."""
    app.jinja_env.globals.update(
        _=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext,
        pgettext=_template_pgettext, npgettext=_template_npgettext)
    app.jinja_env.filters["money"] = _per_request(money)
    app.jinja_env.filters["phone"] = format_international
    app.jinja_env.filters["phone_field"] = as_typed_in_field
    app.jinja_env.filters["local_time"] = _per_request(local_time)
    app.jinja_env.filters["long_date"] = _per_request(long_date)
    app.jinja_env.filters["duration"] = _per_request(duration)

    @app.after_request
    def _remember_choice(response):
        choice = g.get("lang_choice")
        if choice and request.args.get("lang"):
            response.set_cookie(LANG_COOKIE, choice, max_age=365 * 24 * 3600, samesite="Lax",
                                httponly=True, secure=app.config["SESSION_COOKIE_SECURE"])
        return response
