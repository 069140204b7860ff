"""Kiosk pages through the Flask client: every step in each language, touches that post and
redirect, the poll that answers 204 while nothing changed, the signed device endpoint."""

import hashlib
import hmac
import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.clock import clock
from webapp.extensions import db
from webapp.models import KioskNote, KioskSession, Order

from ..conftest import FIXED_NOW

RU, CN = "770101", "860101"
SECRET = "test-kiosk-secret"


def screen(client, terminal=RU, **args) -> str:
    page = client.get(f"/kiosk/{terminal}", query_string=args)
    assert page.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", page.data.decode()).split())


def touch(client, action, step, value="", terminal=RU):
    answer = client.post(f"/kiosk/{terminal}/touch",
                         data={"action": action, "step": step, "value": value})
    assert answer.status_code == 303 and answer.headers["Location"] == f"/kiosk/{terminal}"
    return answer


def to_cash(client, lang="ru", terminal=RU, operator="beeline", digits="9031234567"):
    client.post(f"/kiosk/{terminal}/start", data={"lang": lang})
    touch(client, "operator", "operator", operator, terminal)
    for digit in digits:
        touch(client, "key", "number", digit, terminal)
    touch(client, "next", "number", terminal=terminal)
    touch(client, "cash_any", "amount", terminal=terminal)


def note(client, value, terminal=RU):
    """The sandbox acceptor's button for a note of `value` (minor units, as the form has it)."""
    return client.post(f"/kiosk/{terminal}/note", data={"step": "cash", "note": value})


def test_attract_screen_in_the_terminals_language_and_on_request(client):
    assert "Пополнить мобильный телефон" in screen(client)
    assert "Top up a mobile phone" in screen(client, lang="en")
    assert "给手机充值" in screen(client, CN)
    assert client.get("/kiosk/999999").status_code == 404


def test_a_ru_cash_top_up_in_russian(client):
    to_cash(client)
    text = screen(client)
    assert "Вставьте купюры" in text
    assert "+7 903 123-45-67 · Билайн" in text
    # Before the first note: commission, credited, the rule and "no change".
    assert "Сдача не выдаётся" in text
    assert "ниже 500 ₽: 3 %, не менее 10 ₽; от 500 ₽: нет" in text
    assert "Внесено 0 ₽ Комиссия 0 ₽ На номер 0 ₽" in text
    note(client, "10000")
    note(client, "20000")
    assert "Внесено 300 ₽ Комиссия 10 ₽ На номер 290 ₽" in screen(client)
    touch(client, "pay", "cash")
    text = screen(client)
    assert "Оплачено" in text and "290 ₽ зачислено на +7 903 123-45-67" in text
    touch(client, "receipt", "result")
    text = screen(client)
    order = db.session.scalar(select(Order))
    for expected in ("Терминал 770101", order.number, "+7 903 123-45-67", "Билайн",
                     "Внесено 300 ₽", "Комиссия 10 ₽", "Зачислено 290 ₽", "0611",
                     "Сохраните этот чек", "МСК"):
        assert expected in text, expected


@pytest.mark.parametrize(("lang", "heading"), [("ru", "Вставьте купюры"),
                                               ("en", "Insert notes"), ("zh", "请放入纸币")])
def test_the_language_buttons_keep_the_step(client, lang, heading):
    to_cash(client)
    note(client, "50000")
    answer = client.post(f"/kiosk/{RU}/language", data={"lang": lang})
    assert answer.status_code == 303
    text = screen(client)
    assert heading in text
    assert db.session.scalar(select(KioskSession.inserted)) == 500_00


def test_the_same_step_in_a_second_tab_and_after_a_restart(client, client_with):
    to_cash(client)
    note(client, "100000")
    other = client_with()  # another browser, another app instance: the state is the server's
    assert "Inserted ₽1,000" in screen(other, lang="en")


