"""The studio (SPEC §9): every registered screen reaches its state, on its own subjects and
session; each lists the catalog messages its render asked for, with links to the catalog; the
gettext layer records them; sandbox only."""

from __future__ import annotations

import json
import re

import flask_babel
import pytest
from sqlalchemy import func, select

from webapp import studio
from webapp.extensions import db
from webapp.i18n import recording
from webapp.models import Subscriber
from webapp.services import demo
from webapp.studio import catalog
from webapp.views.labels import ORDER_STATUSES

SCREENS = sorted(studio.load())

# What a person reads on the screen in English: each screen reaches its state, not just a page.
SHOWS = {
    "topup.wrong_number": "This is not a valid phone number.",
    "topup.no_amount": "Choose an amount",
    "topup.amount_too_small": "below the minimum",
    "order.awaiting": "Pay within",
    "order.declined_funds": "not enough money on the card",
    "order.declined_bank": "declined",
    "order.declined_expired_card": "expired",
    "order.three_ds_wrong": "Wrong code. 4 tries left.",
    "order.three_ds_expired": "This code has expired.",
    "order.credited": "Receipt",
    "order.refunded": "has been refunded",
    "order.expired": "expired",
    "codes.fresh": "We sent a code by SMS",
    "codes.wrong": "Wrong code. 4 tries left.",
    "codes.dead": "this code no longer works",
    "codes.expired": "This code has expired. Ask for a new one.",
    "codes.resend_wait": "You can ask for a new code in",
    "codes.hourly_cap": "Too many codes",
    "codes.none_sent": "No code has been sent to",
    "mobile.quote": "Total to be debited",
    "mobile.waiting": "Reply to it with the code",
    "mobile.refused_private": "Mobile payment is not available for this number now.",
    "mobile.refused_banned": "has switched mobile payments off on this number",
    "mobile.refused_corporate": "not available on corporate tariffs",
    "mobile.refused_personal_budget": "Personal budget",
    "mobile.refused_over_cap": "allows at most",
    "mobile.refused_daily_count": "payments a day has been reached",
    "mobile.refused_funds": "Not enough money",
    "trust.done": "credited",
    "trust.refused_first_months": "from the third month after connection",
    "trust.refused_spent_too_little": "once",
    "trust.refused_postpaid": "not available on postpaid tariffs",
    "trust.refused_monthly_fee_new": "On tariffs with a monthly fee",
    "trust.refused_suspended": "suspended for debt",
    "trust.refused_outstanding": "already outstanding",
    "trust.refused_other_operator": "Beeline service",
    "ussd.given": "Trust payment of",
    "ussd.auto_amount": "Auto trust payment would credit",
    "ussd.auto_connect": "Auto trust payment connected",
    "ussd.unknown": "Unknown request.",
    "ussd.refused": "from the third month after connection",
    "sms.sign_in": "we never ask for it",
    "sms.three_ds": "3-D Secure",
    "sms.mobile_payment": "reply with this code",
    "sms.mobile_refusal": "switched mobile payments off",
    "errors.not_found": "Page not found",
    "wallet.chooser_cn": "Pay with Alipay-style",
    "wallet.chooser_ru": "Pay with Alipay-style",
    "wallet.wechat_wrong_password": "4 tries left",
    "wallet.wechat_locked": "this wallet is locked",
    "wallet.wechat_insufficient": "Not enough money in the wallet",
    "wallet.alipay_paid": "Payment successful",
    "wallet.alipay_expired": "This payment code has expired.",
    "wallet.wechat_expired": "This payment code has expired.",
    "wallet.alipay_closed": "This payment was closed by the shop.",
    "wallet.wechat_closed": "This payment was closed by the shop.",
    "kiosk.ru_attract": "Touch your language to start.",
    "kiosk.ru_operator": "Choose the operator",
    "kiosk.ru_number": "Check it and press Next.",
    "kiosk.ru_amount": "Cash: whatever you insert",
    "kiosk.ru_method": "Cash insert at least ₽110, no change is given",
    "kiosk.ru_cash": "Inserted ₽300 Commission ₽10 To the number ₽290",
    "kiosk.ru_cash_refused": "This note would take the payment over ₽15,000.",
    "kiosk.ru_card": "Card reader (sandbox): tap a test card",
    "kiosk.ru_card_declined": "Declined: not enough money on the card.",
    "kiosk.ru_idle": "Are you still there?",
    "kiosk.ru_result": "₽290 is on +7",
    "kiosk.ru_receipt": "Commission ₽10 Credited ₽290",
    "kiosk.cn_cash": "Inserted ¥30 Commission ¥0 To the number ¥30",
    "kiosk.cn_cash_refused": "This note would take the payment over ¥5,000.",
    "kiosk.cn_idle": "Are you still there?",
    "kiosk.cn_receipt": "Beijing time",
    "wallet.cashier_wechat": "WeChat Pay-style wallet",
    "wallet.wrong_password": "4 tries left",
    "wallet.locked": "this wallet is locked",
    "wallet.insufficient": "Not enough money in the wallet",
    "wallet.no_wallet": "has no Alipay-style wallet",
    "wallet.checking": "Checking the payment with Alipay-style",
    "wallet.receipt": "Alipay-style wallet",
    "wallet.qr": "Scan with the WeChat Pay-style app",
    "wallet.qr_expired": "This code has expired.",
    "wallet.paid": "Payment successful",
    "wallet.trade": "answered success",
}


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'")


