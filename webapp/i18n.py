"""Locale selection and the Jinja filters for money, phone numbers, times and durations."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_currency
from flask import current_app, g, request
from flask_babel import get_locale
from jinja2 import pass_context

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


def current_lang() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def format_locale() -> str:
    return FORMAT_LOCALES.get(current_lang(), current_lang())


def money(minor: int | Money, currency: str | None = None) -> str:
    """1 500,00 ₽ / RUB1,500.00 / ¥98.50 according to the page's locale."""
    value = minor if isinstance(minor, Money) else Money(int(minor), currency or "RUB")
    return format_currency(value.major, value.currency, locale=format_locale())


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


def init_app(app) -> None:
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
