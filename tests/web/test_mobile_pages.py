"""The shop and the mobile payment pages: quote (fragment and page), refusals, the SMS,
confirmation by reply and by code, bad input, the sandbox refund."""

import re

import pytest
from sqlalchemy import func, select

from tests.factories import page_text
from webapp.extensions import db
from webapp.models import LedgerEntry, Order, PaymentAttempt, SmsMessage, Subscriber
from webapp.services import demo

PHONE = "+79031234567"


@pytest.fixture
def seeded(app):
    demo.seed()


def sign_in(client, phone=PHONE):
    """Sign the client in as `phone` (a code by SMS), as the number's owner would."""
    assert client.post("/signin", data={"phone": phone}).status_code == 303
    body = db.session.scalars(select(SmsMessage.body).where(SmsMessage.phone == phone)
                              .order_by(SmsMessage.id.desc())).first()
    code = re.search(r"\b\d{6}\b", body).group(0)
    assert client.post("/signin/code", data={"code": code}).status_code == 303


def buy(client, product="phone-case", market="RU", **extra) -> str:
    response = client.post(f"/shop/{market}/buy", data={"product": product, **extra})
    assert response.status_code == 303
    return response.headers["Location"]


def balance(phone) -> int:
    subscriber_id = db.session.scalar(select(Subscriber.id).where(Subscriber.phone == phone))
    return int(db.session.scalar(select(func.sum(LedgerEntry.amount)).where(
        LedgerEntry.subscriber_id == subscriber_id)))


def debits() -> int:
    return db.session.scalar(select(func.count(LedgerEntry.id)).where(
        LedgerEntry.kind == "mcommerce_debit", LedgerEntry.description.like("mobile payment%")))


def test_shop_lists_products_in_both_currencies(client, seeded):
    ru = client.get("/shop/RU?lang=ru").get_data(as_text=True)
    assert "Чехол для телефона" in ru and "200\u00a0₽" in ru
    zh = client.get("/shop/CN?lang=zh").get_data(as_text=True)
    assert "手机壳" in zh and "¥39" in zh
    assert client.get("/shop/XX").status_code == 404
    assert client.post("/shop/RU/buy", data={"product": "nope"}).status_code == 404


def test_goods_checkout_offers_card_and_mobile_balance(client, seeded):
    url = buy(client)
    assert re.fullmatch(r"/orders/G-\d{6}-\d{6}", url)
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Phone case" in page and 'id="card-number"' in page
    assert "Pay from the phone balance" in page
    cn = client.get(buy(client, market="CN") + "?lang=en").get_data(as_text=True)
    # China: the wallet first (SPEC §3.3), the card one tab away, no phone balance.
    assert "Pay from the phone balance" not in cn and "Pay with Alipay-style" in cn
    assert "method=card" in cn


def test_topup_checkout_offers_no_mobile_balance(client, seeded):
    client.post("/topup/RU", data={"phone": PHONE, "amount": "10000"})
    number = db.session.scalar(select(Order.number))
    assert "Pay from the phone balance" not in client.get(f"/orders/{number}").get_data(
        as_text=True)
    response = client.post(f"/orders/{number}/mobile/quote?lang=en",
                           data={"phone": PHONE, "operator": "beeline"})
    assert "Mobile payment is for goods" in response.get_data(as_text=True)


def test_quote_as_fragment_and_full_page(client, seeded):
    sign_in(client)  # the limits left are shown to the number's owner only (SPEC §3.2.2)
    url = buy(client)
    data = {"phone": "903 123-45-67", "operator": "beeline"}
    fragment = client.post(url + "/mobile/quote?lang=en", data=data,
                           headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="mobile-quote"')
    for text in ("₽200", "₽7.80", "₽207.80", "Left today after this payment"):
        assert text in body, text
    full = client.post(url + "/mobile/quote?lang=en", data=data)
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    refused = client.post(url + "/mobile/quote?lang=en", headers={"HX-Request": "true"},
                          data={"phone": "+79871234567", "operator": "mts"})
    assert refused.status_code == 200  # htmx swaps only 2xx: the message comes back as 200
    # Another number's ban is not this payer's to read: it goes to that number by SMS.
    assert "The reason has been sent to the number by SMS" in refused.get_data(as_text=True)
    assert "Call 0890" not in refused.get_data(as_text=True)
    assert "Call 0890" in db.session.scalar(select(SmsMessage.body).where(
        SmsMessage.phone == "+79871234567"))


@pytest.mark.parametrize("phone, operator, product, text", [
    ("+79871234567", "mts", "phone-case", "Call 0890"),
    ("+79201234567", "megafon", "phone-case", "not available on corporate tariffs"),
    ("+79037000017", "beeline", "phone-case", "until the trust payment is repaid"),
    ("+79037000013", "beeline", "phone-case", "once more than ₽150 has been spent"),
    ("+79511234567", "tele2", "phone-case", "after 2 months on the network"),
    ("+79267654321", "megafon", "phone-case", "Personal budget option. Call 0500"),
    ("+79771234567", "tele2", "earphones", "at most ₽1,000 per payment"),
    ("+79831234567", "mts", "phone-case", "limit of 5 payments a day"),
    ("+79037000020", "beeline", "phone-case", "daily limit of ₽15,000"),
    ("+79821234567", "mts", "phone-case", "at least ₽210"),
    ("+79261234567", "mts", "phone-case", "served by another operator"),
    ("+79039999999", "beeline", "phone-case", "not known to the operator"),
    ("12", "beeline", "phone-case", "not a valid phone number"),
])
def test_each_refusal_reads_right_and_sends_nothing(client, seeded, phone, operator, product,
                                                    text):
    if phone.startswith("+"):
        sign_in(client, phone)  # the number's owner reads the reason on the page
    signed_in = db.session.scalar(select(func.count(SmsMessage.id)))
    url = buy(client, product)
    response = client.post(url + "/mobile?lang=en", data={"phone": phone, "operator": operator})
    assert response.status_code == 422
    assert text in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PaymentAttempt.id))) == 0
    assert db.session.scalar(select(func.count(SmsMessage.id))) == signed_in


