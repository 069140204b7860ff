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
_CASHIER = re.compile(r'href="https?://[^/"]+(/wallet/pay/[^"]+)"')


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


def _chooser(stage, market: str):
    number = order_number(topup_order(stage, market))
    return stage.get(f"/orders/{number}?method=wallet")


@scenario("wallet.chooser_cn", _l("Checkout in China: the wallet first, then the card"))
def chooser_cn(stage):
    return _chooser(stage, "CN")


@scenario("wallet.chooser_ru", _l("Checkout in Russia: the card first, then the wallet"))
def chooser_ru(stage):
    return _chooser(stage, "RU")


@scenario("wallet.cashier_alipay", _l("Wallet cashier: Alipay-style, the password pad"))
def cashier_alipay(stage):
    return _cashier(stage, "alipay")[1]


@scenario("wallet.cashier_wechat", _l("Wallet cashier: WeChat Pay-style, the password pad"))
def cashier_wechat(stage):
    return _cashier(stage, "wechat")[1]


@scenario("wallet.wrong_password", _l("Wallet cashier: a wrong password, tries left"))
def wrong_password(stage, brand: str = "alipay"):
    phone, cashier = _cashier(stage, brand)
    return _password(stage, cashier, phone, "222222", expect=422)


@scenario("wallet.locked", _l("Wallet cashier: locked after 5 wrong passwords"))
def locked(stage, brand: str = "alipay"):
    phone, cashier = _cashier(stage, brand)
    for _ in range(4):
        _password(stage, cashier, phone, "222222", expect=422)
    return _password(stage, cashier, phone, "222222", expect=409)


@scenario("wallet.insufficient", _l("Wallet cashier: not enough money in the wallet"))
def insufficient(stage, brand: str = "alipay"):
    phone, cashier = _cashier(stage, brand, balance="1")
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


@scenario("wallet.qr", _l("Checkout on a desktop: the wallet's QR code"), size="desktop")
def qr(stage):
    return _pay_with(stage, "wechat", "qr")


@scenario("wallet.qr_expired", _l("Checkout on a desktop: the QR code expired, make a new one"),
          size="desktop")
def qr_expired(stage):
    page = _pay_with(stage, "alipay", "qr")
    _trade_past_its_time(stage, order_number(page))
    return stage.get(page.path)


def _trade_past_its_time(stage, number: str) -> None:
    """The order's wallet trade past its time (this one trade: the order is still payable and
    the shared clock stays where it is); the next page that shows it closes it."""
    with stage.app.app_context():
        trade = db.session.scalars(select(WalletTrade).where(
            WalletTrade.order_number == number).order_by(WalletTrade.id.desc())).first()
        if trade is None:
            raise StageError(f"no wallet trade for {number}")
        trade.expires_at = clock.now() - timedelta(seconds=1)
        db.session.commit()


def _scanned(stage, brand: str):
    """A QR payment's page and the cashier its code opens: (the QR page, the cashier's path)."""
    page = _pay_with(stage, brand, "qr")
    cashier = _CASHIER.search(page.response.get_data(as_text=True))
    if cashier is None:
        raise StageError("the QR page links no cashier")
    return page, cashier.group(1)


@scenario("wallet.paid", _l("Wallet: paid by scanning the QR code"))
def paid(stage, brand: str = "wechat"):
    phone = _wallet(stage, stage.market_of_lang(), brand)
    _page, cashier = _scanned(stage, brand)
    return _password(stage, stage.get(cashier), phone, PASSWORD)


def cashier_expired(stage, brand: str):
    """The cashier opened (a QR scanned) after the trade's time ran out."""
    page, cashier = _scanned(stage, brand)
    _trade_past_its_time(stage, order_number(page))
    return stage.get(cashier)


def cashier_closed(stage, brand: str):
    """The cashier opened after the payer chose another way on the shop's page (the shop
    closed the trade)."""
    page, cashier = _scanned(stage, brand)
    stage.post(f"{page.path}/cancel")
    return stage.get(cashier)


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


# The other brand's states (the ones above are Alipay-style's, the QR payment WeChat Pay-style's).
def _as(play, brand: str):
    return lambda stage: play(stage, brand)


for _name, _play, _brand, _title in (
    ("wechat_wrong_password", wrong_password, "wechat",
     _l("Wallet cashier, WeChat Pay-style: a wrong password, tries left")),
    ("wechat_locked", locked, "wechat",
     _l("Wallet cashier, WeChat Pay-style: locked after 5 wrong passwords")),
    ("wechat_insufficient", insufficient, "wechat",
     _l("Wallet cashier, WeChat Pay-style: not enough money")),
    ("alipay_paid", paid, "alipay",
     _l("Wallet cashier, Alipay-style: paid by scanning the QR code")),
    ("alipay_expired", cashier_expired, "alipay",
     _l("Wallet cashier, Alipay-style: the payment's time ran out")),
    ("wechat_expired", cashier_expired, "wechat",
     _l("Wallet cashier, WeChat Pay-style: the payment's time ran out")),
    ("alipay_closed", cashier_closed, "alipay",
     _l("Wallet cashier, Alipay-style: closed by the shop")),
    ("wechat_closed", cashier_closed, "wechat",
     _l("Wallet cashier, WeChat Pay-style: closed by the shop")),
):
    scenario(f"wallet.{_name}", _title)(_as(_play, _brand))
