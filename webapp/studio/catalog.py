"""The catalogs as a translator reads them: each message with its context, translator comment,
where it is used, and its text in ru, en, zh and the pseudo-locale.

Read from translations/messages.pot (comments and locations) and each language's .po, again
whenever one of the files changes (a translator saving a .po sees it on the next page).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from .. import pseudo

LANGS = ("ru", "en", "zh", pseudo.LANG)
CATALOG_LANGS = ("ru", "en", "zh")
_lock = Lock()
_cached: dict[str, object] = {}


def key_of(context: str | None, msgid: str) -> str:
    """A message's stable anchor: the same message keeps it across extractions."""
    return hashlib.sha1(f"{context or ''}\x04{msgid}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Entry:
    key: str
    msgid: str
    plural: str | None
    context: str | None
    comments: tuple[str, ...]  # TRANSLATORS: comments (#.)
    locations: tuple[str, ...]  # file:line (#:)
    texts: dict[str, str]  # language → its text (plural forms joined by " / ")


def _text(string) -> str:
    if isinstance(string, tuple | list):
        return " / ".join(form for form in string if form)
    return string or ""


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _files(translations: Path) -> list[Path]:
    return [translations / "messages.pot"] + [
        translations / lang / "LC_MESSAGES" / "messages.po" for lang in CATALOG_LANGS]


def entries(translations: Path) -> dict[str, Entry]:
    """Every message of the template catalog by key, in the catalog's order."""
    files = _files(translations)
    stamp = tuple(f.stat().st_mtime_ns if f.exists() else 0 for f in files)
    with _lock:
        if _cached.get("stamp") == stamp:
            return _cached["entries"]  # type: ignore[return-value]
        template = _read(files[0])
        catalogs = {lang: _read(path, lang) for lang, path in zip(CATALOG_LANGS, files[1:],
                                                                   strict=True)}
        found: dict[str, Entry] = {}
        for message in template:
            if not message.id:
                continue
            msgid = message.id[0] if message.pluralizable else message.id
            texts = {}
            for lang, catalog in catalogs.items():
                translated = catalog.get(message.id, context=message.context)
                texts[lang] = _text(translated.string) if translated else ""
            english = texts.get("en") or msgid
            texts[pseudo.LANG] = " / ".join(pseudo.pseudo(form) for form in english.split(" / "))
            key = key_of(message.context, msgid)
            found[key] = Entry(key, msgid, message.id[1] if message.pluralizable else None,
                               message.context, tuple(message.auto_comments),
                               tuple(f"{file}:{line}" for file, line in message.locations),
                               texts)
        _cached.update(stamp=stamp, entries=found)
        return found


def search(translations: Path, query: str) -> list[Entry]:
    """Messages whose msgid, context, comment or any translation contains `query` (any case)."""
    every = list(entries(translations).values())
    needle = query.strip().casefold()
    if not needle:
        return every
    return [entry for entry in every
            if needle in " ".join([entry.msgid, entry.plural or "", entry.context or "",
                                   *entry.comments, *entry.texts.values()]).casefold()]