def code_from_sms(phone=PHONE) -> str:
    body = db.session.scalars(select(SmsMessage.body).where(SmsMessage.phone == phone)
                              .order_by(SmsMessage.id.desc())).first()
    return re.match(r"(\d{6})", body).group(1)


def test_confirm_by_reply_from_the_virtual_phone(client, seeded):
    before = balance(PHONE)
    url = buy(client)
    response = client.post(url + "/mobile?lang=ru", data={"phone": PHONE, "operator": "beeline"})
    waiting = response.headers["Location"]
    assert re.fullmatch(url + r"/mobile/\d+", waiting)
    sms = db.session.scalars(select(SmsMessage).where(SmsMessage.phone == PHONE)
                             .order_by(SmsMessage.id.desc())).first()
    assert sms.peer == "8464" and url.rsplit("/", 1)[1] in sms.body and "7,80" in sms.body
    assert balance(PHONE) == before  # nothing is debited before the reply
    poll = client.get(waiting, headers={"HX-Request": "true"})
    assert b'id="mobile-status"' in poll.data
    client.post("/phone/79031234567/reply", data={"to": "8464", "text": code_from_sms()})
    assert balance(PHONE) == before - 20780
    moved = client.get(waiting, headers={"HX-Request": "true"})
    assert moved.headers["HX-Redirect"] == url
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Paid. Thank you" in page and "Phone balance +7 903 123-45-67" in page_text(page)
    client.post("/phone/79031234567/reply", data={"to": "8464", "text": code_from_sms()})
    assert balance(PHONE) == before - 20780 and debits() == 1


def test_confirm_by_typed_code_and_wrong_codes(client, seeded):
    url = buy(client)
    waiting = client.post(url + "/mobile", data={"phone": "+79826543210",
                                                  "operator": "mts"}).headers["Location"]
    code = code_from_sms("+79826543210")
    wrong = "000000" if code != "000000" else "111111"
    page = client.post(waiting + "?lang=en", data={"code": wrong})
    assert page.status_code == 422 and "4 tries left" in page.get_data(as_text=True)
    assert client.post(waiting, data={"code": "12"}).status_code == 422
    assert client.post(waiting, data={"code": code}).headers["Location"] == url
    assert db.session.scalar(select(Order.status).where(Order.number == url.rsplit("/", 1)[1])) \
        == "paid"
    again = client.post(waiting, data={"code": code})  # a replayed form
    assert again.status_code == 303 and debits() == 1


def test_reply_from_another_number_does_not_confirm(client, seeded):
    url = buy(client)
    client.post(url + "/mobile", data={"phone": PHONE, "operator": "beeline"})
    client.post("/phone/79261234567/reply", data={"to": "8464", "text": code_from_sms()})
    assert debits() == 0
    assert db.session.scalar(select(PaymentAttempt.status)) == "pending"


def test_a_newer_payment_replaces_the_waiting_one(client, seeded):
    first = buy(client)
    waiting = client.post(first + "/mobile", data={"phone": PHONE, "operator": "beeline"})
    again = client.post(first + "/mobile", data={"phone": PHONE, "operator": "beeline"})
    assert again.status_code == 303  # a double click: the same request
    assert again.headers["Location"] == waiting.headers["Location"]
    assert db.session.scalar(select(func.count(PaymentAttempt.id))) == 1
    second = buy(client)
    newer = client.post(second + "/mobile?lang=en", data={"phone": PHONE,
                                                          "operator": "beeline"})
    assert newer.status_code == 303 and newer.headers["Location"].startswith(second)
    statuses = db.session.execute(select(PaymentAttempt.status, PaymentAttempt.decline_code)
                                  .order_by(PaymentAttempt.id)).all()
    assert [tuple(row) for row in statuses] == [("canceled", "replaced"), ("pending", None)]
    # The first one's waiting page moves on to its order, which can still be paid.
    moved = client.get(waiting.headers["Location"], headers={"HX-Request": "true"})
    assert moved.headers["HX-Redirect"] == first


def test_sandbox_refund_goes_to_the_wallet(client, seeded):
    url = buy(client)
    client.post(url + "/mobile", data={"phone": PHONE, "operator": "beeline"})
    client.post("/phone/79031234567/reply", data={"to": "8464", "text": code_from_sms()})
    number = url.rsplit("/", 1)[1]
    assert client.post(f"/sandbox/orders/{number}/refund").status_code == 303
    from webapp.services.mobile import SHOP_WALLET, wallet_balance

    assert wallet_balance(PHONE) == 20000 and wallet_balance(SHOP_WALLET) == -20000
    client.post(f"/sandbox/orders/{number}/refund")  # a second click changes nothing
    assert wallet_balance(PHONE) == 20000
    assert "refunded to the wallet" in client.get(url + "?lang=en").get_data(as_text=True)


def test_custom_amount_order_in_the_sandbox(client, seeded):
    url = buy(client, product="custom", amount="1000.01")
    assert db.session.scalar(select(Order.price).where(Order.number == url.rsplit("/", 1)[1])) \
        == 100001
    bad = client.post("/shop/RU/buy?lang=en", data={"product": "custom", "amount": "abc"})
    assert bad.status_code == 422 and "as a number" in bad.get_data(as_text=True)