@pytest.mark.parametrize("name", SCREENS)
def test_every_screen_reaches_its_state(app, name):
    shown = studio.run(name, "en")
    assert shown.status in (200, 402, 404, 409, 422, 429), shown.status
    assert shown.messages, "a screen renders catalog messages"
    if name in SHOWS:
        assert SHOWS[name] in _text(shown.html)


def test_every_state_the_issue_names_has_a_screen():
    wanted = {"order.credited", "order.refunded", "order.expired", "order.declined_funds",
              "order.declined_bank", "order.three_ds", "codes.fresh", "codes.wrong",
              "codes.expired", "codes.resend_wait", "codes.hourly_cap", "codes.none_sent",
              "trust.done", "ussd.given", "sms.sign_in", "sms.three_ds", "sms.trust_code",
              "sms.mobile_payment", "sms.mobile_refusal", "mobile.paid"}
    # Each kiosk step at a terminal of each market (SPEC §7, §9).
    wanted |= {f"kiosk.{market}_{step}" for market in ("ru", "cn") for step in (
        "attract", "operator", "number", "amount", "method", "cash", "cash_refused", "card",
        "card_declined", "idle", "result", "receipt")}
    # Each wallet cashier state of each brand, the chooser of each market, the QR pages.
    wanted |= {"wallet.chooser_cn", "wallet.chooser_ru", "wallet.cashier_alipay",
               "wallet.cashier_wechat", "wallet.wrong_password", "wallet.wechat_wrong_password",
               "wallet.locked", "wallet.wechat_locked", "wallet.insufficient",
               "wallet.wechat_insufficient", "wallet.paid", "wallet.alipay_paid",
               "wallet.alipay_expired", "wallet.wechat_expired", "wallet.alipay_closed",
               "wallet.wechat_closed", "wallet.checking", "wallet.qr", "wallet.qr_expired",
               "wallet.trade"}
    assert wanted <= set(SCREENS)
    assert len(SCREENS) >= 70


def test_a_screen_is_played_in_its_language(app):
    assert "Неверный код" in studio.run("codes.wrong", "ru").html
    assert "验证码错误" in studio.run("codes.wrong", "zh").html
    assert "[Ẇřǿƞɠ ƈǿḓḗ" in studio.run("codes.wrong", "qps").html


def test_the_sms_of_a_screen_is_in_its_language(app):
    assert "Код для входа" in studio.run("sms.sign_in", "ru").html or \
        "код" in _text(studio.run("sms.sign_in", "ru").html).lower()
    assert "验证码" in studio.run("sms.sign_in", "zh").html


def test_screens_leave_the_demo_list_and_the_viewers_session_alone(app, client):
    with app.app_context():
        demo.seed()
        before = len(demo.subscribers_overview())
    page = client.get("/studio/screens/account.orders_and_cards?lang=en")
    assert page.status_code == 200
    with app.app_context():
        assert len(demo.subscribers_overview()) == before
        made = db.session.scalar(select(func.count()).select_from(Subscriber)
                                 .where(Subscriber.demo_note == "studio"))
        assert made >= 1  # its subjects exist, kept off the tester's list
    # The viewer is not signed in as the screen's payer and sees none of its orders.
    assert client.get("/account").status_code == 303
    assert "Made by the studio" not in client.get("/sandbox/?lang=en").get_data(as_text=True)


