"""Privacy and access (SPEC §8, §3.2.2; issue 8, items 1 and 6): saved cards belong to the payer
who saved them; order pages are for the session that placed or paid the order and its payer;
the trust result page has a random token; a mobile payment's quote tells nobody else anything
about a number, and its private refusals go to the number by SMS, rationed."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.clock import clock
from webapp.extensions import db, limiter
from webapp.models import (
    Order,
    PaymentAttempt,
    SavedCard,
    SmsMessage,
    Subscriber,
    TrustCredit,
)
from webapp.refusals import CheckoutRefused as PaymentRefused
from webapp.services import demo, ledger, rules

from ..conftest import FIXED_NOW
from ..factories import GOOD_CARD, CardPayment, pay_by_card, saved_card, topup_order

A, B = "+79031234567", "+79261234567"  # two payers with demo numbers
CARD = {"number": "5555 5555 5555 4444", "expiry": "08/29", "cvc": "321"}
PRIVATE_TEXT = "not available for this number now. The reason has been sent to the number by SMS"


@pytest.fixture
def seeded(app):
    demo.seed()


def latest_sms(phone: str) -> SmsMessage | None:
    return db.session.scalars(select(SmsMessage).where(SmsMessage.phone == phone)
                              .order_by(SmsMessage.id.desc())).first()


def sign_in(client, phone: str) -> None:
    # A minute on, so that the number may get another code (the same payer on a second device).
    clock.freeze(clock.now() + timedelta(seconds=61))
    assert client.post("/signin", data={"phone": phone}).status_code == 303
    code = re.search(r"\b\d{6}\b", latest_sms(phone).body).group(0)
    assert client.post("/signin/code", data={"code": code}).status_code == 303


def place(client, phone=B, amount="10000") -> Order:
    """Place a top-up through the client's form."""
    response = client.post("/topup/RU", data={"phone": phone, "amount": amount})
    assert response.status_code == 303
    return db.session.scalar(select(Order).where(
        Order.number == response.headers["Location"].rsplit("/", 1)[1]))


def buy(client, product="phone-case", lang="en") -> str:
    response = client.post(f"/shop/RU/buy?lang={lang}", data={"product": product})
    assert response.status_code == 303
    return response.headers["Location"]


def pay_card(client, order, key=None, **fields):
    data = {**CARD, **fields, "attempt_key": key or secrets.token_urlsafe(18)}
    return client.post(f"/orders/{order.number}/card?lang=en", data=data)


def cards_of(phone: str) -> list[str]:
    return list(db.session.scalars(select(SavedCard.last4).where(SavedCard.owner_phone == phone)))


# --- item 1: a saved card belongs to the payer who ticked "save" ------------------------------

def test_a_card_is_saved_to_the_payer_who_paid_not_to_who_placed_the_order(app, seeded):
    browser = app.test_client()
    sign_in(browser, A)
    order = place(browser)  # A places it…
    sign_in(browser, B)  # …and B, signed in on the same browser, pays it with "save"
    assert pay_card(browser, order, save_card="1").status_code == 303
    assert db.session.get(Order, order.id).status == "credited"
    assert (cards_of(A), cards_of(B)) == ([], ["4444"])
    # A does not see it anywhere, and cannot pay with it.
    other = app.test_client()
    sign_in(other, A)
    token = db.session.scalar(select(SavedCard.token))
    assert token not in other.get("/account").get_data(as_text=True)
    mine = place(other)
    assert token not in other.get(f"/orders/{mine.number}").get_data(as_text=True)
    page = pay_card(other, mine, card_choice=token, saved_cvc="321")
    assert page.status_code == 422 and "no longer available" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PaymentAttempt.id)).where(
        PaymentAttempt.order_id == mine.id)) == 0
    # Nor remove it.
    other.post(f"/account/cards/{token}/remove")
    assert cards_of(B) == ["4444"]
    # B can.
    again = place(browser)
    page = browser.get(f"/orders/{again.number}?lang=en").get_data(as_text=True)
    assert f'value="{token}" checked' in page
    assert pay_card(browser, again, card_choice=token, saved_cvc="321").status_code == 303
    browser.post(f"/account/cards/{token}/remove")
    assert cards_of(B) == []


def test_no_card_is_saved_for_a_payer_who_is_not_signed_in(client, app, seeded):
    order = place(client)
    assert pay_card(client, order, save_card="1").status_code == 303
    assert db.session.scalar(select(func.count(SavedCard.id))) == 0