def test_a_stale_touch_changes_nothing(client):
    to_cash(client)
    touch(client, "key", "number", "1")  # a keypad left open in another tab
    assert db.session.scalar(select(KioskSession.digits)) == "9031234567"


def test_poll_answers_204_while_nothing_changed(client):
    to_cash(client)
    page = client.get(f"/kiosk/{RU}")
    seen = page.data.decode().split("seen=")[1].split('"')[0]
    poll = client.get(f"/kiosk/{RU}/screen?seen={seen}", headers={"HX-Request": "true"})
    assert poll.status_code == 204
    note(client, "10000")
    fragment = client.get(f"/kiosk/{RU}/screen?seen={seen}", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.data.decode()
    assert html.lstrip().startswith('<div id="screen"') and "<html" not in html
    assert "<dd id=\"inserted\">100\xa0₽</dd>" in html


def test_the_idle_warning_and_reset(client):
    to_cash(client)
    note(client, "50000")
    clock.freeze(FIXED_NOW + timedelta(seconds=65))
    text = screen(client)
    assert "Вы ещё здесь?" in text and "15" in text
    assert "500 ₽" in text  # what goes to the number if nobody answers
    page = client.get(f"/kiosk/{RU}").data.decode()
    assert '<meta http-equiv="refresh" content="5">' in page  # without JavaScript too
    clock.freeze(FIXED_NOW + timedelta(seconds=80))
    assert "Пополнить мобильный телефон" in screen(client)
    session = db.session.scalar(select(KioskSession))
    assert session.order.status == "credited" and session.order.amount == 500_00
    kept = client.get(f"/kiosk/{RU}/receipts/{session.token}")
    assert kept.status_code == 200 and "Сохраните этот чек" in kept.data.decode()
    assert client.get(f"/kiosk/{RU}/receipts/wrong-token").status_code == 404
    assert client.get(f"/kiosk/{CN}/receipts/{session.token}").status_code == 404
    sandbox = client.get("/sandbox/").data.decode()
    assert session.token in sandbox and "/kiosk/860101" in sandbox


def test_walk_away_jumps_the_clock(client):
    to_cash(client)
    note(client, "20000")
    assert client.post(f"/kiosk/{RU}/walk-away").status_code == 303
    assert "Пополнить мобильный телефон" in screen(client)
    assert db.session.scalar(select(Order.amount)) == 190_00


def test_every_step_renders_in_every_language(client):
    client.post(f"/kiosk/{RU}/start", data={"lang": "en"})
    headings = {"ru": "Выберите оператора", "en": "Choose the operator", "zh": "选择运营商"}
    for lang, heading in headings.items():
        client.post(f"/kiosk/{RU}/language", data={"lang": lang})
        assert heading in screen(client)
    touch(client, "operator", "operator", "mts")
    for digit in "9821234567":
        touch(client, "key", "number", digit)
    assert "+7 982 123-45-67" in screen(client)
    touch(client, "next", "number")
    touch(client, "amount", "amount", "30000")
    assert "请放入至少 ¥310" not in screen(client)  # rubles stay rubles in Chinese
    assert "请放入至少 ₽310，不设找零" in screen(client)
    touch(client, "method", "method", "card")
    text = screen(client)
    assert "请在读卡器上挥卡" in text and "4242" in text and "4000 0027" not in text
    client.post(f"/kiosk/{RU}/tap", data={"step": "card", "revision": "0",
                                          "card": "4000000000000002"})
    client.post(f"/kiosk/{RU}/language", data={"lang": "en"})
    assert "Your bank declined the payment." in screen(client)  # kept across the switch
    order = db.session.scalar(select(Order))
    assert order.status == "awaiting_payment" and order.price == 300_00


def test_sandbox_controls_are_sandbox_only(client_with):
    production = client_with(SANDBOX=False, SECRET_KEY="x" * 32)
    assert production.post(f"/kiosk/{RU}/note", data={"note": "100"}).status_code == 404
    assert production.post(f"/kiosk/{RU}/walk-away").status_code == 404
    page = production.get(f"/kiosk/{RU}")
    assert page.status_code == 200


# --- the device endpoint -----------------------------------------------------------------------

def signed(body: bytes, secret=SECRET, age: float = 0) -> dict:
    timestamp = str(int(time.time() - age))
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return {"X-Timestamp": timestamp, "X-Signature": digest.hexdigest(),
            "Content-Type": "application/json"}


def device(client, payload, secret=SECRET, age=0):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post("/api/kiosk/notes", data=body, headers=signed(body, secret, age))


def test_device_note_events_are_signed_and_counted_once(client):
    to_cash(client)
    first = device(client, {"terminal": RU, "event_id": "bv-1", "note": 500})
    assert first.status_code == 200
    assert first.json == {"accepted": True, "returned": False, "reason": None,
                          "duplicate": False, "currency": "RUB", "inserted": "500.00"}
    again = device(client, {"terminal": RU, "event_id": "bv-1", "note": 500})
    assert again.json["duplicate"] is True and again.json["inserted"] == "500.00"
    for i in range(2):
        device(client, {"terminal": RU, "event_id": f"big-{i}", "note": 5000})
    over = device(client, {"terminal": RU, "event_id": "bv-9", "note": 5000})
    assert over.json == {"accepted": False, "returned": True, "reason": "over_cap",
                         "duplicate": False, "currency": "RUB", "inserted": "10500.00"}
    assert "вернули" in screen(client)
    assert db.session.scalar(select(KioskSession.inserted)) == 10500_00


@pytest.mark.parametrize(("payload", "status"), [
    ({"terminal": RU, "event_id": "x", "note": "500"}, 400),
    ({"terminal": RU, "event_id": "x", "note": 5.5}, 400),
    ({"terminal": RU, "event_id": "x", "note": True}, 400),
    ({"terminal": RU, "event_id": "x", "note": -100}, 400),
    ({"terminal": RU, "event_id": "x" * 65, "note": 100}, 400),
    ({"terminal": RU, "event_id": "", "note": 100}, 400),
    ({"terminal": RU, "event_id": "x\u0000", "note": 100}, 400),
    ({"terminal": "nope", "event_id": "x", "note": 100}, 404),
    (b"[1, 2]", 400),
])
def test_bad_device_posts(client, payload, status):
    assert device(client, payload).status_code == status
    assert db.session.scalar(select(KioskNote)) is None


def test_unsigned_or_stale_device_posts_are_refused(client):
    payload = {"terminal": RU, "event_id": "x", "note": 100}
    assert device(client, payload, secret="wrong").status_code == 403
    assert device(client, payload, age=301).status_code == 403
    body = json.dumps(payload).encode()
    assert client.post("/api/kiosk/notes", data=body,
                       headers={"Content-Type": "application/json"}).status_code == 403


def test_a_note_of_a_denomination_the_market_has_not(client):
    to_cash(client, terminal=CN, operator="china_mobile", digits="13812345678", lang="zh")
    answer = device(client, {"terminal": CN, "event_id": "cn-1", "note": 2})
    assert answer.json["reason"] == "unknown_note"
    assert device(client, {"terminal": CN, "event_id": "cn-2", "note": 100}).json[
        "inserted"] == "100.00"


def test_an_order_paid_in_cash_reads_right_on_its_order_page(client):
    """The order page of a top-up paid at a kiosk (its payer signed in later, say) shows the
    cash method's receipt lines: where it was paid and the commission."""
    from ..factories import mine

    to_cash(client)
    note(client, "10000")
    touch(client, "pay", "cash")
    order = mine(client, db.session.scalar(select(Order)))
    page = client.get(f"/orders/{order.number}?lang=en")
    assert page.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", page.data.decode()).split())
    assert "Cash at kiosk 770101" in text and "Commission ₽10" in text
    assert "Paid ₽100" in text
