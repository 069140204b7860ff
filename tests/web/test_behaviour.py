"""What a person meets (issue 8, items 15–19), through the Flask client: the top-up form's
live refresh and its "other amount", pages that stop waiting and say what to do next, one
card choice, refunds and next steps, language-true fees, the code length and the card expiry
date of the market's rules."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from webapp.clock import clock
from webapp.extensions import db
from webapp.models import Order, PaymentAttempt, SavedCard, SmsMessage
from webapp.rules.loader import RULES_DIR
from webapp.services import demo

from ..conftest import FIXED_NOW
from ..factories import page_text, pay, topup_order

THREE_DS_CARD = "4000 0027 6000 3184"


@pytest.fixture
def seeded(app):
    demo.seed()


def body(response) -> str:
    return response.get_data(as_text=True)


def latest_code(phone: str, digits: int = 6) -> str:
    """The code in the newest SMS to `phone`: every SMS text names it before any other number
    (amounts, order numbers, dates come after it), in every language."""
    text = db.session.scalars(select(SmsMessage.body).where(SmsMessage.phone == phone)
                              .order_by(SmsMessage.id.desc())).first()
    code = re.search(r"\d+", text).group(0)
    assert len(code) == digits, text
    return code


def sign_in(client, phone: str, digits: int = 6) -> None:
    assert client.post("/signin", data={"phone": phone}).status_code == 303
    response = client.post("/signin/code", data={"code": latest_code(phone, digits)})
    assert response.status_code == 303, body(response)


class _Tree(HTMLParser):
    """Just enough of an HTML tree: for each element with an id, the inputs inside it."""

    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self):
        super().__init__()
        self.open: list[tuple[str, str | None]] = []
        self.inputs_in: dict[str, list[dict]] = {}
        self.attrs_of: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            for _tag, element_id in self.open:
                if element_id:
                    self.inputs_in[element_id].append(attrs)
        if attrs.get("id"):
            self.attrs_of[attrs["id"]] = attrs
            self.inputs_in.setdefault(attrs["id"], [])
        if tag not in self.VOID:
            self.open.append((tag, attrs.get("id")))

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break


def tree(html: str) -> _Tree:
    parsed = _Tree()
    parsed.feed(html)
    return parsed


def status_block(html: str) -> str:
    return re.search(r'<section id="status".*?</section>', html, re.S).group(0)


# --- 15. the top-up form: typing an amount chooses it; the refresh swaps no field ----------------

def test_typed_other_amount_with_no_tile_chosen_is_the_other_amount(client):
    too_large = client.post("/topup/RU?lang=en", data={"phone": "+79031234567",
                                                       "other_amount": "99999"})
    assert too_large.status_code == 422
    assert "The amount is above the maximum of ₽1,500." in body(too_large)
    assert "Choose an amount." not in body(too_large)
    assert re.search(r'id="amount-other" value="other" checked', body(too_large))

    placed = client.post("/topup/RU", data={"phone": "+79031234567", "other_amount": "150"})
    assert placed.status_code == 303
    assert db.session.scalar(select(Order.amount)) == 15000


def test_a_chosen_tile_wins_over_a_typed_amount(client):
    """The server uses what was chosen: typing chooses "other" in the browser, at once."""
    placed = client.post("/topup/RU", data={"phone": "+79031234567", "amount": "20000",
                                            "other_amount": "150"})
    assert placed.status_code == 303
    assert db.session.scalar(select(Order.amount)) == 20000


def test_live_refresh_with_a_typed_amount_prices_it(client):
    fragment = client.get("/topup/RU", query_string={
        "lang": "en", "phone": "903 123 45 67", "other_amount": "1500"},
        headers={"HX-Request": "true"})
    html = body(fragment)
    assert 'id="amount-other" value="other" checked' in html
    assert re.search(r'<p class="total">To pay: ₽1,\d{3} instead of ₽1,500', html)
    large = body(client.get("/topup/RU", query_string={
        "lang": "en", "phone": "903 123 45 67", "other_amount": "99999"},
        headers={"HX-Request": "true"}))
    assert "The amount is above the maximum of ₽1,500." in large


@pytest.mark.parametrize("market", ["RU", "CN"])
def test_live_refresh_swaps_the_parts_around_the_fields_never_a_field(client, market):
    page = tree(body(client.get(f"/topup/{market}?lang=en")))
    form = page.attrs_of["topup-form"]
    assert form["hx-swap"] == "none"
    parts = [part.lstrip("#") for part in form["hx-select-oob"].split(",")]
    assert {"phone-help", "operators", "amount-errors", "summary"} <= set(parts)
    assert sum(part.startswith("price-") for part in parts) == len(
        [i for i in page.inputs_in["details"] if i.get("name") == "amount"]) - 1
    for part in parts:
        assert part in page.attrs_of, part
        typed_in = [i for i in page.inputs_in[part] if i.get("type") != "radio"]
        assert typed_in == [], f"#{part} would replace {typed_in}"
    # The refresh's answer (the fragment) has every part the form picks from it.
    fragment = tree(body(client.get(f"/topup/{market}?phone=1&lang=en",
                                    headers={"HX-Request": "true"})))
    assert set(parts) <= set(fragment.attrs_of)
    # Typing in the amount field chooses its tile (static/js/choices.js).
    assert page.attrs_of["other_amount"]["data-selects"] == "amount-other"
    assert page.attrs_of["amount-other"]["value"] == "other"


# --- 16. pages that poll stop in a final state and say what to do next --------------------------

def fill_the_hourly_cap(client, phone: str) -> None:
    """Five 3-D Secure payments to `phone` in this hour: five codes, the most it may get."""
    for i in range(5):
        order = topup_order(client=client, phone=phone)
        response = client.post(f"/orders/{order.number}/card", data={
            "number": THREE_DS_CARD, "expiry": "12/30", "cvc": "123",
            "attempt_key": f"cap-{i}-" + "k" * 16})
        assert response.status_code == 303
    assert db.session.scalar(select(func.count(SmsMessage.id)).where(
        SmsMessage.phone == phone)) == 5


def test_three_ds_page_says_at_once_why_no_code_came(client):
    phone = "+79031234567"
    fill_the_hourly_cap(client, phone)
    order = topup_order(client=client, phone=phone)
    response = client.post(f"/orders/{order.number}/card?lang=en", data={
        "number": THREE_DS_CARD, "expiry": "12/30", "cvc": "123", "attempt_key": "z" * 24})
    page_url = response.headers["Location"]
    assert re.fullmatch(rf"/orders/{order.number}/3ds/\d+", page_url)
    assert db.session.scalar(select(func.count(SmsMessage.id))) == 5  # no sixth SMS

    html = body(client.get(page_url + "?lang=en"))
    status = re.search(r'<section id="code-status".*?</section>', html, re.S).group(0)
    assert "No code was sent to +7 903 123-45-67: too many codes went to this number in the " \
           "last hour." in page_text(status)
    assert "You can ask for a new code in 1 hour." in status
    assert "hx-trigger" not in status  # nothing to wait for
    assert f'<a class="link" href="/orders/{order.number}">Pay another way</a>' in status
    assert 'id="code"' not in html  # no box for a code that never came
    ru = body(client.get(page_url + "?lang=ru"))
    assert "Код не отправлен" in ru


def start_mobile_payment(client) -> tuple[str, str]:
    url = client.post("/shop/RU/buy", data={"product": "phone-case"}).headers["Location"]
    waiting = client.post(url + "/mobile", data={"phone": "+79826543210", "operator": "mts"})
    assert waiting.status_code == 303
    return url, waiting.headers["Location"]


def test_mobile_waiting_stops_when_its_code_expires(client, seeded):
    url, waiting = start_mobile_payment(client)
    live = body(client.get(waiting + "?lang=en", headers={"HX-Request": "true"}))
    assert 'hx-trigger="every 3s"' in live and "Waiting for your reply…" in live

    clock.freeze(FIXED_NOW + timedelta(minutes=10))
    for headers in ({"HX-Request": "true"}, {}):
        html = body(client.get(waiting + "?lang=en", headers=headers))
        status = re.search(r'id="mobile-status".*?</div>', html, re.S).group(0)
        assert "hx-trigger" not in status
        assert "Waiting for your reply" not in html
        assert "A reply cannot confirm this payment now: there is no valid code." in status
        assert f'Ask for a new code below, or <a href="{url}">pay another way</a>.' in status
    code_status = body(client.get(waiting + "?part=code&lang=en",
                                  headers={"HX-Request": "true"}))
    assert "hx-trigger" not in code_status and "This code has expired." in code_status

    # A new code: the page waits again.
    assert client.post(waiting + "/resend").status_code == 303
    assert 'hx-trigger="every 3s"' in body(client.get(waiting, headers={"HX-Request": "true"}))


def test_mobile_waiting_ends_with_the_order(client, seeded):
    url, waiting = start_mobile_payment(client)
    clock.freeze(FIXED_NOW + timedelta(hours=1))
    assert client.get(waiting, headers={"HX-Request": "true"}).headers["HX-Redirect"] == url
    assert client.get(waiting).headers["Location"] == url
    assert db.session.scalar(select(PaymentAttempt.status)) == "canceled"


def test_sign_in_code_page_stops_and_offers_a_way_on(client):
    client.post("/signin", data={"phone": "+79161230001"})
    assert 'hx-trigger="every 5s"' in body(client.get("/signin/code?lang=en"))
    clock.freeze(FIXED_NOW + timedelta(minutes=10))
    html = body(client.get("/signin/code?lang=en"))
    status = re.search(r'<section id="code-status".*?</section>', html, re.S).group(0)
    assert "hx-trigger" not in status and "This code has expired. Ask for a new one." in status
    assert '<a class="link" href="/">Continue without signing in</a>' in status


def finish_topup(client, order_status: str):
    order = topup_order(client=client, phone="+79031234567",
                        operator="beeline" if order_status == "credited" else "mts")
    if order_status == "expired":
        clock.freeze(FIXED_NOW + timedelta(hours=1))
    else:
        pay(order)
    return order


@pytest.mark.parametrize("final, next_step", [
    ("expired", "Place a new order"),
    ("credited", "Top up another number"),
    ("refunded", "Try again with another operator"),
])
def test_order_status_stops_polling_in_a_final_state(client, seeded, final, next_step):
    order = finish_topup(client, final)
    html = body(client.get(f"/orders/{order.number}?lang=en"))
    assert f"status-{final}" in html
    assert "hx-trigger" not in status_block(html)
    assert next_step in html


# --- 17. one card choice, one form -------------------------------------------------------------

PAYER = "+79161230002"


def order_with_saved_card(client):
    """A signed-in payer with a saved Mastercard •••• 4444 and a new order to pay."""
    sign_in(client, PAYER)
    first = topup_order(client=client, phone=PAYER, operator="mts")
    client.post(f"/orders/{first.number}/card", data={
        "number": "5555 5555 5555 4444", "expiry": "12/30", "cvc": "123", "save_card": "1",
        "attempt_key": "first-" + "k" * 18})
    assert db.session.scalar(select(SavedCard.last4).where(SavedCard.owner_phone == PAYER)) \
        == "4444"
    return topup_order(client=client, phone=PAYER, operator="mts")


def last_attempt() -> PaymentAttempt:
    return db.session.scalars(select(PaymentAttempt).order_by(PaymentAttempt.id.desc())).first()


def test_card_form_is_one_choice_with_the_new_card_fields_under_it(client):
    order = order_with_saved_card(client)
    html = body(client.get(f"/orders/{order.number}?lang=en"))
    assert html.count('name="card_choice"') == 2  # the saved card and "new", nothing else
    fieldset = re.search(r'<fieldset class="card-choice">.*?</fieldset>', html, re.S).group(0)
    assert fieldset.count('name="card_choice"') == 2 and "Add a new card" in fieldset
    assert re.search(r'id="card-saved-1" value="[^"]+" checked>', fieldset)
    assert 'id="card-new" value="new">' in fieldset  # available, not chosen
    assert 'id="card-number"' not in fieldset
    # Each choice's own fields after the choice; CSS shows only the chosen one's.
    assert re.search(r'</fieldset>\s*<div class="saved-card">.*?id="saved-cvc"', html, re.S)
    assert re.search(r'<div class="new-card">.*id="card-number"[^>]*data-selects="card-new"',
                     html, re.S)
    css = body(client.get("/static/css/app.css"))
    assert ".pay-card:has(#card-new:not(:checked)) .new-card" in css
    assert ".pay-card:has(#card-new:checked) .saved-card" in css


def test_a_new_card_typed_while_a_saved_one_is_chosen_pays_with_the_new_card(client):
    order = order_with_saved_card(client)
    token = db.session.scalar(select(SavedCard.token))
    response = client.post(f"/orders/{order.number}/card?lang=en", data={
        "card_choice": token, "saved_cvc": "", "number": "4242 4242 4242 4242",
        "expiry": "12/30", "cvc": "123", "attempt_key": "second-" + "k" * 18})
    assert response.status_code == 303, body(response)
    assert last_attempt().details["last4"] == "4242" and last_attempt().status == "succeeded"


def test_the_chosen_saved_card_is_used_whatever_else_was_typed(client):
    order = order_with_saved_card(client)
    token = db.session.scalar(select(SavedCard.token))
    response = client.post(f"/orders/{order.number}/card?lang=en", data={
        "card_choice": token, "saved_cvc": "321", "number": "4242 4242 4242 4242",
        "expiry": "12/30", "cvc": "123", "attempt_key": "third-" + "k" * 18})
    assert response.status_code == 303
    assert last_attempt().details["last4"] == "4444"


def test_a_new_card_with_errors_comes_back_chosen(client):
    order = order_with_saved_card(client)
    response = client.post(f"/orders/{order.number}/card?lang=en", data={
        "card_choice": "new", "number": "4242 4242 4242 4241", "expiry": "12/30",
        "cvc": "123", "attempt_key": "fourth-" + "k" * 18})
    assert response.status_code == 422
    html = body(response)
    assert "This card number is not valid" in html
    assert 'id="card-new" value="new" checked' in html
    assert "CVC of the saved card" in html and "The CVC is the 3 digits" not in html


# --- 18. a refund says so; the trust result has next steps; fees in the page's language ---------

def test_refunded_topup_shows_the_refund_and_a_retry(client, seeded):
    order = topup_order(client=client, phone="+79031234567", operator="mts", amount="20000")
    pay(order, number="4242 4242 4242 4242")  # a Beeline number: MTS cannot credit it
    html = body(client.get(f"/orders/{order.number}?lang=en"))
    refund = re.search(r'<section class="receipt refund card-box".*?</section>', html, re.S)
    assert refund, html
    refund = refund.group(0)
    assert ">Refund</h2>" in refund and "Receipt" not in html
    assert "<dt>Paid</dt>" not in html
    for text in ("<dt>Refunded</dt><dd>₽200</dd>", "Card Visa •••• 4242",
                 "November 22 at 9:00\u202fAM Moscow time", "MTS does not serve this number"):
        assert text in refund, text
    link = re.search(r'<a class="button primary" href="([^"]+)">Try again with another '
                     r'operator</a>', refund).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert urlsplit(link).path == "/topup/RU"
    assert query == {"phone": ["903 123-45-67"], "amount": ["20000"], "refused_by": ["mts"]}

    # The form it opens: number and amount filled in, no operator chosen, the reason said.
    form = body(client.get(link + "&lang=en"))
    assert 'id="amount-20000" value="20000" checked' in form
    assert "checked" not in re.search(r'<fieldset class="operators".*?</fieldset>', form,
                                      re.S).group(0)
    assert "MTS could not credit +7 903 123-45-67 last time. Choose the operator it is with " \
           "now." in form
    assert 'name="refused_by" value="mts"' in form
    placed = client.post("/topup/RU", data={"phone": "+79031234567", "amount": "20000",
                                            "refused_by": "mts"})
    assert placed.status_code == 422  # the operator is still to be chosen
    ru = body(client.get(f"/orders/{order.number}?lang=ru"))
    assert "Возврат" in ru and "Попробовать с другим оператором" in ru


def test_retry_of_an_other_amount_keeps_it(client, seeded):
    order = topup_order(client=client, phone="+79031234567", operator="mts", amount="other",
                        other="150")
    pay(order)
    html = body(client.get(f"/orders/{order.number}?lang=en"))
    link = re.search(r'href="(/topup/RU\?[^"]+)">Try again', html).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(link).query)["other_amount"] == ["150.00"]
    form = body(client.get(link + "&lang=en"))
    assert 'value="150.00"' in form and 'id="amount-other" value="other" checked' in form


def test_trust_result_page_offers_next_steps(client, seeded):
    phone = "+79037000005"
    client.post("/trust", data={"phone": phone})
    done = client.post("/trust/confirm", data={"code": latest_code(phone)}).headers["Location"]
    html = body(client.get(done + "?lang=en"))
    steps = re.search(r'<nav class="card-box next-steps".*?</nav>', html, re.S).group(0)
    assert "Top up before November 25 at" in steps and "₽325" in steps
    links = dict((text, href.replace("&amp;", "&")) for href, text in
                 re.findall(r'<a class="button[^"]*" href="([^"]+)">(.+?)</a>', steps))
    links = {page_text(text): href for text, href in links.items()}
    top_up = links["Top up +7 903 700-00-05"]
    assert parse_qs(urlsplit(top_up).query) == {"phone": ["903 700-00-05"],
                                                 "operator": ["beeline"]}
    assert links["My account: balance and trust payments"] == "/account"
    assert links["Back to the start"] == "/"
    zh = body(client.get(done + "?lang=zh"))
    assert "接下来" in zh


def test_auto_trust_fee_follows_the_language_of_each_page(client, seeded):
    """The same compiled template serves ru, then en and zh: no language sticks to it."""
    sign_in(client, "+79037000003")
    ru = body(client.get("/account?lang=ru"))
    assert "0,50\u00a0₽" in ru and "0,75\u00a0₽" in ru
    for lang in ("en", "zh"):
        html = body(client.get(f"/account?lang={lang}"))
        assert "₽0.50" in html and "₽0.75" in html, lang
        assert "0,50" not in html and "0,75" not in html, lang
    # The threshold comes from the rules too, formatted like any amount.
    assert "ниже 50\u00a0₽" in body(client.get("/account?lang=ru"))
    assert "below ₽50" in body(client.get("/account?lang=en"))


def test_formatting_filters_with_constant_arguments_follow_each_request(app):
    """Jinja would call a plain filter on constants once, at compile time, for good."""
    source = ("{{ 50|money('RUB') }} | {{ fixed|local_time('Europe/Moscow') }} | "
              "{{ minutes|duration }}")
    values = {"fixed": FIXED_NOW, "minutes": timedelta(minutes=5)}
    with app.app_context(), app.test_request_context("/?lang=ru"):  # a fresh g each
        template = app.jinja_env.from_string(source)  # compiled while a Russian page renders
        money, moment, minutes = template.render(**values).split(" | ")
        assert (money, minutes) == ("0,50\u00a0₽", "5 минут") and "22 ноября в 09:00 МСК" == moment
    with app.app_context(), app.test_request_context("/?lang=en"):  # a fresh g each
        money, moment, minutes = template.render(**values).split(" | ")
        assert (money, minutes) == ("₽0.50", "5 minutes")
        assert moment == "November 22 at 9:00\u202fAM Moscow time"
    with app.app_context(), app.test_request_context("/?lang=zh"):  # a fresh g each
        money, moment, minutes = template.render(**values).split(" | ")
        assert (money, minutes) == ("₽0.50", "5分钟") and "莫斯科时间11月22日09:00" == moment


# --- 19. goods orders by name; the code length of the rules; expiry on the market's date --------

def test_account_lists_a_goods_order_by_its_product(client, seeded):
    sign_in(client, "+79161230003")
    client.post("/shop/RU/buy", data={"product": "phone-case"})
    client.post("/shop/RU/buy", data={"product": "custom", "amount": "12.50"})
    html = body(client.get("/account?lang=en"))
    orders = re.search(r'<section class="card-box" id="orders">.*?</section>', html, re.S)
    assert orders and "None" not in orders.group(0)
    assert "Phone case" in orders.group(0)
    assert "Order of any amount (sandbox)" in orders.group(0)


@pytest.fixture
def rules_with_digits(tmp_path):
    def make(digits: int):
        for path in RULES_DIR.glob("*.toml"):
            shutil.copy(path, tmp_path / path.name)
        codes = tmp_path / "codes.toml"
        codes.write_text(codes.read_text().replace("digits = 6", f"digits = {digits}"))
        return tmp_path

    return make


@pytest.mark.parametrize("digits", [4, 8])
def test_code_length_follows_the_rules_everywhere(client_with, rules_with_digits, seeded,
                                                  digits):
    client = client_with(RULES_DIR=rules_with_digits(digits))
    wrong_length = "1" * (digits + 1)
    expected = f"The code is {digits} digits."

    # Sign-in: the SMS, the field, the message, and the right code signs in.
    client.post("/signin", data={"phone": "+79161230004"})
    code = latest_code("+79161230004", digits)
    page = tree(body(client.get("/signin/code?lang=en")))
    field = page.attrs_of["code"]
    assert field["pattern"] == f"( *[0-9]){{{digits}}} *"
    assert int(field["maxlength"]) >= digits and field["title"] == expected
    refused = client.post("/signin/code?lang=en", data={"code": "1" * 6 if digits != 6
                                                        else wrong_length})
    assert refused.status_code == 422 and expected in body(refused)
    assert client.post("/signin/code", data={"code": code}).status_code == 303

    # 3-D Secure, the trust payment and the mobile payment read the same rule.
    order = topup_order(client=client)
    three_ds = client.post(f"/orders/{order.number}/card", data={
        "number": THREE_DS_CARD, "expiry": "12/30", "cvc": "123",
        "attempt_key": "digits-" + "k" * 18}).headers["Location"]
    assert len(latest_code("+79161230004", digits)) == digits
    refused = client.post(three_ds + "?lang=en", data={"code": wrong_length})
    assert refused.status_code == 422 and expected in body(refused)

    client.post("/trust", data={"phone": "+79037000005"})
    refused = client.post("/trust/confirm?lang=en", data={"code": wrong_length})
    assert refused.status_code == 422 and expected in body(refused)
    assert client.post("/trust/confirm", data={
        "code": latest_code("+79037000005", digits)}).status_code == 303

    url = client.post("/shop/RU/buy", data={"product": "phone-case"}).headers["Location"]
    waiting = client.post(url + "/mobile", data={"phone": "+79826543210",
                                                 "operator": "mts"}).headers["Location"]
    refused = client.post(waiting + "?lang=en", data={"code": wrong_length})
    assert refused.status_code == 422 and expected in body(refused)
    assert client.post(waiting, data={
        "code": latest_code("+79826543210", digits)}).headers["Location"] == url


def test_code_length_message_in_russian_and_chinese(client_with, rules_with_digits):
    client = client_with(RULES_DIR=rules_with_digits(4))
    client.post("/signin", data={"phone": "+79161230005"})
    ru = body(client.post("/signin/code?lang=ru", data={"code": "12"}))
    assert "Код состоит из 4 цифр." in ru
    zh = body(client.post("/signin/code?lang=zh", data={"code": "12"}))
    assert "验证码为4位数字。" in zh


@pytest.mark.parametrize("market, phone, operator, moment", [
    # 23:30 UTC on 30 November: 1 December, 02:30 in Moscow and 07:30 in Shanghai.
    ("RU", "+79031234567", "beeline", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
    ("CN", "+8613812345678", "china_mobile", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
])
def test_card_expiry_is_checked_on_the_market_date(client, market, phone, operator, moment):
    payer = "+79161230006"
    sign_in(client, payer)
    first = topup_order(client=client, phone=phone, operator=operator, market=market,
                        amount="10000")
    client.post(f"/orders/{first.number}/card", data={
        "number": "4242 4242 4242 4242", "expiry": "11/26", "cvc": "123", "save_card": "1",
        "attempt_key": "expiry-a-" + "k" * 16})
    token = db.session.scalar(select(SavedCard.token).where(SavedCard.owner_phone == payer))
    assert token, "a card valid through November is saved on 22 November"

    clock.freeze(moment)  # still November in UTC, already December on the market
    order = topup_order(client=client, phone=phone, operator=operator, market=market,
                        amount="10000")
    typed = client.post(f"/orders/{order.number}/card?lang=en", data={
        "card_choice": "new", "number": "4242 4242 4242 4242", "expiry": "11/26",
        "cvc": "123", "attempt_key": "expiry-b-" + "k" * 16})
    assert typed.status_code == 422 and "This card has expired." in body(typed)
    saved = client.post(f"/orders/{order.number}/card?lang=en", data={
        "card_choice": token, "saved_cvc": "123", "attempt_key": "expiry-c-" + "k" * 16})
    assert saved.status_code == 402
    assert "Declined: the bank says this card has expired." in body(saved)
    assert last_attempt().decline_code == "expired_card"
    assert db.session.get(Order, order.id).status == "awaiting_payment"
