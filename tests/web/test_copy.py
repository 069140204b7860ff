"""The pseudo-locale as a tester meets it, and the words and formats people read (issue 12's copy
fixes): the ruble sign in every language, no ",00" on whole amounts, dates with the market's
zone, "7 дней", operators by their local names, the wording a native speaker expects."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest

from webapp import create_app
from webapp.config import TestConfig
from webapp.i18n import duration, local_time, money

from ..conftest import FIXED_NOW
from ..factories import page_text


def html(client, url: str, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@contextmanager
def in_lang(app, lang: str):
    """A request in `lang`, in a fresh app context (a fresh `g`: the page's language is kept
    there for the request)."""
    with app.app_context(), app.test_request_context(f"/?lang={lang}"):
        yield


# --- the pseudo-locale -----------------------------------------------------------------------

def test_lang_qps_shows_the_pseudo_locale_with_english_formats(client):
    page = html(client, "/topup/RU?lang=qps")
    assert '<html lang="en-XA">' in page
    assert "<h1>[Ḿǿƀīŀḗ ŧǿƥ-ŭƥ" in page
    assert '<span class="sum">₽100</span>' in page  # English money, no decimals
    assert "[Ƥŀȧƈḗ ȧƞ ǿřḓḗř" in page
    # Operator names come from the rules data, made pseudo from the English ones.
    assert "<span>[ḾŦŞ" in page


def test_qps_is_kept_in_the_cookie_like_any_choice(client):
    client.get("/topup/RU?lang=qps")
    assert '<html lang="en-XA">' in html(client, "/topup/RU")


def test_qps_is_never_chosen_from_the_browser_languages(client):
    assert '<html lang="ru">' in html(client, "/topup/RU", **{"Accept-Language": "qps"})
    # en-XA is English by its primary subtag, as any en-* is.
    assert '<html lang="en">' in html(client, "/topup/RU", **{"Accept-Language": "en-XA"})


def test_the_switcher_offers_qps_in_sandbox_mode_only(client, database_url):
    assert 'href="/topup/RU?lang=qps"' in html(client, "/topup/RU?lang=ru")
    production = create_app(TestConfig, {"SANDBOX": False, "SQLALCHEMY_DATABASE_URI":
                                         database_url})
    with production.app_context():
        page = production.test_client().get("/topup/RU?lang=qps").get_data(as_text=True)
    assert '<html lang="ru">' in page and "lang=qps" not in page


def test_sms_caused_by_a_qps_page_is_in_qps(app):
    from webapp.services import sms_texts

    with in_lang(app, "qps"):
        text = sms_texts.sign_in("qps", "123456")
    assert text.startswith("[123456 īş ẏǿŭř ƈǿḓḗ")


# --- money, dates, durations -----------------------------------------------------------------

@pytest.mark.parametrize(("lang", "whole", "kopecks", "yuan"), [
    ("ru", "1\u00a0500\u00a0₽", "0,50\u00a0₽", "98\u00a0¥"),
    ("en", "₽1,500", "₽0.50", "¥98"),
    ("zh", "₽1,500", "₽0.50", "¥98"),
])
def test_money_has_the_currency_sign_and_no_zero_decimals(app, lang, whole, kopecks, yuan):
    with in_lang(app, lang):
        assert (money(150000, "RUB"), money(50, "RUB"), money(9800, "CNY")) == (
            whole, kopecks, yuan)
        assert money(-4550, "RUB") in ("-45,50\u00a0₽", "-₽45.50")


@pytest.mark.parametrize(("lang", "moscow", "beijing"), [
    ("ru", "22 ноября в 09:00 МСК", "22 ноября в 14:00 по пекинскому времени"),
    ("en", "November 22 at 9:00\u202fAM Moscow time", "November 22 at 2:00\u202fPM Beijing time"),
    ("zh", "莫斯科时间11月22日09:00", "北京时间11月22日14:00"),
])
def test_a_moment_is_written_with_its_zone_and_without_seconds(app, lang, moscow, beijing):
    with in_lang(app, lang):
        assert local_time(FIXED_NOW, "Europe/Moscow") == moscow
        assert local_time(FIXED_NOW, "Asia/Shanghai") == beijing


def test_a_moment_of_another_year_has_its_year(app):
    with in_lang(app, "ru"):
        moment = local_time(FIXED_NOW - timedelta(days=365), "Europe/Moscow")
    assert re.sub(r"\s", " ", moment) == "22 ноября 2025 г. в 09:00 МСК"


@pytest.mark.parametrize(("lang", "delta", "text"), [
    ("ru", timedelta(days=7), "7 дней"),  # not "1 неделя"
    ("ru", timedelta(days=3), "3 дня"),
    ("ru", timedelta(minutes=59, seconds=59), "59 минут"),  # never rounded up
    ("ru", timedelta(hours=1), "1 час"),
    ("ru", timedelta(seconds=59), "59 секунд"),
    ("zh", timedelta(days=7), "7天"),
    ("zh", timedelta(minutes=59), "59分钟"),
    ("en", timedelta(days=7), "7 days"),
    ("en", timedelta(seconds=-5), "0 seconds"),
])
def test_durations_in_whole_units_and_days_never_weeks(app, lang, delta, text):
    with in_lang(app, lang):
        assert duration(delta) == text


def test_formats_follow_the_language_of_each_request(app):
    with in_lang(app, "ru"):
        assert money(10000, "RUB") == "100\u00a0₽"
    with in_lang(app, "en"):
        assert money(10000, "RUB") == "₽100"


# --- the words -------------------------------------------------------------------------------

def test_russian_pages_write_russian_operators_in_cyrillic(client):
    page = html(client, "/topup/RU?lang=ru")
    for name in ("МТС", "МегаФон", "Билайн", "Tele2"):
        assert f"<span>{name}</span>" in page
    assert "<span>MTS</span>" not in page and "<span>Beeline</span>" not in page


def test_chinese_operators_are_named_alone_in_chinese(client):
    page = html(client, "/topup/CN?lang=zh")
    assert "<span>中国移动</span>" in page and "China Mobile" not in page
    assert "<span>China Mobile</span>" in html(client, "/topup/CN?lang=en")


def test_whole_tiles_have_no_decimals(client):
    page = html(client, "/topup/CN?lang=zh")
    assert re.findall(r'<span class="sum">([^<]+)</span>', page)[:3] == ["¥30", "¥50", "¥100"]
    assert ".00" not in page


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["立即充值", "拨打"]),  # not 提交订单, 呼叫
    ("ru", ["Оформить заказ", "Позвонить"]),
])
def test_buttons_say_what_a_native_speaker_expects(client, lang, words):
    page = html(client, f"/topup/RU?lang={lang}") + html(client, f"/ussd/79031234567?lang={lang}")
    for word in words:
        assert word in page


def test_one_product_name_in_every_language(client):
    for lang in ("ru", "en", "zh"):
        page = html(client, f"/topup/RU?lang={lang}")
        assert '<a class="brand" href="/">Topup Sandbox</a>' in page


def test_chinese_code_status_has_no_spaces_around_numbers(app):
    from webapp.services import sms_texts

    with in_lang(app, "zh"):
        text = sms_texts.trust("zh", "123456", 45000, 4000, FIXED_NOW)
    assert "预支话费₽450（服务费₽40，将于莫斯科时间11月22日09:00扣回）" in text
    assert not re.search(r"[\u4e00-\u9fff] [\d₽¥]|[\d] [\u4e00-\u9fff]", page_text(text))