def test_the_service_refuses_a_saved_card_of_another_payer(app):
    order = topup_order(phone=B, operator="megafon")
    first = pay_by_card(order.number, CardPayment(
        card=_card(), idempotency_key=secrets.token_urlsafe(18), payer_phone=B, save_card=True))
    assert first.status == "succeeded"
    token = db.session.scalar(select(SavedCard.token))
    card = saved_card(token, B)
    assert saved_card(token, A) is None
    second = topup_order(phone=B, operator="megafon")
    with pytest.raises(PaymentRefused) as refused:
        pay_by_card(second.number, CardPayment(card=card, payer_phone=A,
                                               idempotency_key=secrets.token_urlsafe(18)))
    assert refused.value.code == "card_not_found"
    db.session.rollback()
    assert db.session.get(Order, second.id).status == "awaiting_payment"


def _card():
    from webapp.domain.cards import validate_card

    card, errors = validate_card(GOOD_CARD, "12/30", "123", FIXED_NOW.date())
    assert card is not None, errors
    return card


# --- item 6: order pages for their session and payer only --------------------------------------

def order_urls(number: str, attempt_id: int | None = None) -> list[tuple[str, str]]:
    urls = [("get", f"/orders/{number}"), ("get", f"/orders/{number}/status"),
            ("post", f"/orders/{number}/card"), ("post", f"/orders/{number}/mobile/quote"),
            ("post", f"/orders/{number}/mobile"), ("post", f"/sandbox/orders/{number}/refund")]
    if attempt_id is not None:
        urls += [("get", f"/orders/{number}/3ds/{attempt_id}"),
                 ("post", f"/orders/{number}/3ds/{attempt_id}"),
                 ("post", f"/orders/{number}/3ds/{attempt_id}/resend"),
                 ("get", f"/orders/{number}/mobile/{attempt_id}"),
                 ("post", f"/orders/{number}/mobile/{attempt_id}"),
                 ("post", f"/orders/{number}/mobile/{attempt_id}/resend")]
    return urls


def test_an_order_is_404_for_anyone_but_its_session(client, app, seeded):
    order = place(client)
    response = pay_card(client, order, number="4000 0027 6000 3184")  # 3-D Secure
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    sms_before = db.session.scalar(select(func.count(SmsMessage.id)))
    stranger = app.test_client()
    for method, url in order_urls(order.number, attempt_id):
        answer = getattr(stranger, method)(url + "?lang=en", data={
            **CARD, "attempt_key": "k" * 24, "phone": B, "operator": "megafon", "code": "123456"})
        assert answer.status_code == 404, url
        assert "926 123-45-67" not in answer.get_data(as_text=True), url
    # A stranger signed in as another number fares no better, and nothing was changed.
    sign_in(stranger, A)
    assert stranger.get(f"/orders/{order.number}").status_code == 404
    assert db.session.scalar(select(func.count(SmsMessage.id))) == sms_before + 1  # sign-in
    assert db.session.scalar(select(PaymentAttempt.status)) == "pending"
    # The session that placed it sees everything, and an unknown order looks the same as a
    # stranger's.
    assert client.get(f"/orders/{order.number}").status_code == 200
    assert client.get(f"/orders/{order.number}/3ds/{attempt_id}").status_code == 200
    assert stranger.get("/orders/T-000000-000000").status_code == 404


def test_the_payer_sees_the_order_from_any_device_and_the_session_keeps_it_across_sign_in(
        app, seeded):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, A)
    placed = place(laptop)
    sign_in(phone, A)
    assert phone.get(f"/orders/{placed.number}").status_code == 200
    # An order placed before signing in stays this browser's after it (the order page's
    # "Sign in" link comes back to the order).
    anonymous = app.test_client()
    before = place(anonymous)
    assert anonymous.post("/signin", data={"phone": B,
                                           "next": f"/orders/{before.number}"}).status_code == 303
    code = re.search(r"\b\d{6}\b", latest_sms(B).body).group(0)
    back = anonymous.post("/signin/code", data={"code": code})
    assert back.headers["Location"] == f"/orders/{before.number}"
    assert anonymous.get(back.headers["Location"]).status_code == 200
    # Signing out ends it.
    anonymous.post("/signout")
    assert anonymous.get(f"/orders/{before.number}").status_code == 404


