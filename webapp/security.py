"""Security headers on every response (DESIGN.md: strict CSP, no inline script or style)."""

from __future__ import annotations

from flask import request

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


def init_app(app) -> None:
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
