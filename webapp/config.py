"""Configuration read from the environment; TestConfig for the test suite."""

import os


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# The key of the local sandbox when SECRET_KEY is not set; create_app() refuses it outside it.
DEV_SECRET_KEY = "dev-only-not-secret"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # Relative SQLite paths live in Flask's instance folder.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///topup.db")
    SANDBOX = _flag("SANDBOX", True)
    BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "ru")
    BABEL_TRANSLATION_DIRECTORIES = os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations"
    )
    LANGUAGES = ("ru", "en", "zh")
    # The operator credits a paid top-up after this many seconds ("within a few hours" for real).
    CREDIT_DELAY_SECONDS = int(os.environ.get("CREDIT_DELAY_SECONDS", "0"))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # outbox: messages stay in the database (the virtual phone reads them); log: printed too.
    SMS_GATEWAY = os.environ.get("SMS_GATEWAY", "outbox")
    # Shared with a real SMS gateway, which signs what it posts to /api/sms/inbound.
    SMS_INBOUND_SECRET = os.environ.get("SMS_INBOUND_SECRET", "")
    USSD_GATEWAY_SECRET = os.environ.get("USSD_GATEWAY_SECRET", "")
    # Shared with the kiosks' bill acceptor drivers, which sign the note events they post.
    KIOSK_DEVICE_SECRET = os.environ.get("KIOSK_DEVICE_SECRET", "")
    RATELIMIT_HEADERS_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", False)
    # How many proxies in front of the app set X-Forwarded-For / X-Forwarded-Proto. 0 (the
    # default): the headers are ignored, the client's address is the connection's.
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    PROXY_FIX_X_PROTO = int(os.environ.get("PROXY_FIX_X_PROTO", "0"))
    # The token lives as long as the session; a stale order form is caught by the order's state.
    WTF_CSRF_TIME_LIMIT = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_ENABLED = False
    SANDBOX = True
    # Most tests post forms directly; tests/web/test_security.py turns CSRF back on to prove it.
    WTF_CSRF_ENABLED = False
    SMS_INBOUND_SECRET = "test-inbound-secret"
    USSD_GATEWAY_SECRET = "test-ussd-secret"
    KIOSK_DEVICE_SECRET = "test-kiosk-secret"