def test_the_payer_who_paid_sees_it_and_the_account_lists_it(app, seeded):
    placer, payer = app.test_client(), app.test_client()
    order = place(placer, phone="+79037000005", amount="20000")
    # The placer's session pays it signed in as B (A's number is not the one topped up).
    sign_in(placer, B)
    assert pay_card(placer, order).status_code == 303
    sign_in(payer, B)
    assert payer.get(f"/orders/{order.number}").status_code == 200
    account = payer.get("/account?lang=en").get_data(as_text=True)
    assert order.number in account


def test_a_top_up_paid_by_someone_else_shows_in_the_account_without_payment_details(
        client, app, seeded):
    stranger = app.test_client()
    gift = place(stranger, phone=A, amount="30000")
    assert pay_card(stranger, gift).status_code == 303
    unpaid = place(stranger, phone=A, amount="20000")
    sign_in(client, A)
    mine = place(client, phone=B)
    account = client.get("/account?lang=en").get_data(as_text=True)
    orders = account[account.index('id="orders"'):]
    assert mine.number in orders
    gift_line = re.search(r"<li>\s*<span class=\"what\">Top-up of your number by someone else"
                          r".*?</li>", orders, re.S)
    assert gift_line and "₽300" in gift_line.group(0)
    assert "credited" in orders
    assert gift.number not in orders and "4444" not in orders  # no order number, no card
    assert "₽300" in orders and unpaid.number not in orders and "₽200" not in orders
    # Its page is not the number owner's to open.
    assert client.get(f"/orders/{gift.number}").status_code == 404


def test_a_failed_mobile_payment_tells_its_reason_to_the_number_only(app, seeded):
    shopper = app.test_client()
    url = buy(shopper)
    phone = "+79826543210"  # MTS, enough money
    assert shopper.post(url + "/mobile?lang=en", data={"phone": phone,
                                                       "operator": "mts"}).status_code == 303
    code = re.match(r"(\d{6})", latest_sms(phone).body).group(1)
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.phone == phone))
    ledger.post(subscriber, "service_charge", -subscriber.balance(), clock.now())
    db.session.commit()
    shopper.post(f"/phone/{phone[1:]}/reply", data={"to": "6996", "text": code})
    page = shopper.get(url + "?lang=en").get_data(as_text=True)
    assert PRIVATE_TEXT in page and "Not enough money" not in page
    assert "Not enough money" in latest_sms(phone).body
    unpaid = db.session.scalar(select(Order).where(Order.number == url.rsplit("/", 1)[1]))
    assert unpaid.status == "awaiting_payment"
    # The number did not pay it: its owner, signed in, has no business on its page.
    owner = app.test_client()
    sign_in(owner, phone)
    assert owner.get(url).status_code == 404


# --- item 6: the trust result page ---------------------------------------------------------------

def test_the_trust_result_page_has_a_random_token(client, app, seeded):
    assert client.post("/trust", data={"phone": "+79037000005"}).status_code == 303
    code = re.search(r"\b\d{6}\b", latest_sms("+79037000005").body).group(0)
    done = client.post("/trust/confirm", data={"code": code}).headers["Location"]
    credit = db.session.scalar(select(TrustCredit).join(Subscriber).where(
        Subscriber.phone == "+79037000005"))
    assert done == f"/trust/done/{credit.token}" and len(credit.token) >= 22
    stranger = app.test_client()
    assert "+7 903 700-00-05" in stranger.get(done + "?lang=en").get_data(as_text=True)
    for guess in (str(credit.id), "1", credit.token[:-1], credit.token + "x", "x" * 40):
        assert stranger.get(f"/trust/done/{guess}").status_code == 404, guess
    assert db.session.scalar(select(func.count(func.distinct(TrustCredit.token)))) == \
        db.session.scalar(select(func.count(TrustCredit.id)))


# --- item 6: the mobile payment's quote and refusals ---------------------------------------------

# Every private refusal, an unknown number and another operator's among them.
PRIVATE_CASES = [
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
]


def quote(client, url, phone, operator, lang="en"):
    response = client.post(f"{url}/mobile/quote?lang={lang}", headers={"HX-Request": "true"},
                           data={"phone": phone, "operator": operator})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def outbox(phone: str) -> list[SmsMessage]:
    return list(db.session.scalars(select(SmsMessage).where(
        SmsMessage.phone == phone, SmsMessage.direction == "out").order_by(SmsMessage.id)))


def without_amounts(fragment: str) -> str:
    """The quote fragment without its public amounts (they differ by operator and product)."""
    return re.sub(r'<dl class="summary">.*?</dl>', "", fragment, flags=re.S)


