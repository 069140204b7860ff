"""The pseudo-locale `qps` (en-XA style) for translators and testers.

Made from the English catalog at compile time (`make compile-translations` runs
`python -m webapp.pseudo`): every letter accented, every string ~40 % longer and in brackets,
so that a text the catalog does not know (hard-coded) shows unbracketed and a box too tight
for a longer language shows at once. Placeholders (`%(name)s`, `%(num)d`, `%%`), HTML tags and
entities are kept as they are; plural messages keep their two English forms.

Gettext and Babel find it as `en@qps` (English with a modifier, as `sr@latin` is Serbian), so
its formats — money, dates, plurals — are English ones. The generated catalog is not
committed (translations/en@qps/ is in .gitignore): it is a pure function of the English one,
and a committed copy could only fall behind it.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

LANG = "qps"
BABEL_LOCALE = "en@qps"
HTML_LANG = "en-XA"

_PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ACCENTED = "ȧƀƈḓḗƒɠħīĵķŀḿƞǿƥɋřşŧŭṽẇẋẏẑȦƁƇḒḖƑƓĦĪĴĶĿḾȠǾƤɊŘŞŦŬṼẆẊẎẐ"
_ACCENTS = str.maketrans(_PLAIN, _ACCENTED)
# Kept as they are: printf placeholders (as tests/test_catalogs.py reads them), tags, entities.
_KEEP = re.compile(r"%%|%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|<[^>]*>|&#?\w+;")
# Words for the ~40 % of extra length: words, so that a long string still wraps as text does.
_PADDING = "one two three four five six seven eight nine ten eleven twelve thirteen"
EXPANSION = 0.4


def pseudo(text: str) -> str:
    """`text` in the pseudo-locale: "[Ƥȧẏ %(price)s one two]"."""
    if not text:
        return text
    parts, visible, last = [], 0, 0
    for kept in _KEEP.finditer(text):
        plain = text[last:kept.start()]
        parts += [plain.translate(_ACCENTS), kept.group(0)]
        visible += len(plain)
        last = kept.end()
    plain = text[last:]
    parts.append(plain.translate(_ACCENTS))
    visible += len(plain)
    padding = _PADDING[:max(1, math.ceil(visible * EXPANSION))].rstrip()
    return "[" + "".join(parts) + " " + padding + "]"


def is_pseudo(locale: Locale | str | None) -> bool:
    """True for the Babel locale that stands for `qps` (en@qps)."""
    return str(locale) == BABEL_LOCALE


def pseudo_catalog(english: Catalog) -> Catalog:
    """A catalog with every message of `english` (its English text, else its msgid) made
    pseudo."""
    catalog = Catalog(locale=Locale.parse(BABEL_LOCALE), project=english.project,
                      fuzzy=False)
    for message in english:
        if not message.id:
            continue
        if message.pluralizable:
            forms = message.string if any(message.string or ()) else message.id
            string = tuple(pseudo(form) for form in forms)
        else:
            string = pseudo(message.string or message.id)
        catalog.add(message.id, string, context=message.context, flags=message.flags)
    return catalog


def write(translations: Path) -> Path:
    """Make translations/en@qps/LC_MESSAGES/messages.po from translations/en; its path."""
    with (translations / "en" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        english = read_po(f, locale="en")
    target = translations / BABEL_LOCALE / "LC_MESSAGES" / "messages.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as f:
        write_po(f, pseudo_catalog(english))
    return target


if __name__ == "__main__":
    print(write(Path(sys.argv[1] if len(sys.argv) > 1 else "translations")))
