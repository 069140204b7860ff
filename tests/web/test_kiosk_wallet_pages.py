"""The wallet QR on a kiosk (SPEC §3.3, §7) through the Flask client: its tiles in each market's
order, the QR of the wallet's cashier for the session's order, a trade paid on a phone that
moves the kiosk to its result by itself, "pay another way" that closes the trade first, an
expired code and a new one, and the receipt that names the wallet and its (masked) payer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.clock import clock
from webapp.domain import orders as states
from webapp.domain import wallet as w
from webapp.extensions import db
from webapp.models import KioskSession, Order, PaymentAttempt, WalletTrade
from webapp.services import wallet_trades, wallets

from .test_kiosk_pages import CN, RU, screen, touch


@pytest.fixture(autouse=True)
def demo_wallets(app):
    wallets.seed_demo()


def to_method(client, lang="zh", terminal=CN, operator="china_mobile", digits="13812345678",
              amount="10000"):
    client.post(f"/kiosk/{terminal}/start", data={"lang": lang})
    touch(client, "operator", "operator", operator, terminal)
    for digit in digits:
        touch(client, "key", "number", digit, terminal)
    touch(client, "next", "number", terminal=terminal)
    touch(client, "amount", "amount", amount, terminal)


def tiles(client, terminal) -> list[str]:
    page = client.get(f"/kiosk/{terminal}").get_data(as_text=True)
    return re.findall(r'name="action" value="method">\s*<input type="hidden" name="value" '
                      r'value="([^"]+)"', page)


def session_now(terminal=CN) -> KioskSession:
    db.session.expire_all()
    return db.session.scalar(select(KioskSession).where(KioskSession.terminal == terminal)
                             .order_by(KioskSession.id.desc()))


def trades() -> list[WalletTrade]:
    db.session.expire_all()
    return list(db.session.scalars(select(WalletTrade).order_by(WalletTrade.id)))


def to_qr(client, brand="alipay", **kwargs) -> WalletTrade:
    to_method(client, **kwargs)
    touch(client, "method", "method", f"wallet:{brand}", kwargs.get("terminal", CN))
    return trades()[-1]


def test_china_offers_the_wallet_first_russia_after_cash_and_card(client):
    to_method(client)
    assert tiles(client, CN) == ["wallet:alipay", "wallet:wechat", "cash", "card"]
    text = screen(client, CN)
    assert "仿支付宝付款" in text and "仿微信支付付款" in text and "用手机扫描二维码付款" in text
    to_method(client, lang="ru", terminal=RU, operator="beeline", digits="9031234567")
    assert tiles(client, RU) == ["cash", "card", "wallet:alipay", "wallet:wechat"]
    assert "Оплатить кошельком в стиле WeChat Pay" in screen(client, RU)


def test_a_cn_wallet_qr_top_up_paid_on_a_phone(client):
    trade = to_qr(client)
    session = session_now()
    assert session.step == "wallet" and trade.brand == "alipay"
    assert trade.amount == 10000 and trade.currency == "CNY"
    assert trade.out_trade_no.startswith(session.order.number)
    page = client.get(f"/kiosk/{CN}").get_data(as_text=True)
    assert "<svg" in page and "qr-svg" in page
    assert f"/wallet/pay/{trade.token}" in page  # the QR's URL: the wallet's cashier
    text = screen(client, CN)
    assert "仿支付宝付款" in text and "请使用仿支付宝扫一扫付款" in text
    assert "改用其他支付方式" in text  # "pay another way"
    assert "付款码1小时内有效。" in text  # the order's hour, sooner than the wallet's 2 h
    key = re.search(r"seen=([^\"&]+)", page).group(1)
    assert client.get(f"/kiosk/{CN}/screen", query_string={"seen": key}).status_code == 204

    # The customer scans the code and pays on the phone; the kiosk asks the wallet by itself.
    wallet_trades.pay(trade.token, "138 1234 5678", "111111")
    answer = client.get(f"/kiosk/{CN}/screen", query_string={"seen": key},
                        headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "step-result" in answer.get_data(as_text=True)
    assert session_now().step == "result"
    order = db.session.get(Order, session_now().order_id)
    assert order.status in (states.PAID, states.CREDITING, states.CREDITED)
    touch(client, "receipt", "result", terminal=CN)
    text = screen(client, CN)
    for expected in ("终端", CN, order.number, "+86 138 1234 5678", "中国移动", "¥100",
                     "仿支付宝钱包 +86 138 **** 5678", "10086"):
        assert expected in text, expected
    assert "12345678" not in text.replace("138 1234 5678", "")  # the payer only masked


def test_a_double_press_makes_one_trade(client):
    to_method(client)
    touch(client, "method", "method", "wallet:wechat", CN)
    touch(client, "method", "method", "wallet:wechat", CN)  # the stale screen's second press
    assert len(trades()) == 1 and trades()[0].brand == "wechat"
    assert db.session.scalar(select(func.count()).select_from(PaymentAttempt)) == 1


def test_pay_another_way_closes_the_trade_first(client):
    trade = to_qr(client)
    touch(client, "back", "wallet", terminal=CN)
    assert session_now().step == "method"
    assert trades()[-1].status == w.TRADE_CLOSED
    attempt = db.session.scalar(select(PaymentAttempt))
    assert attempt.status == states.CANCELED
    # The old code can no longer be paid.
    with pytest.raises(wallet_trades.TradeRefused):
        wallet_trades.pay(trade.token, "138 1234 5678", "111111")
    # Cash now: the same order is not paid twice; the kiosk goes on as for any method.
    touch(client, "method", "method", "cash", CN)
    assert session_now().step == "cash"


def test_paid_just_before_pay_another_way_goes_to_the_result(client):
    trade = to_qr(client)
    wallet_trades.pay(trade.token, "138 1234 5678", "111111")
    db.session.commit()
    touch(client, "back", "wallet", terminal=CN)  # the trade turns out paid: it stands
    session = session_now()
    assert session.step == "result"
    assert session.order.status in (states.PAID, states.CREDITING, states.CREDITED)
    assert trades()[-1].status == w.TRADE_SUCCESS


def test_an_expired_code_and_a_new_one(client):
    first = to_qr(client)
    first_order = session_now().order_id
    page = client.get(f"/kiosk/{CN}").get_data(as_text=True)
    key = re.search(r"seen=([^\"&]+)", page).group(1)
    clock.advance(timedelta(hours=1))  # the order's hour, and its code, are over
    session = session_now()
    session.last_touch_at = clock.now()  # the customer kept saying "still here"
    db.session.commit()
    answer = client.get(f"/kiosk/{CN}/screen", query_string={"seen": key})
    assert answer.status_code == 200  # the poll redraws by itself: the code expired
    text = screen(client, CN)
    assert "付款码已过期。" in text and "重新生成付款码" in text
    assert "<svg" not in client.get(f"/kiosk/{CN}").get_data(as_text=True)
    assert trades()[-1].status == w.TRADE_CLOSED
    with pytest.raises(wallet_trades.TradeRefused):
        wallet_trades.pay(first.token, "138 1234 5678", "111111")

    touch(client, "new_code", "wallet", terminal=CN)
    session = session_now()
    assert session.step == "wallet" and session.order_id != first_order  # a new order
    second = trades()[-1]
    assert second.id != first.id and second.brand == "alipay"
    assert second.status == w.WAIT_BUYER_PAY
    assert f"/wallet/pay/{second.token}" in client.get(f"/kiosk/{CN}").get_data(as_text=True)
    # A live code is not replaced by a stray press.
    touch(client, "new_code", "wallet", terminal=CN)
    assert trades()[-1].id == second.id
    wallet_trades.pay(second.token, "138 1234 5678", "111111")
    assert "step-result" in client.get(f"/kiosk/{CN}").get_data(as_text=True)


def test_the_wallet_step_without_javascript_is_a_plain_page(client):
    to_qr(client, lang="en")
    page = client.get(f"/kiosk/{CN}").get_data(as_text=True)
    assert "Scan with the Alipay-style app to pay" in page
    # It reloads itself every 5 s to ask the wallet (the idle reset alone would take 60 s).
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert 'hx-boost="false"' in page  # the sandbox's phone link leaves the kiosk page alone