@pytest.mark.parametrize("phone, operator, product, reason", PRIVATE_CASES)
def test_a_private_refusal_goes_to_the_number_by_sms_and_nobody_else_reads_it(
        client, seeded, phone, operator, product, reason):
    url = buy(client, product)
    page = quote(client, url, phone, operator)
    assert PRIVATE_TEXT in page and reason not in page
    assert "Left today" not in page and "This month" not in page
    for public in ("Amount", "fee</dt>", "Total to be debited"):
        assert public in page
    [sms] = outbox(phone)
    assert reason in sms.body and url.rsplit("/", 1)[1] in sms.body
    assert sms.peer == rules().operator(operator).name
    # The same page, whatever the reason: a banned number looks like an unknown one.
    banned = quote(client, buy(client, product), "+79871234567", "mts")
    assert without_amounts(page) == without_amounts(banned)
    # Starting the payment says the same and sends nothing more (the SMS already went).
    started = client.post(url + "/mobile?lang=en", data={"phone": phone, "operator": operator})
    assert started.status_code == 422 and PRIVATE_TEXT in started.get_data(as_text=True)
    assert reason not in started.get_data(as_text=True)
    assert len(outbox(phone)) == 1
    assert db.session.scalar(select(func.count(PaymentAttempt.id))) == 0


def test_the_number_signed_in_reads_its_reason_and_its_limits(client, app, seeded):
    sign_in(client, "+79831234567")
    url = buy(client)
    page = quote(client, url, "+79831234567", "mts")
    assert "limit of 5 payments a day" in page and PRIVATE_TEXT not in page
    ok = quote(client, url, "+79826543210", "mts")  # another number: no limits shown
    assert "Left today" not in ok and "₽200" in ok
    sign_in(client, "+79826543210")
    assert "Left today after this payment: ₽29,800" in quote(client, url, "+79826543210",
                                                                   "mts")
    assert len(outbox("+79831234567")) == 1  # the sign-in code only


@pytest.mark.parametrize("lang, text", [
    ("ru", "Недостаточно средств"), ("zh", "余额不足"), ("en", "Not enough money")])
def test_the_refusal_sms_is_in_the_language_of_the_page(client, seeded, lang, text):
    quote(client, buy(client, lang="ru"), "+79821234567", "mts", lang)
    [sms] = outbox("+79821234567")
    assert text in sms.body and sms.peer == "MTS"


def test_refusal_sms_are_rationed_per_number_and_reason(client, seeded):
    phone = "+79821234567"  # MTS, 209.99 ₽: short of funds for the 200 ₽ case
    url = buy(client)
    for _ in range(5):
        quote(client, url, phone, "mts")
        client.post(url + "/mobile", data={"phone": phone, "operator": "mts"})
    assert len(outbox(phone)) == 1
    # Another reason is another message (the number is not Beeline's).
    quote(client, url, phone, "beeline")
    assert [m.topic for m in outbox(phone)] == ["refusal:funds", "refusal:wrong_operator"]
    every = rules().refusal_sms_every
    clock.freeze(FIXED_NOW + every - timedelta(seconds=1))
    quote(client, url, phone, "mts")
    assert len(outbox(phone)) == 2
    clock.freeze(FIXED_NOW + every)
    quote(client, buy(client), phone, "mts")
    assert len(outbox(phone)) == 3


def test_an_accepted_quote_shows_no_limits_to_anyone_else(client, seeded):
    page = quote(client, buy(client), "+79826543210", "mts")
    assert "₽200" in page and "Total to be debited" in page
    assert "Left today" not in page and PRIVATE_TEXT not in page
    assert outbox("+79826543210") == []


@pytest.fixture
def limited_client(client_with):
    yield client_with(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                      RATELIMIT_KEY_PREFIX="test-" + secrets.token_hex(4))
    limiter.reset()


def test_quotes_are_rate_limited_per_address(limited_client, seeded):
    url = buy(limited_client)
    for i in range(30):
        response = limited_client.post(url + "/mobile/quote", data={
            "phone": f"+7982654{i:04d}", "operator": "mts"})
        assert response.status_code in (200, 422), i
    blocked = limited_client.post(url + "/mobile/quote?lang=en",
                                  data={"phone": "+79826543210", "operator": "mts"})
    assert blocked.status_code == 429
    assert "Too many requests" in blocked.get_data(as_text=True)
