"""Security headers on every response (DESIGN.md: strict CSP, no inline script or style)."""

from __future__ import annotations

from flask import current_app, g, request, session
from flask_wtf.csrf import generate_csrf

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])


# Flask-WTF keeps a random token in the session and signs it (JSON, a timestamp, an HMAC) again
# on every page. With no time limit on tokens (config.WTF_CSRF_TIME_LIMIT) a signature made once
# stays valid for the session's life, so each app remembers it per session token (bounded).
_CSRF_FIELD = "csrf_token"
_SIGNED_KEPT = 4096


def csrf_token() -> str:
    """The templates' csrf_token(): Flask-WTF's generate_csrf, its signature remembered."""
    signed = current_app.extensions["csrf_signed"]
    raw = session.get(_CSRF_FIELD)
    if _CSRF_FIELD not in g and isinstance(raw, str) and raw in signed:
        setattr(g, _CSRF_FIELD, signed[raw])  # where generate_csrf looks first
    token = generate_csrf()
    raw = session.get(_CSRF_FIELD)
    if isinstance(raw, str) and raw not in signed:
        if len(signed) >= _SIGNED_KEPT:
            signed.clear()
        signed[raw] = token
    return token


def init_app(app) -> None:
    if app.config.get("WTF_CSRF_TIME_LIMIT") is None:  # else every page signs it anew
        app.extensions["csrf_signed"] = {}
        app.jinja_env.globals["csrf_token"] = csrf_token
        # Flask-WTF also puts its own in every template context; this one, added after it,
        # takes its place there.
        app.context_processor(lambda: {"csrf_token": csrf_token})

    @app.after_request
    def _headers(response):
        headers = response.headers
        # Pages show phone numbers, orders, payments and codes, and the header says who is
        # signed in: no page may be kept by a browser or a proxy (after sign-out, on a shared
        # device). Only static files may be cached.
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
