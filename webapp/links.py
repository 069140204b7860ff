"""The templates' url_for, remembered: a page builds a dozen links whose URL never changes
(the stylesheet, the header's sections, the sandbox bar), and Werkzeug builds each one again on
every request. Building a URL with plain arguments is a pure function of the app's URL map,
the endpoint, its values and where the app is mounted, so each app keeps what it built.

Only calls made of strings and integers are kept (an `_external`, `_anchor`, `_method` or
`_scheme` URL, or a value of another type, is built each time), and the store is bounded:
order numbers are values too, so it must not grow with them.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, url_for

_KEPT = 4096
_CACHEABLE = (str, int)


def link(endpoint: str, **values) -> str:
    """url_for(endpoint, **values), remembered when its arguments allow (see the module)."""
    if not has_request_context() or not all(
            type(value) in _CACHEABLE and not key.startswith("_")
            for key, value in values.items()):
        return url_for(endpoint, **values)
    built = current_app.extensions["links"]
    key = (request.script_root, endpoint, *sorted(values.items()))
    url = built.get(key)
    if url is None:
        url = url_for(endpoint, **values)
        if len(built) >= _KEPT:
            built.clear()
        built[key] = url
    return url


def init_app(app: Flask) -> None:
    """Templates' url_for becomes link (same signature, same URLs)."""
    app.extensions["links"] = {}
    app.jinja_env.globals["url_for"] = link