def test_a_screen_page_lists_its_messages_with_links_to_the_catalog(client):
    page = client.get("/studio/screens/codes.wrong?lang=en&a=ru&b=zh")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    key = catalog.key_of(None, "Wrong code. %(num)d try left.")
    assert f'href="/studio/catalog/{key}"' in html
    assert 'src="/studio/screens/codes.wrong/frame?lang=ru"' in html
    assert 'src="/studio/screens/codes.wrong/frame?lang=zh"' in html
    assert "Неверный код" in html and "验证码错误" in html  # both languages' texts
    entry = client.get(f"/studio/catalog/{key}?lang=en").get_data(as_text=True)
    assert "templates/" in entry or "webapp/" in entry  # where it is used
    assert "Неверный код" in entry and "验证码错误" in entry


def test_a_frame_is_the_screen_with_scripts_off_and_its_messages_in_a_header(client):
    frame = client.get("/studio/screens/codes.expired/frame?lang=en")
    assert frame.status_code == 200
    assert "script-src 'none'" in frame.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in frame.headers["Content-Security-Policy"]
    assert frame.headers["X-Frame-Options"] == "SAMEORIGIN"
    heard = [tuple(m) for m in json.loads(frame.headers["X-Studio-Messages"])]
    assert (None, "This code has expired. Ask for a new one.") in heard
    # Every other page may still not be framed.
    assert client.get("/studio/").headers["X-Frame-Options"] == "DENY"


def test_the_catalog_finds_messages_and_their_context(client):
    page = client.get("/studio/catalog?lang=en&q=saved card").get_data(as_text=True)
    assert "context: saved card" in page
    assert client.get("/studio/catalog/000000000000").status_code == 404


@pytest.mark.parametrize("path", ["/studio/screens/nope", "/studio/screens/nope/frame?lang=en",
                                  "/studio/screens/codes.wrong/frame?lang=de",
                                  "/studio/screens/codes.wrong?a=xx"])
def test_unknown_screens_and_languages_are_404(client, path):
    assert client.get(path).status_code == 404


def test_the_studio_exists_only_in_sandbox_mode(client_with):
    other = client_with(SANDBOX=False)
    for path in ("/studio/", "/studio/catalog", "/studio/screens/codes.wrong/frame?lang=en"):
        assert other.get(path).status_code == 404


def test_recording_hears_templates_views_lazy_strings_and_contexts(app, client):
    with recording() as heard:
        client.get("/sandbox/?lang=ru")
        with app.test_request_context("/?lang=ru"):
            str(demo.NOTES["studio"])
            str(ORDER_STATUSES["paid"])
            flask_babel.gettext("Unknown request.")
    assert (None, "Sandbox") in heard  # a template's
    assert (None, "Made by the studio for one of its screens") in heard  # a lazy string's
    assert ("order status", "paid") in heard  # pgettext's
    assert (None, "Unknown request.") in heard  # Python's gettext
    with recording() as quiet:
        pass
    client.get("/trust?lang=ru")
    assert not quiet  # nothing is heard outside the block


def test_a_scenario_name_is_area_dot_state_and_unique():
    with pytest.raises(ValueError):
        studio.scenario("NoArea", "x")(lambda stage: None)
    with pytest.raises(ValueError):
        studio.scenario("codes.wrong", "x")(lambda stage: None)


# --- the kiosk: the studio's own terminals, one screen at a time, kiosk-sized ----------------

def _kiosk_session(terminal: str):
    from webapp.models import KioskSession

    return db.session.scalar(select(KioskSession).where(KioskSession.terminal == terminal,
                                                        KioskSession.ended_at.is_(None)))


def test_kiosk_screens_play_on_the_studios_terminals_and_leave_a_real_kiosk_alone(app, client):
    client.post("/kiosk/770101/start", data={"lang": "ru"})
    client.post("/kiosk/770101/touch", data={"action": "operator", "step": "operator",
                                             "value": "beeline"})
    with app.app_context():
        before = _kiosk_session("770101")
        kept = (before.id, before.step, before.revision, before.locale)
    shown = studio.run("kiosk.ru_cash", "en")
    assert "Terminal 779901" in _text(shown.html)
    with app.app_context():
        after = _kiosk_session("770101")
        assert (after.id, after.step, after.revision, after.locale) == kept
        assert _kiosk_session("779901").inserted == 30000
    # The studio's terminals are listed nowhere; the kiosks a tester uses are.
    for page in ("/kiosk/?lang=en", "/sandbox/?lang=en"):
        html = client.get(page).get_data(as_text=True)
        assert "770101" in html and "860101" in html
        assert "779901" not in html and "869901" not in html


