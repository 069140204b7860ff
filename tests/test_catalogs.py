"""The ru/en/zh catalogs are complete, keep their placeholders and match the code.

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
KEYWORDS = ["_l", "lazy_gettext", "ngettext:1,2", "lazy_ngettext:1,2"]
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
        "--no-location",
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
