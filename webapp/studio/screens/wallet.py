"""The Alipay-style and WeChat Pay-style wallet (SPEC §3.3): the chooser's wallet buttons, the
wallet's cashier in each state (its pad, a wrong password, a locked wallet, not enough money,
no wallet), its paid page, the shop's QR code (valid, expired) and "checking…" page, the
receipt, and the wallet's sandbox pages. Each wallet is the stage's own, made by the sandbox
form for a number of the stage's own."""

from __future__ import annotations

import re
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...clock import clock
from ...extensions import db
from ...models import WalletTrade
from .. import scenario
from ..stage import StageError
from ._flows import OPERATORS, order_number, topup_order

PASSWORD = "111111"
_CURRENCY = {"RU": "RUB", "CN": "CNY"}
_RETURN = re.compile(r'href="(/orders/[^"]+/wallet/back/[^"]+)"')


def _wallet(stage, market: str, brand: str = "alipay", balance: str = "5000") -> str:
    """A wallet of a new number of the market, made with the sandbox form: its number."""
    phone = stage.subscriber(OPERATORS[market])
    stage.post("/wallet/sandbox/wallets", phone=phone, brand=brand,
               currency=_CURRENCY[market], balance=balance, password=PASSWORD)
    return phone


def _pay_with(stage, brand: str = "alipay", display: str = "h5", phone: str | None = None):
    """A top-up of the stage's market paid with the wallet: the cashier (a phone) or the QR
    page (a desktop)."""
    market = stage.market_of_lang()
    number = order_number(topup_order(stage, market, phone=phone))
    return stage.post(f"/orders/{number}/pay/wallet", brand=brand, display=display,
                      attempt_key=f"studio-{stage.address}-{number}-wallet")


def _cashier(stage, brand: str = "alipay", balance: str = "5000", own: bool = True):
    market = stage.market_of_lang()
    phone = _wallet(stage, market, brand, balance) if own else stage.subscriber(
        OPERATORS[market])
    return phone, _pay_with(stage, brand, phone=phone)


def _password(stage, cashier, phone: str, typed: str, expect=200):
    return stage.post(cashier.path, expect=expect, phone=phone, pin=typed, action="pay")


@scenario("wallet.chooser", _l("Checkout: pay with the Alipay-style or WeChat Pay-style wallet"))
def chooser(stage):
    number = order_number(topup_order(stage, stage.market_of_lang()))
    return stage.get(f"/orders/{number}?method=wallet")


@scenario("wallet.cashier_alipay", _l("Wallet cashier: Alipay-style, the password pad"))
def cashier_alipay(stage):
    return _cashier(stage, "alipay")[1]


@scenario("wallet.cashier_wechat", _l("Wallet cashier: WeChat Pay-style, the password pad"))
def cashier_wechat(stage):
    return _cashier(stage, "wechat")[1]


@scenario("wallet.wrong_password", _l("Wallet cashier: a wrong password, tries left"))
def wrong_password(stage):
    phone, cashier = _cashier(stage)
    return _password(stage, cashier, phone, "222222", expect=422)


@scenario("wallet.locked", _l("Wallet cashier: locked after 5 wrong passwords"))
def locked(stage):
    phone, cashier = _cashier(stage)
    for _ in range(4):
        _password(stage, cashier, phone, "222222", expect=422)
    return _password(stage, cashier, phone, "222222", expect=409)


@scenario("wallet.insufficient", _l("Wallet cashier: not enough money in the wallet"))
def insufficient(stage):
    phone, cashier = _cashier(stage, balance="1")
    return _password(stage, cashier, phone, PASSWORD, expect=402)


@scenario("wallet.no_wallet", _l("Wallet cashier: the number has no such wallet"))
def no_wallet(stage):
    phone, cashier = _cashier(stage, own=False)
    return _password(stage, cashier, phone, PASSWORD, expect=422)


@scenario("wallet.checking", _l("Checkout: back from the wallet, checking the payment"))
def checking(stage):
    _phone, cashier = _cashier(stage)
    found = _RETURN.search(cashier.response.get_data(as_text=True))
    if found is None:
        raise StageError("the cashier has no way back to the shop")
    return stage.get(found.group(1))


@scenario("wallet.receipt", _l("Checkout: paid with a wallet, the receipt"))
def receipt(stage):
    phone, cashier = _cashier(stage)
    return _password(stage, cashier, phone, PASSWORD)


@scenario("wallet.qr", _l("Checkout on a desktop: the wallet's QR code"))
def qr(stage):
    return _pay_with(stage, "wechat", "qr")


@scenario("wallet.qr_expired", _l("Checkout on a desktop: the QR code expired, make a new one"))
def qr_expired(stage):
    page = _pay_with(stage, "alipay", "qr")
    with stage.app.app_context():  # this one trade's time up, the order still payable
        trade = db.session.scalars(select(WalletTrade).order_by(WalletTrade.id.desc())).first()
        trade.expires_at = clock.now() - timedelta(seconds=1)
        db.session.commit()
    return stage.get(page.path)


@scenario("wallet.paid", _l("Wallet: paid by scanning the QR code"))
def paid(stage):
    market = stage.market_of_lang()
    phone = _wallet(stage, market, "wechat")
    page = _pay_with(stage, "wechat", "qr")
    cashier = re.search(r'href="https?://[^/"]+(/wallet/pay/[^"]+)"',
                        page.response.get_data(as_text=True))
    if cashier is None:
        raise StageError("the QR page links no cashier")
    stage.get(cashier.group(1))
    return _password(stage, stage.last, phone, PASSWORD)


@scenario("wallet.sandbox", _l("Wallet sandbox: wallets, the new wallet form, payments"))
def sandbox(stage):
    return stage.get("/wallet/sandbox/")


@scenario("wallet.trade", _l("Wallet sandbox: a payment's notifications and retries"))
def trade(stage):
    phone, cashier = _cashier(stage)
    _password(stage, cashier, phone, PASSWORD)
    with stage.app.app_context():
        trade_no = db.session.scalars(select(WalletTrade.trade_no)
                                      .order_by(WalletTrade.id.desc())).first()
    return stage.get(f"/wallet/sandbox/trades/{trade_no}")
