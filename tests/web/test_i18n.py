"""Locale choice, the switcher that keeps the screen, and Babel formats."""

import re
from pathlib import Path

import pytest
from flask_babel import gettext

from webapp.i18n import current_lang, money
from webapp.services import sms_texts

from ..conftest import FIXED_NOW
from ..factories import topup_order


@pytest.mark.parametrize("header, lang", [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"),
    ("en-US,en;q=0.9", "en"),
    ("ru-RU", "ru"),
    ("fr-FR, zh-TW;q=0.5", "zh-Hans"),  # primary subtag match, even for another script
    ("de-DE", "ru"),  # nothing matches: the default
])
def test_accept_language_by_primary_subtag(app, header, lang):
    body = app.test_client().get("/topup/RU", headers={"Accept-Language": header})
    assert f'<html lang="{lang}">' in body.get_data(as_text=True)


def test_explicit_choice_is_kept_in_a_cookie(app):
    client = app.test_client()
    client.get("/topup/RU?lang=en")
    body = client.get("/topup/RU", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en">' in body


def test_switcher_keeps_the_same_screen(client):
    order = topup_order(client=client)
    body = client.get(f"/orders/{order.number}?lang=ru").get_data(as_text=True)
    assert f'href="/orders/{order.number}?lang=zh"' in body
    assert f'href="/orders/{order.number}?lang=en"' in body
    form = client.get("/topup/CN?phone=13812345678&lang=en").get_data(as_text=True)
    assert 'href="/topup/CN?phone=13812345678&amp;lang=zh"' in form


def test_switcher_keeps_a_query_value_that_looks_like_its_placeholder(client):
    form = client.get("/topup/CN?phone=LANGSLOT&lang=en").get_data(as_text=True)
    assert 'href="/topup/CN?phone=LANGSLOT&amp;lang=zh"' in form
    assert 'href="/topup/CN?phone=LANGSLOT&amp;lang=ru"' in form


def test_switcher_after_a_failed_post_points_to_the_page(client):
    order = topup_order(client=client)
    body = client.post(f"/orders/{order.number}/card", data={"number": "1"}).get_data(
        as_text=True)
    assert f'href="/orders/{order.number}?lang=en"' in body


@pytest.mark.parametrize("lang, text", [
    ("ru", "1\u00a0500\u00a0₽"), ("en", "₽1,500"), ("zh", "₽1,500"),
])
def test_money_is_formatted_by_babel(client, lang, text):
    body = client.get(f"/topup/RU?lang={lang}").get_data(as_text=True)
    assert text in body


def test_yuan_in_chinese(client):
    assert "¥3,000" in client.get("/topup/CN?lang=zh").get_data(as_text=True)


def test_an_sms_in_another_language_inside_a_page_request(app):
    """The page's language is remembered for the request; an SMS text in another language
    made during it has its own formats and wording, and the page keeps its own after it."""
    with app.test_request_context("/topup/RU?lang=en"):
        assert money(150000, "RUB") == "₽1,500"
        text = sms_texts.trust("ru", "123456", 30000, 2500, FIXED_NOW)
        assert "300\u00a0₽" in text and "25\u00a0₽" in text
        assert text.startswith("Код 123456 для получения доверительного платежа")
        assert (current_lang(), money(150000, "RUB")) == ("en", "₽1,500")
        assert gettext("Top up") == "Top up"


def test_no_module_uses_flask_babels_force_locale_directly():
    """Its locale change would not reach the request's remembered formats: i18n.force_locale
    sets them aside too."""
    webapp = Path(__file__).resolve().parents[2] / "webapp"
    users = [str(path.relative_to(webapp)) for path in webapp.rglob("*.py")
             if re.search(r"from flask_babel import[^\n]*\bforce_locale\b",
                          path.read_text(encoding="utf-8"))]
    assert users == []
