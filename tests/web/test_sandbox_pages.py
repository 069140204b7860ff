"""The sandbox pages speak the page's language: demo notes, tariff kinds and names, ledger
kinds, trust credit kinds and statuses, dates through Babel — never the database's raw names
or ISO dates, whichever subscriber is shown."""

from __future__ import annotations

import re
from datetime import date

import pytest

from webapp.services import builder, demo, trust
from webapp.services.builder import SubscriberSpec

RAW = re.compile(r"service_charge|mcommerce_debit|starting_balance|trust_credit|"
                 r"trust_repayment|monthly_fee|one_off|\((prepaid|postpaid|corporate)\)|"
                 r"\b\d{4}-\d{2}-\d{2}\b")
PAGES = ["/sandbox/", "/sandbox/subscribers/79037000019", "/sandbox/subscribers/79037000017",
         "/sandbox/subscribers/8615012345678", "/sandbox/subscribers/79091112233"]
SEEN = {
    "ru": ["Связь и интернет", "Плата за автоматический доверительный платёж",
           "автоматический, не погашен, срок погашения", "Тариф за 58 юаней",
           "Безлимит 600 (600\xa0₽ в месяц)",
           "Доверительный платёж не дадут: предыдущий ещё не погашен",
           "Создан в конструкторе абонентов", "Мобильный платёж", "Начальный баланс",
           "10 января 2024\u202fг."],
    "zh": ["通话和上网", "自动预支话费服务费", "自动，待归还，应于", "58元套餐",
           "无限畅享600（月租",
           "不能预支话费：上一笔预支尚未归还", "由测试号码生成器创建", "话费支付", "期初余额",
           "2024年1月10日"],
    "en": ["Calls and internet", "Auto trust payment fee", "automatic, to be paid back: due",
           "58 yuan plan", "Trust refused: a trust payment is outstanding",
           "Made with the subscriber builder", "Mobile payment", "Opening balance",
           "January 10, 2024"],
}


@pytest.fixture
def subscribers(app):
    demo.seed()
    trust.spend("+79037000019", 2000)  # the auto trust payment fires: a credit to list
    built = builder.create(SubscriberSpec(
        operator="mts", balance=100, activated_on=date(2024, 1, 10), history_months=0,
        paid={"day": builder.Paid(1, 100), "week": builder.Paid(1, 100),
              "month": builder.Paid(1, 100)}))
    return PAGES + [f"/sandbox/subscribers/{built.spec.phone[1:]}"]


@pytest.mark.parametrize("lang", ["ru", "zh", "en"])
def test_no_raw_names_or_iso_dates(client, subscribers, lang):
    shown = ""
    for url in subscribers:
        response = client.get(f"{url}?lang={lang}")
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        body = re.sub(r"<[^>]+>", " ", page.split("<main>", 1)[1])  # what a person reads
        assert not RAW.search(body), (url, RAW.search(body).group(0))
        assert 'lang="en"' not in page.split("<main>", 1)[1], url
        shown += page
    for text in SEEN[lang]:
        assert text in shown, text
