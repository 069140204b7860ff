"""The kiosk (SPEC §7): a portrait touch screen at /kiosk/<terminal>, one step at a time.

Every touch is a form that posts and redirects (303) back to the screen, so the kiosk works
without JavaScript; with it, htmx boosts the forms and polls the screen, which the server
answers with 204 while nothing changed. The language of a kiosk page is its session's (or, on
the attract screen, the one asked for or the terminal's), never the browser's cookie.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, redirect, request, url_for

from ..clock import clock
from ..domain import kiosk as steps
from ..domain.wallet import BRANDS
from ..htmx import is_htmx, render
from ..i18n import choosable, force_locale, money
from ..services import kiosk, kiosk_cash, kiosk_screen, rules
from ..services.kiosk import KioskRefused, Touch
from .kiosk_messages import CARD_OUTCOMES, kiosk_notice

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")

LANGUAGES = ("ru", "en", "zh")


def _terminal_or_404(terminal_id: str):
    try:
        return kiosk.terminal(terminal_id)
    except KioskRefused:
        abort(404)


def _asked_language() -> str | None:
    """?lang= (or the form's): ru, en, zh, and in the sandbox the pseudo-locale too (the
    studio's kiosk screens in qps; the kiosk's own buttons offer the three languages)."""
    lang = request.values.get("lang")
    return lang if lang in choosable() else None


def _screen_language(screen) -> str:
    if screen.session is not None:
        return screen.session.locale
    return _asked_language() or screen.terminal.language


def _render(screen, block: str | None = None):
    with force_locale(_screen_language(screen)):
        notice = screen.session.notice if screen.session else None
        return render("kiosk/page.html", block, screen=screen, s=steps,
                      cards=kiosk_cash.reader_cards(), card_outcomes=CARD_OUTCOMES,
                      wallet_brands=BRANDS,
                      notice_text=kiosk_notice(notice, screen) if notice else "",
                      notes_list=_notes(screen))


def _notes(screen) -> str:
    """The notes the acceptor takes, "10, 50, 100 … 5000 ₽": the numbers, then the sign."""
    cash = screen.cash
    *smaller, largest = [money(note, cash.currency) for note in cash.notes]
    return ", ".join([*(_digits_only(text) for text in smaller), largest])


def _digits_only(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() or ch in " \u00a0\u202f,.").strip()


def _back(terminal_id: str):
    return redirect(url_for("kiosk.show", terminal_id=terminal_id), code=303)


@bp.get("/")
def index():
    """The demo terminals (a kiosk itself opens its own /kiosk/<terminal>)."""
    return render("kiosk/index.html", terminals=kiosk.listed_terminals())


@bp.get("/<terminal_id>")
def show(terminal_id: str):
    """The screen. `?lang=` switches the session's language and keeps its step."""
    _terminal_or_404(terminal_id)
    if (lang := _asked_language()) is not None:
        kiosk.set_language(terminal_id, lang)
    return _render(kiosk_screen.screen(terminal_id))


@bp.get("/<terminal_id>/screen")
def poll(terminal_id: str):
    """The screen for a polling page: 204 (nothing to redraw) while its key is the one the
    page already shows."""
    _terminal_or_404(terminal_id)
    screen = kiosk_screen.screen(terminal_id)
    if request.args.get("seen") == screen.key:
        return "", 204
    return _render(screen, block="screen" if is_htmx() else None)


@bp.post("/<terminal_id>/start")
def start(terminal_id: str):
    _terminal_or_404(terminal_id)
    kiosk.start(terminal_id, _asked_language() or kiosk.terminal(terminal_id).language)
    return _back(terminal_id)


@bp.post("/<terminal_id>/language")
def language(terminal_id: str):
    """The language buttons: the same step in another language."""
    _terminal_or_404(terminal_id)
    if (lang := _asked_language()) is not None:
        kiosk.set_language(terminal_id, lang)
    return _back(terminal_id)


@bp.post("/<terminal_id>/touch")
def touch(terminal_id: str):
    _terminal_or_404(terminal_id)
    form = request.form
    kiosk.touch(terminal_id, Touch(action=form.get("action", ""), step=form.get("step", ""),
                                   value=form.get("value", "")))
    return _back(terminal_id)


@bp.post("/<terminal_id>/tap")
def tap(terminal_id: str):
    """A test card tapped on the simulated reader."""
    _terminal_or_404(terminal_id)
    form = request.form
    revision = form.get("revision", "")
    kiosk_cash.tap_card(terminal_id, form.get("step", ""),
                        int(revision) if revision.isdigit() and len(revision) < 10 else -1,
                        form.get("card", ""))
    return _back(terminal_id)


@bp.post("/<terminal_id>/note")
def note(terminal_id: str):
    """The sandbox's bill acceptor: a note put in (a real acceptor posts to /api/kiosk)."""
    if not current_app.config["SANDBOX"]:
        abort(404)
    term = _terminal_or_404(terminal_id)
    value = request.form.get("note", "")
    notes = {str(n): n for n in rules().kiosk_cash[term.market].notes}
    if value in notes:
        kiosk_cash.sandbox_note(terminal_id, request.form.get("step", ""), notes[value])
    return _back(terminal_id)


@bp.post("/<terminal_id>/walk-away")
def walk_away(terminal_id: str):
    """Sandbox: the customer walks away; the one clock jumps past the idle countdown."""
    if not current_app.config["SANDBOX"]:
        abort(404)
    _terminal_or_404(terminal_id)
    clock.advance(steps.IDLE_WARNING + steps.IDLE_COUNTDOWN + timedelta(seconds=1))
    return _back(terminal_id)


@bp.get("/<terminal_id>/receipts/<token>")
def receipt(terminal_id: str, token: str):
    """A kept receipt as its own printable page, in the language asked for (or the one the
    customer paid in)."""
    term = _terminal_or_404(terminal_id)
    found = kiosk_screen.kept_receipt(terminal_id, token)
    if found is None:
        abort(404)
    with force_locale(_asked_language() or found.locale):
        return render("kiosk/receipt.html", receipt=found, languages=LANGUAGES,
                      token=token, terminal=term)