def test_each_kiosk_screen_starts_afresh_and_the_cash_in_is_paid_in(app):
    from webapp.models import KioskSession, Order

    studio.run("kiosk.ru_cash", "en")
    with app.app_context():
        first = _kiosk_session("779901").id
    studio.run("kiosk.ru_operator", "en")
    with app.app_context():
        ended = db.session.get(KioskSession, first)
        assert ended.ended_at is not None and ended.step == "done"
        order = db.session.get(Order, ended.order_id)  # never lost: 300 ₽ in, 290 ₽ credited
        assert (order.price, order.amount) == (30000, 29000)
        assert _kiosk_session("779901").step == "operator"


def test_kiosk_screens_in_each_language(app):
    from webapp import pseudo

    assert "Внесено 300 ₽ Комиссия 10 ₽ На номер 290 ₽" in _text(
        studio.run("kiosk.ru_cash", "ru").html)
    assert "请放入纸币" in studio.run("kiosk.cn_cash", "zh").html
    assert pseudo.pseudo("Insert notes") in studio.run("kiosk.cn_cash", "qps").html


def test_the_studios_terminals_exist_only_in_sandbox_mode(client_with):
    other = client_with(SANDBOX=False)
    assert other.get("/kiosk/779901").status_code == 404
    assert other.get("/kiosk/770101").status_code == 200


def test_kiosk_screens_are_framed_at_kiosk_size_and_the_qr_page_at_desktop_size(client):
    page = client.get("/studio/screens/kiosk.cn_receipt?lang=en&a=zh&b=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'class="frame frame-kiosk"' in html
    assert 'width="1080" height="1920"' in html
    html = client.get("/studio/screens/wallet.qr?lang=en").get_data(as_text=True)
    assert 'class="frame frame-desktop"' in html and 'width="1280" height="800"' in html
    html = client.get("/studio/screens/codes.wrong?lang=en").get_data(as_text=True)
    assert 'class="frame frame-phone"' in html and 'width="390" height="844"' in html


def test_shots_take_each_screen_at_its_own_size_when_asked_for():
    from webapp.studio.shots import sizes_of

    registry = studio.load()
    names = ["codes.wrong", "kiosk.ru_cash", "wallet.qr"]
    assert registry["kiosk.ru_cash"].size == "kiosk" and registry["wallet.qr"].size == "desktop"
    assert sizes_of(registry, names, ("phone", "kiosk", "desktop")) == {
        "phone": ["codes.wrong"], "kiosk": ["kiosk.ru_cash"], "desktop": ["wallet.qr"]}
    # A size not asked for: the screen is shot at each size that is.
    assert sizes_of(registry, names, ("phone",)) == {"phone": names}
    assert sizes_of(registry, names, ("phone", "kiosk")) == {
        "phone": ["codes.wrong", "wallet.qr"], "kiosk": ["kiosk.ru_cash"]}
    with pytest.raises(ValueError):
        studio.scenario("kiosk.giant", "x", size="wall")(lambda stage: None)


def test_two_kiosk_screens_at_once_take_turns_on_the_studios_terminal(app):
    """A gallery page and its two frames play a kiosk screen at once: each waits for the
    terminal, and each reaches its own state."""
    import threading

    shown, failed = {}, []

    def play(name):
        try:
            with app.app_context():
                shown[name] = _text(studio.run(name, "en").html)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            failed.append(repr(exc))

    names = ("kiosk.ru_cash", "kiosk.ru_card_declined", "kiosk.ru_idle")
    threads = [threading.Thread(target=play, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failed, failed
    assert "Inserted ₽300 Commission ₽10 To the number ₽290" in shown["kiosk.ru_cash"]
    assert "Declined: not enough money on the card." in shown["kiosk.ru_card_declined"]
    assert "Are you still there?" in shown["kiosk.ru_idle"]
