"""Localized error pages; a stale form (CSRF) gets its form back, not a bare 400."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from ..inputs import BadInput
from ..refusals import Refused, http_status
from .messages import message, refusal


def init_app(app) -> None:
    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def not_allowed(_error):
        return render_template("errors/404.html"), 405

    @app.errorhandler(CSRFError)
    def stale_form(_error):
        return render_template("errors/400.html", reason=message("csrf")), 400

    @app.errorhandler(BadInput)
    def bad_input(_error):
        if request.blueprint == "api":
            return jsonify(error="NUL byte or over-long value in the request"), 400
        return render_template("errors/400.html", reason=message("bad_input")), 400

    @app.errorhandler(Refused)
    def refused(error: Refused):
        """A refusal no view turned into its form's message: its text, with the status the
        refusal tree gives it (a view that knows better answers before this)."""
        return render_template("errors/400.html", reason=refusal(error)), http_status(error)

    @app.errorhandler(429)
    def too_many(error):
        response = render_template("errors/400.html", reason=message("too_many_requests"))
        return response, 429

    @app.errorhandler(500)
    def server_error(_error):
        return render_template("errors/500.html"), 500
