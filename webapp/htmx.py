"""htmx helpers: full page or fragment, and the Vary header caches need."""

from __future__ import annotations

from flask import render_template, request
from jinja2_fragments.flask import render_block

from .domain.polling import poll_seconds


def is_htmx() -> bool:
    """A partial swap request (not a history restore, which needs the whole page)."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def render(template: str, block: str | None = None, **context) -> str:
    """The named block of `template` for an htmx request, else the whole page."""
    if block and is_htmx():
        return render_block(template, block, **context)
    return render_template(template, **context)


def init_app(app) -> None:
    # Every polled block asks the one policy when and how often (domain/polling.py).
    app.jinja_env.globals["poll_seconds"] = poll_seconds

    @app.after_request
    def _vary(response):
        response.vary.add("HX-Request")
        return response
