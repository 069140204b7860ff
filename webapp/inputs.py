"""The one input layer: what a view (and so the database) gets is bounded and free of NUL.

- Every path, query argument and form field is checked before any view runs: a NUL byte
  (which PostgreSQL refuses in text) or a value longer than any of our fields → 400.
- `<int:…>` in a route is a row id: ASCII digits, at most 2^31 − 1 (an INTEGER column).
  Anything else is no such page (404), never a database error; Werkzeug's own converter
  accepts Unicode digits ("٩٠" is 90) and numbers of any size.
- `<msisdn:…>` is a phone number written as its 8 to 15 ASCII digits.
- The machine endpoints (/api) check their signed JSON bodies with `nul_free`.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, IntegerConverter, ValidationError

# Longer than any field of ours (a `next` path with its query included); shorter than abuse.
MAX_VALUE_LENGTH = 2000
MAX_ID = 2**31 - 1


class BadInput(BadRequest):
    """A request with a NUL byte or an over-long value: refused before any view sees it."""


class RowId(IntegerConverter):
    """A database id in a URL: 1 to 10 ASCII digits, no more than MAX_ID."""

    regex = r"[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise ValidationError()
        return number


class Msisdn(BaseConverter):
    """A phone number in a URL as its digits without "+": 8 to 15 ASCII digits."""

    regex = r"[0-9]{8,15}"


def nul_free(value: object) -> bool:
    """True when no string in `value` (nested lists and dicts included) holds a NUL byte."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return False
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


def _acceptable(pairs: Iterable[tuple[str, str]]) -> bool:
    return all("\x00" not in text and len(text) <= MAX_VALUE_LENGTH
               for pair in pairs for text in pair)


# The bodies Werkzeug parses into request.form; any other body leaves the form empty, so a page
# (most requests are GETs without a body) skips building an empty one.
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "application/x-url-encoded",
                         "multipart/form-data"})


def check_request() -> None:
    """Raise BadInput for a NUL byte or an over-long value in the path, the query or the
    form. The /api endpoints read their body themselves (it is signed), so their form is
    left unparsed."""
    if "\x00" in request.path or len(request.path) > MAX_VALUE_LENGTH:
        raise BadInput()
    if not _acceptable(request.args.items(multi=True)):
        raise BadInput()
    if (request.mimetype in _FORM_TYPES and request.blueprint != "api"
            and not _acceptable(request.form.items(multi=True))):
        raise BadInput()


def init_app(app: Flask) -> None:
    """Register the converters (before any blueprint, whose rules use them) and the check."""
    app.url_map.converters["int"] = RowId
    app.url_map.converters["msisdn"] = Msisdn
    app.before_request(check_request)
