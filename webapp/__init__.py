"""The application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import cli, htmx, i18n, inputs, links, security
from .config import DEV_SECRET_KEY, Config
from .database import configure_engine
from .extensions import babel, csrf, db, limiter, migrate
from .payments import registry
from .rules import RulesError, load_rules
from .rules.loader import RULES_DIR
from .services import codes
from .sms_gateways import make_gateway
from .views import (
    account,
    api,
    checkout,
    errors,
    kiosk,
    labels,
    mobile,
    phone,
    sandbox,
    shop,
    topup,
    trust,
    ussd,
    wallet,
    wallet_checkout,
)
from .views import (
    studio as studio_pages,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
# A page rendered by a POST switches language on the GET page it belongs to.
_LANG_TARGETS = {"checkout.pay_card": "checkout.order", "checkout.pay": "checkout.order",
                 "topup.place": "topup.form",
                 "checkout.three_ds_confirm": "checkout.three_ds",
                 "checkout.three_ds_resend": "checkout.three_ds", "account.start": "account.signin",
                 "account.finish": "account.code", "account.resend": "account.code",
                 "phone.reply": "phone.inbox", "trust.send_code": "trust.start",
                 "trust.confirm": "trust.confirm_page", "trust.resend": "trust.confirm_page",
                 "ussd.press": "ussd.dialer", "sandbox.spend": "sandbox.subscriber",
                 "sandbox.build": "sandbox.new_subscriber",
                 "shop.buy": "shop.index", "mobile.quote": "checkout.order",
                 "mobile.start": "checkout.order", "mobile.confirm": "mobile.waiting",
                 "mobile.resend": "mobile.waiting", "sandbox.refund": "checkout.order",
                 "wallet.press": "wallet.cashier", "wallet.create_wallet": "wallet.sandbox",
                 "wallet.lock_wallet": "wallet.sandbox", "wallet.fail_notify": "wallet.trade_page",
                 "wallet.settle_now": "wallet.trade_page"}


def create_app(config: type = Config, overrides: dict | None = None) -> Flask:
    """Build the app from a config class (Config, TestConfig) plus any overrides."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_relative_config=True)
    app.config.from_object(config)
    app.config.update(overrides or {})
    _refuse_development_key(app)
    _trust_proxy_headers(app)

    # A bad rule file stops the app here with the file and key in the message.
    app.extensions["topup_rules"] = loaded = load_rules(app.config.get("RULES_DIR") or RULES_DIR)
    if unknown := registry.unknown(loaded):
        raise RulesError(f"payments.toml: no such payment method: {', '.join(sorted(unknown))}")
    app.extensions["sms_gateway"] = make_gateway(app.config["SMS_GATEWAY"],
                                                 sandbox=app.config["SANDBOX"])

    # First of the request hooks, and before the blueprints whose routes use its converters.
    inputs.init_app(app)
    os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)

    i18n.init_app(app)
    htmx.init_app(app)
    links.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    labels.init_app(app)
    cli.init_app(app)

    app.register_blueprint(topup.bp)
    app.register_blueprint(checkout.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(trust.bp)
    app.register_blueprint(shop.bp)
    app.register_blueprint(mobile.bp)
    app.register_blueprint(wallet.bp)
    app.register_blueprint(wallet_checkout.bp)
    app.register_blueprint(kiosk.bp)
    if app.config["SANDBOX"]:
        app.register_blueprint(sandbox.bp)
        app.register_blueprint(phone.bp)
        app.register_blueprint(ussd.bp)
        app.register_blueprint(studio_pages.bp)

    # Code fields and their messages follow rules/codes.toml (macros see globals only).
    app.jinja_env.globals["code_digits"] = codes.digits

    @app.context_processor
    def _globals():
        lang = i18n.current_lang()
        return {"lang": lang, "html_lang": i18n.HTML_LANGS.get(lang, lang),
                "languages": app.config["LANGUAGES"],
                "lang_url": _lang_url, "sandbox": app.config["SANDBOX"],
                "payer": account.payer()}

    return app


def _refuse_development_key(app: Flask) -> None:
    """Outside sandbox mode the session and code keys must be secret: refuse to start with a
    missing, empty or the development SECRET_KEY. Raises RuntimeError."""
    if app.debug or app.testing or app.config["SANDBOX"]:
        return
    key = app.config.get("SECRET_KEY")
    if not isinstance(key, str | bytes) or not key.strip() or key == DEV_SECRET_KEY:
        raise RuntimeError("set SECRET_KEY outside sandbox mode (a long random value)")


def _trust_proxy_headers(app: Flask) -> None:
    """Read the client's address (and scheme) from X-Forwarded-* only when configured: those
    headers come from the client unless a proxy in front of us sets them, and rate limits by
    address would be bypassed by anyone writing their own."""
    x_for, x_proto = app.config["PROXY_FIX_X_FOR"], app.config["PROXY_FIX_X_PROTO"]
    if x_for or x_proto:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for,  # type: ignore[method-assign]
                                x_proto=x_proto)


# Stands for the language in the switcher's URL, built once per request for all three.
_LANG_SLOT = "LANGSLOT"


def _lang_url(lang: str) -> str:
    """This same screen in another language (its GET page, query kept)."""
    pattern = g.get("_lang_url_pattern")
    if pattern is None:
        pattern = g._lang_url_pattern = _build_lang_url(_LANG_SLOT)
    head, _, tail = pattern.rpartition(_LANG_SLOT)  # lang comes last in the query
    return head + lang + tail


def _build_lang_url(lang: str) -> str:
    args = {k: v for k, v in request.args.items() if k != "lang"}
    args["lang"] = lang
    endpoint = _LANG_TARGETS.get(request.endpoint or "", request.endpoint)
    if endpoint and request.view_args is not None:
        return links.link(endpoint, **request.view_args, **args)
    return request.path + "?lang=" + lang
