"""The studio's pages (sandbox only; absent, hence 404, outside it): the gallery of every
screen, one screen in two languages side by side with the messages its render asked for, and
the catalog those link to.

A screen is shown in an iframe whose page the studio renders by playing the screen's
scenario (webapp/studio): a picture of the real page, so its scripts are off (its polling
would ask about an order of the studio's, not the viewer's) and its forms go nowhere.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Blueprint, abort, current_app, request

from .. import pseudo, studio
from ..htmx import render
from ..i18n import HTML_LANGS, current_lang
from ..studio import catalog

bp = Blueprint("studio", __name__, url_prefix="/studio")

# The screen inside a studio frame: the studio's own pages may frame it; no script runs.
FRAME_CSP = "; ".join(["default-src 'self'", "script-src 'none'", "style-src 'self'",
                       "img-src 'self' data:", "form-action 'none'", "frame-ancestors 'self'",
                       "base-uri 'none'", "object-src 'none'"])
DEFAULT_PAIR = ("ru", "en")
# A picture has no scripts: their tags go too, so that nothing asks to load one.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
# Each language by its own name, as the header's switcher names it.
LANG_NAMES = {"ru": "Русский", "en": "English", "zh": "中文", pseudo.LANG: "[qps]"}


@bp.context_processor
def _names():
    return {"lang_names": LANG_NAMES, "html_langs": HTML_LANGS, "frame_sizes": studio.SIZES}


def _translations() -> Path:
    return Path(__file__).resolve().parents[2] / "translations"


def _langs() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"]) + (pseudo.LANG,)


def _pair() -> tuple[str, str]:
    """The two languages to compare (?a=, ?b=), the page's own first by default."""
    langs = _langs()
    first = request.args.get("a") or (current_lang() if current_lang() in langs
                                      else DEFAULT_PAIR[0])
    second = request.args.get("b") or next(
        lang for lang in (*DEFAULT_PAIR, "zh") if lang != first)
    if first not in langs or second not in langs:
        abort(404)
    return first, second


@bp.get("/")
def index():
    first, second = _pair()
    studio.load()
    return render("studio/index.html", areas=studio.areas(), langs=_langs(), first=first,
                  second=second)


@bp.get("/screens/<name>")
def screen(name: str):
    """One screen in two languages, and the messages its render asked for (in the first)."""
    found = studio.load().get(name)
    if found is None:
        abort(404)
    first, second = _pair()
    shown = studio.run(name, first)
    known = catalog.entries(_translations())
    messages = [(catalog.key_of(context, msgid), context, msgid) for context, msgid
                in shown.messages]
    names = [item.name for _heading, screens in studio.areas() for item in screens]
    at = names.index(name)
    return render("studio/screen.html", scenario=found, shown=shown, first=first,
                  second=second, langs=_langs(), messages=messages, known=known,
                  previous=names[at - 1] if at else None,
                  following=names[at + 1] if at + 1 < len(names) else None)


@bp.get("/screens/<name>/frame")
def frame(name: str):
    """The screen itself in ?lang= (a picture: no script), with the messages its render
    asked for in X-Studio-Messages (JSON [[context, msgid], …], for `flask studio shots`)."""
    if name not in studio.load():
        abort(404)
    lang = request.args.get("lang", "")
    if lang not in _langs():
        abort(404)
    shown = studio.run(name, lang)
    return _SCRIPT.sub("", shown.html), 200, {
        "Content-Security-Policy": FRAME_CSP, "X-Frame-Options": "SAMEORIGIN",
        "X-Studio-Status": str(shown.status),
        "X-Studio-Messages": json.dumps(shown.messages, ensure_ascii=True)}


@bp.get("/catalog")
def catalog_index():
    query = (request.args.get("q") or "")[:100]
    return render("studio/catalog.html", entries=catalog.search(_translations(), query),
                  query=query, langs=catalog.LANGS)


@bp.get("/catalog/<key>")
def entry(key: str):
    found = catalog.entries(_translations()).get(key)
    if found is None:
        abort(404)
    return render("studio/entry.html", entry=found, langs=catalog.LANGS)
