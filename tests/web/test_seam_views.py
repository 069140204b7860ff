"""The view side of the payment seam (issue 9): one code page behind 3-D Secure, the SMS reply,
sign-in and trust payment; one polling policy; who may read a refusal as a provider property;
labels in Python; the payer's Flask-WTF forms; the checkout copy in three languages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from webapp.domain import orders as states
from webapp.domain.polling import CODE, ORDER, SMS_REPLY, poll_seconds
from webapp.extensions import db
from webapp.models import Order, PaymentAttempt, SmsMessage
from webapp.payments.base import PRIVATE
from webapp.services import checkout, demo
from webapp.services.payment_ports import provider
from webapp.views.checkout import ACTION_PAGES
from webapp.views.labels import card_brand, card_outcome, order_status

from ..factories import page_text, topup_order

PHONE = "+79031234567"
MTS_PHONE = "+79826543210"
THREE_DS_CARD = "4000 0027 6000 3184"


@pytest.fixture
def seeded(app):
    demo.seed()


def last_code(phone: str) -> str:
    body = db.session.scalars(select(SmsMessage.body).where(SmsMessage.phone == phone)
                              .order_by(SmsMessage.id.desc())).first()
    return re.search(r"\b\d{6}\b", body).group(0)


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def buy(client) -> str:
    response = client.post("/shop/RU/buy", data={"product": "phone-case"})
    assert response.status_code == 303
    return response.headers["Location"]


# Each code page: (its address, where a new code is asked for, the number the code went to).
def _three_ds(client):
    order = topup_order(client=client)
    response = client.post(f"/orders/{order.number}/card", data={
        "number": THREE_DS_CARD, "expiry": "12/30", "cvc": "123", "attempt_key": "t" * 24})
    page = response.headers["Location"]
    assert re.fullmatch(rf"/orders/{order.number}/3ds/\d+", page)
    return page, page + "/resend", PHONE


def _sms_reply(client):
    url = buy(client)
    page = client.post(url + "/mobile", data={"phone": MTS_PHONE, "operator": "mts"}) \
        .headers["Location"]
    assert re.fullmatch(url + r"/mobile/\d+", page)
    return page, page + "/resend", MTS_PHONE


def _sign_in(client):
    assert client.post("/signin", data={"phone": PHONE}).status_code == 303
    return "/signin/code", "/signin/resend", PHONE


def _trust(client):
    assert client.post("/trust", data={"phone": "903 700-00-05"}).status_code == 303
    return "/trust/confirm", "/trust/resend", "+79037000005"


CODE_PAGES = {"3ds": _three_ds, "sms_reply": _sms_reply, "sign_in": _sign_in, "trust": _trust}


@pytest.mark.parametrize("name", CODE_PAGES)
def test_every_code_page_reads_and_refuses_codes_the_same_way(client, seeded, name):
    page, resend, phone = CODE_PAGES[name](client)
    code = last_code(phone)
    shown = client.get(page + "?lang=en").get_data(as_text=True)
    assert "valid for 10 minutes more" in shown and "5 tries left" in shown
    assert 'id="code-status"' in shown and 'hx-trigger="every 5s"' in shown
    # Not a code: how many digits one has, and no try used.
    typo = client.post(page + "?lang=en", data={"code": "12 34"})
    assert typo.status_code == 422 and "The code is 6 digits." in typo.get_data(as_text=True)
    # A wrong code: the tries left.
    bad = client.post(page + "?lang=en", data={"code": wrong(code)})
    assert bad.status_code == 422 and "Wrong code. 4 tries left." in bad.get_data(as_text=True)
    # A new code at once: when one can come.
    soon = client.post(resend + "?lang=en")
    assert soon.status_code == 429
    assert "A new code can be sent in" in page_text(soon.get_data(as_text=True))
    # The status block alone for htmx, from the one partial.
    block = client.get(page + ("&" if "?" in page else "?") + "lang=en",
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    if name == "sms_reply":  # its default block is the reply's status; ?part=code the code's
        assert 'id="mobile-status"' in block and 'hx-trigger="every 3s"' in block
        block = client.get(page + "?part=code&lang=en",
                           headers={"HX-Request": "true"}).get_data(as_text=True)
    assert block.lstrip().startswith('<section id="code-status"') and "4 tries left" in block
    # The right code (spaces between groups allowed) goes on to the page's own next step.
    done = client.post(page, data={"code": f"{code[:3]} {code[3:]}"})
    assert done.status_code == 303


def test_a_finished_attempt_leaves_its_code_page_for_the_order(client, seeded):
    page, _, phone = _three_ds(client)
    number = page.split("/")[2]
    client.post(page, data={"code": last_code(phone)})
    assert client.get(page).headers["Location"] == f"/orders/{number}"
    assert client.get(page, headers={"HX-Request": "true"}).headers["HX-Redirect"] \
        == f"/orders/{number}"


def test_an_attempt_is_shown_only_on_the_page_of_its_action(client, seeded):
    """A waiting 3-D Secure attempt has no SMS-reply page, and the other way round."""
    page, _, _ = _three_ds(client)
    number, attempt_id = page.split("/")[2], page.rsplit("/", 1)[1]
    assert client.get(f"/orders/{number}/mobile/{attempt_id}").status_code == 404
    waiting, _, _ = _sms_reply(client)
    goods, mobile_id = waiting.split("/")[2], waiting.rsplit("/", 1)[1]
    assert client.get(f"/orders/{goods}/3ds/{mobile_id}").status_code == 404
    assert {"checkout.three_ds", "mobile.waiting"} <= set(ACTION_PAGES.values())


# --- one polling policy ---------------------------------------------------------------------

@pytest.mark.parametrize("what, status, kind, every", [
    (ORDER, states.AWAITING_PAYMENT, "topup", 30), (ORDER, states.PAID, "topup", 2),
    (ORDER, states.CREDITING, "topup", 2), (ORDER, states.CREDITED, "topup", None),
    (ORDER, states.REFUNDED, "topup", None), (ORDER, states.EXPIRED, "topup", None),
    (ORDER, states.AWAITING_PAYMENT, "goods", 30), (ORDER, states.PAID, "goods", None),
    (ORDER, states.EXPIRED, "goods", None),
    (SMS_REPLY, "active", None, 3), (SMS_REPLY, "expired", None, None),
    (SMS_REPLY, "dead", None, None), (SMS_REPLY, None, None, None),
    (CODE, "active", None, 5), (CODE, "expired", None, None), (CODE, "not_sent", None, None),
    (CODE, None, None, None),
])
def test_polling_policy(what, status, kind, every):
    assert poll_seconds(what, status, kind) == every


def test_order_page_polls_by_the_policy(client, seeded):
    order = topup_order(client=client)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert 'hx-trigger="every 30s"' in page
    client.post(f"/orders/{order.number}/card", data={
        "number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123",
        "attempt_key": "p" * 24})
    paid = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "status-credited" in paid and "hx-trigger" not in paid.split('id="status"')[1] \
        .split(">")[0]


# --- who may read a refusal: the provider's property -----------------------------------------

def test_private_reasons_are_a_property_of_the_method(app):
    assert "funds" in provider("mobile_balance").private_reasons
    assert "wrong_operator" in provider("mobile_balance").private_reasons
    assert provider("card").private_reasons == frozenset()
    assert checkout.shown_reason("mobile_balance", "funds", PHONE, None) == PRIVATE
    assert checkout.shown_reason("mobile_balance", "funds", PHONE, MTS_PHONE) == PRIVATE
    assert checkout.shown_reason("mobile_balance", "funds", PHONE, PHONE) == "funds"
    assert checkout.shown_reason("mobile_balance", "not_goods", PHONE, None) == "not_goods"
    assert checkout.shown_reason("card", "do_not_honor", None, None) == "do_not_honor"


def test_the_last_decline_of_a_card_reads_the_new_wording(client, seeded):
    order = topup_order(client=client)
    response = client.post(f"/orders/{order.number}/card?lang=en", data={
        "number": "4000 0000 0000 0002", "expiry": "12/30", "cvc": "123",
        "attempt_key": "d" * 24})
    assert response.status_code == 402
    text = "Your bank declined the payment. Try another card or call your bank."
    assert text in response.get_data(as_text=True)
    ru = client.get(f"/orders/{order.number}?lang=ru").get_data(as_text=True)
    assert "Банк отклонил платёж. Попробуйте другую карту или позвоните в банк." in ru
    zh = client.get(f"/orders/{order.number}?lang=zh").get_data(as_text=True)
    assert "交易被发卡行拒绝。请更换银行卡或联系发卡行。" in zh
    assert checkout.last_decline(db.session.get(Order, order.id), None).code == "do_not_honor"


def test_a_private_refusal_reads_private_to_a_stranger_and_real_to_the_owner(client, seeded):
    """The phone balance start through the checkout service: a stranger reads PRIVATE and
    the number gets the reason by SMS; nothing is kept."""
    url = buy(client)
    sms_before = db.session.scalar(select(func.count(SmsMessage.id)))
    # +7 903 700-00-20 owes a trust payment (the sandbox's demo number for that refusal).
    response = client.post(url + "/mobile?lang=en", data={"phone": "+79037000020",
                                                           "operator": "beeline"})
    assert response.status_code == 422
    assert "The reason has been sent to the number by SMS" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SmsMessage.id))) == sms_before + 1
    assert db.session.scalar(select(func.count(PaymentAttempt.id))) == 0


# --- labels in Python ------------------------------------------------------------------------

def test_labels_are_functions_in_the_pages_language(app):
    from webapp.i18n import force_locale

    with app.test_request_context("/"), force_locale("ru"):
        assert card_brand("mir") == "Мир" and card_brand(None) == "" and card_brand("x") == "x"
        assert order_status("paid") and order_status("strange") == "strange"
        assert card_outcome("success") and card_outcome("strange") == "strange"
    with app.test_request_context("/"), force_locale("zh"):
        assert card_brand("unionpay") == "银联"


def test_card_brand_on_the_form_the_receipt_and_the_hint(client, seeded):
    hint = client.post("/cards/brand?lang=zh", data={"number": "62"},
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert ">银联<" in hint
    order = topup_order(client=client)
    client.post(f"/orders/{order.number}/card", data={
        "number": "6200 0000 0000 0005", "expiry": "12/30", "cvc": "123",
        "attempt_key": "u" * 24})
    assert "银联 •••• 0005" in page_text(
        client.get(f"/orders/{order.number}?lang=zh").get_data(as_text=True))
    assert "UnionPay •••• 0005" in page_text(
        client.get(f"/orders/{order.number}?lang=en").get_data(as_text=True))


# --- the payer's forms ------------------------------------------------------------------------

def test_card_form_keeps_its_field_names_errors_and_csrf(client_with, seeded):
    client = client_with(WTF_CSRF_ENABLED=True)
    order = topup_order(client=client)
    data = {"number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123",
            "attempt_key": "c" * 24}
    assert client.post(f"/orders/{order.number}/card?lang=en", data=data).status_code == 400
    page = client.get(f"/orders/{order.number}?lang=en").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    for field in ("number", "expiry", "cvc", "attempt_key"):
        assert f'name="{field}"' in page
    bad = client.post(f"/orders/{order.number}/card?lang=en",
                      data={**data, "cvc": "12", "csrf_token": token})
    assert bad.status_code == 422
    assert "The CVC is the 3 digits on the back of the card." in bad.get_data(as_text=True)
    ok = client.post(f"/orders/{order.number}/card", data={**data, "csrf_token": token})
    assert ok.status_code == 303


def test_sign_in_and_trust_forms_keep_their_errors(client, seeded):
    signin = client.post("/signin?lang=en", data={"phone": "12"})
    assert signin.status_code == 422 and 'value="12"' in signin.get_data(as_text=True)
    trust = client.post("/trust?lang=en", data={"phone": "1" * 60})
    assert trust.status_code == 422
    assert 'value="' + "1" * 40 + '"' in trust.get_data(as_text=True)  # cut to the field


# --- copy -------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, fee, placeholder", [
    ("ru", "Комиссия Билайна", "ММ/ГГ"), ("en", "Beeline fee", "MM/YY"),
    ("zh", "手续费", "月/年"),
])
def test_goods_checkout_copy(client, seeded, lang, fee, placeholder):
    url = buy(client)
    page = client.get(url + f"?lang={lang}").get_data(as_text=True)
    assert f'placeholder="{placeholder}"' in page
    quote = client.post(url + f"/mobile/quote?lang={lang}",
                        data={"phone": PHONE, "operator": "beeline"}).get_data(as_text=True)
    assert fee in page_text(quote)
    assert "7,80" in quote or "7.80" in quote


def test_sms_reply_page_names_the_operator_by_the_filter(client, seeded):
    url = buy(client)
    waiting = client.post(url + "/mobile", data={"phone": MTS_PHONE, "operator": "mts"}) \
        .headers["Location"]
    ru = page_text(client.get(waiting + "?lang=ru").get_data(as_text=True))
    assert "МТС" in ru and "MTS" not in ru  # as Russian writes it (operator_name)
    en = page_text(client.get(waiting + "?lang=en").get_data(as_text=True))
    assert "MTS sent an SMS to +7 982 654-32-10" in en
    number = url.rsplit("/", 1)[1]
    assert f'<span class="order-no">{number}</span>' in client.get(waiting).get_data(
        as_text=True)


def test_receipt_labels_in_their_context(client, seeded):
    order = topup_order(client=client)
    client.post(f"/orders/{order.number}/card", data={
        "number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123",
        "attempt_key": "r" * 24})
    en = page_text(client.get(f"/orders/{order.number}?lang=en").get_data(as_text=True))
    ru = page_text(client.get(f"/orders/{order.number}?lang=ru").get_data(as_text=True))
    assert "Paid" in en and "Оплачено" in ru
    assert f'<span class="order-no">{order.number}</span>' in client.get(
        f"/orders/{order.number}").get_data(as_text=True)
