"""The ru/en/zh catalogs are complete, keep their placeholders and match the code; every
message a translator cannot place without help has a translator comment; the pseudo-locale
keeps every placeholder.

A string added to a template or to webapp/ without a translation fails here, naming the
msgids: run `make translations` and translate them. None of these tests needs a database.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import flask_babel
import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
LANGUAGES = ["ru", "en", "zh"]
# The same keywords as `make translations`.
KEYWORDS = ["_l", "lazy_gettext", "ngettext:1,2", "lazy_ngettext:1,2", "pgettext:1c,2",
            "lazy_pgettext:1c,2", "npgettext:1c,2,3"]
COMMENT_TAG = "TRANSLATORS:"
# "%%" is a literal percent; "%(name)s" (any conversion) is a placeholder.
_FORMAT = re.compile(r"%%|%\((?P<name>[^)]*)\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")


def load(lang: str) -> Catalog:
    path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def messages(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]  # the header's id is ""


def forms(message: Message) -> list[str]:
    if message.pluralizable:
        return list(message.string or ())
    return [message.string or ""]


def msgids(message: Message) -> list[str]:
    return list(message.id) if message.pluralizable else [message.id]


def placeholders(text: str) -> set[str]:
    return {m["name"] for m in _FORMAT.finditer(text) if m["name"] is not None}


def show(message: Message) -> str:
    return repr(message.id[0] if message.pluralizable else message.id)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """The messages of webapp/**.py and templates/**.html, extracted now."""
    pot = tmp_path_factory.mktemp("extract") / "messages.pot"
    args = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        "extract",
        "-F",
        "babel.cfg",
        "-c",
        COMMENT_TAG,
        "--sort-output",
        "-o",
        str(pot),
    ]
    for keyword in KEYWORDS:
        args += ["-k", keyword]
    result = subprocess.run([*args, "."], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    with pot.open("rb") as f:
        catalog = read_po(f)
    assert messages(catalog), "extraction found no messages at all"
    return catalog


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang):
    catalog = load(lang)
    assert messages(catalog), f"{lang}: the catalog is empty"
    untranslated = []
    for message in messages(catalog):
        strings = forms(message)
        if message.pluralizable and len(strings) != catalog.num_plurals:
            untranslated.append(
                f"{show(message)} has {len(strings)} plural forms, "
                f"{lang} needs {catalog.num_plurals}"
            )
        elif not all(s.strip() for s in strings):
            untranslated.append(show(message))
    assert not untranslated, f"{lang}: untranslated messages:\n" + "\n".join(untranslated)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_message_is_fuzzy(lang):
    catalog = load(lang)
    fuzzy = [show(m) for m in messages(catalog) if m.fuzzy]
    assert not fuzzy, f"{lang}: fuzzy messages (check and drop the flag):\n" + "\n".join(fuzzy)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_kept(lang):
    catalog = load(lang)
    wrong = []
    for message in messages(catalog):
        expected = set().union(*(placeholders(i) for i in msgids(message)))
        for index, text in enumerate(forms(message)):
            if not text:
                continue  # reported by test_every_message_is_translated
            where = f"{show(message)} (form {index})" if message.pluralizable else show(message)
            found = placeholders(text)
            if found != expected:
                wrong.append(f"{where}: msgstr has {sorted(found)}, msgid has {sorted(expected)}")
            elif expected or message.python_format:
                try:  # a stray "%" (not "%%") would break the string at run time
                    text % dict.fromkeys(expected, 1)
                except (ValueError, TypeError, KeyError) as exc:
                    wrong.append(f"{where}: msgstr {text!r} does not format: {exc}")
    assert not wrong, f"{lang}: placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_every_extracted_message(lang, extracted):
    catalog = load(lang)
    missing = [show(m) for m in messages(extracted) if catalog.get(m.id, context=m.context) is None]
    assert not missing, (
        f"{lang}: not in the catalog (run `make translations`, then "
        f"translate them):\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("lang", ["ru", "zh"])
def test_compiled_catalog_is_used(lang):
    from webapp import create_app
    from webapp.config import TestConfig

    app = create_app(TestConfig)
    expected = load(lang).get("Place an order").string
    with app.test_request_context(f"/?lang={lang}"):
        translated = flask_babel.gettext("Place an order")
    assert translated != "Place an order", (
        f"{lang}: no compiled translation is used (run `make compile-translations`)"
    )
    assert translated == expected, f"{lang}: the compiled .mo is older than the .po"


def needs_comment(message: Message) -> bool:
    """A placeholder (what will it be?) or fewer than 3 words (where is it?)."""
    ids = msgids(message)
    return any(placeholders(i) for i in ids) or len(ids[0].split()) < 3


def test_every_placeholder_and_short_message_has_a_translator_comment(extracted):
    """`# TRANSLATORS:` in Python, `{# TRANSLATORS: #}` in Jinja, just before the call: what
    each placeholder will be (with an example) and where a short string appears."""
    missing = sorted(
        show(m) + "  (" + ", ".join(f"{path}:{line}" for path, line in m.locations) + ")"
        for m in messages(extracted)
        if needs_comment(m) and not m.auto_comments)
    assert not missing, "no TRANSLATORS: comment for:\n" + "\n".join(missing)


def test_extraction_keeps_where_each_message_is_used(extracted):
    """The #: references that link a string to its screens (no --no-location)."""
    unplaced = [show(m) for m in messages(extracted) if not m.locations]
    assert not unplaced, "messages without a location:\n" + "\n".join(unplaced)


def test_catalogs_keep_locations_and_comments():
    """The committed catalogs were made by `make translations` with locations and comments."""
    catalog = load("ru")
    assert all(m.locations for m in messages(catalog)), "run `make translations`"
    assert sum(bool(m.auto_comments) for m in messages(catalog)) > 100, "run `make translations`"


def test_one_english_word_with_two_meanings_has_a_context(extracted):
    """Those that a language translates two ways (Chinese: a saved card is 解绑, a typed
    character 删除) are told apart by msgctxt."""
    contexts = {(m.context, m.id) for m in messages(extracted)}
    for pair in [("saved card", "Remove"), ("dialer key", "Delete"),
                 ("order status", "expired"), ("order status", "paid"),
                 ("tariff kind", "Monthly fee")]:
        assert pair in contexts, pair
    zh = load("zh")
    assert zh.get("Remove", context="saved card").string == "解绑"
    assert zh.get("Delete", context="dialer key").string == "删除"


# --- the pseudo-locale ------------------------------------------------------------------------

def test_pseudo_form_of_every_message_keeps_its_placeholders_tags_and_plurals():
    from webapp.pseudo import pseudo_catalog

    english = load("en")
    made = pseudo_catalog(english)
    wrong = []
    for message in messages(english):
        pseudo = made.get(message.id, context=message.context)
        expected = set().union(*(placeholders(i) for i in msgids(message)))
        texts = forms(pseudo)
        if message.pluralizable and len(texts) != 2:
            wrong.append(f"{show(message)}: {len(texts)} plural forms")
        for text in texts:
            kept = re.sub(_FORMAT, "", re.sub(r"<[^>]*>|&#?\w+;", "", text))
            body = re.sub(r" [a-z ]+\]$", "", kept)  # the padding words are plain on purpose
            tags = re.findall(r"<[^>]*>", forms(message)[0])
            if (placeholders(text) != expected or re.findall(r"<[^>]*>", text) != tags
                    or not (text.startswith("[") and text.endswith("]"))
                    or re.search(r"[A-Za-z]", body)):
                wrong.append(f"{show(message)} -> {text!r}")
            else:
                text % dict.fromkeys(expected, 1)  # still formats
    assert not wrong, "pseudo forms that lost something:\n" + "\n".join(wrong)


def test_pseudo_text_is_about_forty_percent_longer():
    from webapp.pseudo import pseudo

    text = "Pay within an hour or the order is cancelled"
    made = pseudo(text)
    assert 1.35 <= (len(made) - 2) / len(text) <= 1.5
    assert pseudo("Pay %(price)s") == "[Ƥȧẏ %(price)s on]"


def test_compiled_pseudo_locale_is_used():
    from webapp import create_app
    from webapp.config import TestConfig

    app = create_app(TestConfig)
    with app.test_request_context("/?lang=qps"):
        translated = flask_babel.gettext("Place an order")
    assert translated.startswith("[Ƥŀȧƈḗ ȧƞ ǿřḓḗř"), (
        f"{translated!r}: no compiled pseudo-locale (run `make compile-translations`)")
