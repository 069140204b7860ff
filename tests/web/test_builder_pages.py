"""The subscriber builder's pages (sandbox): the form in ru/en/zh with its errors, the JSON
endpoint (good, bad fields, wrong types, not JSON), CSRF, and absence outside sandbox mode."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import LedgerEntry, Subscriber

from ..factories import ledger_balance

API = "/sandbox/api/subscribers"
GOOD_FORM = {"operator": "beeline", "balance": "250,50", "tariff_kind": "prepaid",
             "activated_on": "2024-11-22", "location": "home", "mobile_payments_enabled": "y",
             "topped_up": "y", "history_months": "6", "monthly_spend": "300",
             "paid_day_count": "1", "paid_day_sum": "200", "paid_week_count": "2",
             "paid_week_sum": "400", "paid_month_count": "3", "paid_month_sum": "600"}


def subscribers() -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Subscriber))


def errors_on_page(page: str) -> dict[str, list[str]]:
    """Field → the error texts under it (the ids say which field they belong to)."""
    found: dict[str, list[str]] = {}
    for field, text in re.findall(r'<p class="error" id="(\w+)-error">([^<]*)</p>', page):
        found.setdefault(field, []).append(html.unescape(text))
    return found


@pytest.mark.parametrize(("lang", "title", "label"), [
    ("ru", "Конструктор абонентов", "Месяцев истории расходов"),
    ("en", "Subscriber builder", "Months of spending history"),
    ("zh", "测试号码生成器", "消费记录月数"),
])
def test_the_form_in_three_languages(client, lang, title, label):
    index = client.get(f"/sandbox/?lang={lang}").get_data(as_text=True)
    assert 'href="/sandbox/subscribers/new"' in index
    page = client.get(f"/sandbox/subscribers/new?lang={lang}").get_data(as_text=True)
    assert f"<h1>{title}</h1>" in page and label in page
    assert 'value="2024-11-22"' in page  # connected two years before FIXED_NOW by default
    assert 'name="topped_up" value="y" checked' in page


def test_the_form_builds_and_goes_to_the_subscriber(client):
    response = client.post("/sandbox/subscribers?lang=en", data=GOOD_FORM)
    assert response.status_code == 303
    digits = re.fullmatch(r"/sandbox/subscribers/(\d+)", response.headers["Location"])[1]
    phone = "+" + digits
    assert ledger_balance(phone) == 25050
    page = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "is ready" in page and "Made with the subscriber builder" in page
    assert "250.50" in page


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", {"balance": ["Enter an amount like 150, 150.50 or -45."],
            "activated_on": ["Enter the date as YYYY-MM-DD, for example 2024-01-31."],
            "history_months": ["Enter a whole number, like 3."]}),
    ("ru", {"balance": ["Введите сумму, например 150, 150,50 или -45."],
            "activated_on": ["Введите дату в формате ГГГГ-ММ-ДД, например 2024-01-31."],
            "history_months": ["Введите целое число, например 3."]}),
    ("zh", {"balance": ["请输入金额，例如150、150.50或-45。"],
            "activated_on": ["请按“年-月-日”格式输入日期，例如2024-01-31。"],
            "history_months": ["请输入整数，例如3。"]}),
])
def test_form_field_errors_in_three_languages(client, lang, expected):
    bad = GOOD_FORM | {"balance": "12 рублей", "activated_on": "22.11.2024",
                       "history_months": "six"}
    response = client.post(f"/sandbox/subscribers?lang={lang}", data=bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert errors_on_page(page) == expected
    assert 'aria-invalid="true" aria-describedby="balance-error"' in page
    assert 'value="12 рублей"' in page  # what was typed comes back
    assert subscribers() == 0


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", {"monthly_fee": ["A monthly-fee tariff needs its monthly fee."],
            "suspended": ["A number is suspended only for debt: give a balance below zero."],
            "paid_month_count": ["This week's payments count in this month too: at least 2 "
                                 "payments."]}),
    ("ru", {"monthly_fee": ["Укажите абонентскую плату тарифа."],
            "suspended": ["Номер блокируют только за долг: укажите отрицательный баланс."],
            "paid_month_count": ["Платежи этой недели входят и в этот месяц: минимум 2 "
                                 "платежа."]}),
    ("zh", {"monthly_fee": ["月租套餐需填写月租费。"],
            "suspended": ["号码只会因欠费停机：请填写小于零的余额。"],
            "paid_month_count": ["本周的付款也计入本月：至少2笔。"]}),
])
def test_rules_between_fields_in_three_languages(client, lang, expected):
    bad = GOOD_FORM | {"tariff_kind": "monthly_fee", "suspended": "y", "paid_day_count": "0",
                       "paid_day_sum": "0", "paid_month_count": "1", "paid_month_sum": "400"}
    response = client.post(f"/sandbox/subscribers?lang={lang}", data=bad)
    assert response.status_code == 422
    assert errors_on_page(response.get_data(as_text=True)) == expected
    assert subscribers() == 0


def test_payment_figures_with_their_money_and_dates(client):
    bad = GOOD_FORM | {"paid_week_sum": "100", "activated_on": "2026-11-20",
                       "history_months": "0", "monthly_spend": "0"}
    page = client.post("/sandbox/subscribers?lang=ru", data=bad).get_data(as_text=True)
    found = errors_on_page(page)
    assert found["paid_week_sum"] == ["Сегодняшние платежи тоже входят сюда: минимум 200\xa0₽."]
    bad = GOOD_FORM | {"activated_on": "2026-11-20", "history_months": "0",
                       "monthly_spend": "0", "paid_month_count": "3"}
    page = client.post("/sandbox/subscribers?lang=en", data=bad).get_data(as_text=True)
    assert errors_on_page(page)["paid_month_count"] == [
        "For this number this week and this month begin on the same day (November 20, 2026): "
        "give the same figures for both."]


def test_json_builds_and_answers_in_the_same_fields(client):
    response = client.post(API, json={
        "operator": "mts", "balance": 1234.5, "paid_day_count": 2, "paid_day_sum": "300",
        "paid_week_count": 2, "paid_week_sum": 300, "paid_month_count": 2,
        "paid_month_sum": "300.00", "history_months": 2, "monthly_spend": "100",
        "activated_on": "2025-01-31", "tariff_name": "Smart"})
    assert response.status_code == 201, response.json
    body = response.json
    phone = body["phone"]
    assert response.headers["Location"] == f"http://localhost/sandbox/subscribers/{phone[1:]}"
    assert body["sandbox_url"] == response.headers["Location"]
    assert body["virtual_phone_url"] == f"http://localhost/phone/{phone[1:]}"
    assert {k: body[k] for k in ("market", "operator", "balance", "currency", "tariff_kind",
                                 "tariff_name", "location", "activated_on",
                                 "mobile_payments_enabled", "topped_up", "auto_trust",
                                 "paid_day_count", "paid_day_sum", "monthly_fee")} == {
        "market": "RU", "operator": "mts", "balance": "1234.50", "currency": "RUB",
        "tariff_kind": "prepaid", "tariff_name": "Smart", "location": "home",
        "activated_on": "2025-01-31", "mobile_payments_enabled": True, "topped_up": True,
        "auto_trust": False, "paid_day_count": 2, "paid_day_sum": "300.00",
        "monthly_fee": None}
    assert ledger_balance(phone) == 123450
    debits = db.session.scalar(select(func.count()).select_from(LedgerEntry).join(Subscriber)
                               .where(Subscriber.phone == phone,
                                      LedgerEntry.kind == "mcommerce_debit"))
    assert debits == 2


def test_json_with_only_the_required_fields(client):
    response = client.post(API, json={"operator": "china_mobile", "balance": "56"})
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["market"], body["currency"], body["balance"], body["activated_on"]) == (
        "CN", "CNY", "56.00", "2024-11-22")
    assert body["phone"].startswith("+86")


def test_json_bad_fields_get_a_list_of_field_errors(client):
    response = client.post(API + "?lang=en", json={
        "operator": "tele2", "balance": "-10", "market": "CN", "location": "crimea"})
    assert response.status_code == 422
    assert response.json == {"errors": [
        {"field": "operator", "message": "This operator does not work in the chosen country."}]}
    response = client.post(API + "?lang=en", json={
        "operator": "tele2", "balance": "-10", "location": "mars", "phone": "12345",
        "auto_trust": True, "paid_day_count": 1})
    assert response.status_code == 422
    assert response.json == {"errors": [
        {"field": "location", "message": "Choose one of: home, roaming, crimea."}]}
    response = client.post(API + "?lang=en", json={
        "operator": "tele2", "balance": "-10", "phone": "12345", "auto_trust": True})
    assert response.json["errors"] == [
        {"field": "phone", "message": "This is not a valid phone number. Check the digits."},
        {"field": "auto_trust", "message": "This operator has no auto trust payment."}]
    assert subscribers() == 0


@pytest.mark.parametrize("lang", ["en", "ru", "zh"])
def test_json_wrong_types_and_unknown_fields(client, lang):
    response = client.post(f"{API}?lang={lang}", json={
        "operator": 5, "balance": True, "suspended": "yes", "history_months": 1.5,
        "paid_day_count": -1, "colour": "red", "phone": None})
    assert response.status_code == 422
    fields = [e["field"] for e in response.json["errors"]]
    assert fields == ["operator", "balance", "suspended", "history_months", "paid_day_count",
                      "colour"]
    messages = {e["field"]: e["message"] for e in response.json["errors"]}
    assert messages["suspended"] == {"en": "Expected true or false.",
                                     "ru": "Ожидается true или false.",
                                     "zh": "应为true或false。"}[lang]
    assert messages["colour"] == {"en": "There is no such field.", "ru": "Такого поля нет.",
                                  "zh": "没有这个字段。"}[lang]
    assert subscribers() == 0


@pytest.mark.parametrize(("body", "headers", "status"), [
    (b'{"operator": "mts"', {"Content-Type": "application/json"}, 400),
    (b'["operator", "mts"]', {"Content-Type": "application/json"}, 400),
    (b"\xff\xfe", {"Content-Type": "application/json"}, 400),
    (b"", {"Content-Type": "application/json"}, 400),
    (b"[" * 100_000 + b"]" * 100_000, {"Content-Type": "application/json"}, 400),
    (b"operator=mts&balance=10", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
])
def test_json_that_is_not_an_object_of_fields(client, body, headers, status):
    response = client.post(API, data=body, headers=headers)
    assert response.status_code == status
    assert response.json["errors"][0]["field"] is None
    assert subscribers() == 0


def test_json_is_csrf_exempt_and_the_form_is_not(client_with):
    client = client_with(WTF_CSRF_ENABLED=True)
    assert client.post(API, json={"operator": "mts", "balance": "10"}).status_code == 201
    assert client.post("/sandbox/subscribers", data=GOOD_FORM).status_code == 400
    assert subscribers() == 1


def test_absent_outside_sandbox(client_with):
    client = client_with(SANDBOX=False)
    assert client.post(API, json={"operator": "mts", "balance": "10"}).status_code == 404
    assert client.get("/sandbox/subscribers/new").status_code == 404
    assert client.post("/sandbox/subscribers", data=GOOD_FORM).status_code == 404
    assert subscribers() == 0
