"""The one "type the code" page behind 3-D Secure, the SMS reply of a phone balance payment,
sign-in and trust payment: show it (the code's status, time and tries left, when a new one may
come), take a typed code, send a new one. Each page keeps its own address, texts and what
happens on success; the part they share is here and in templates/codes/_code.html
(`code_form(page, error, button)`, `code_status(page, code, now, other_text)`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, redirect, url_for

from ..clock import clock
from ..domain import orders as states
from ..htmx import is_htmx, render
from ..refusals import CodeRefused
from ..services import checkout, rules
from .access import visible_order_or_404
from .forms import CodeForm
from .messages import code_refusal


@dataclass(frozen=True)
class CodePage:
    """Where a code page's parts post and poll: the typed code (`confirm_url`), a new code
    (`resend_url`), the status block (`poll_url`), and where to go instead once the code can
    no longer be used (`other_url`; the page's template says it in words)."""

    template: str
    confirm_url: str
    resend_url: str
    poll_url: str
    other_url: str | None = None


def show(page: CodePage, code, *, error=None, status: int = 200, block: str | None = None,
         **context):
    """The page (or its `block` for htmx), with the code as codes.view shows it."""
    return render(page.template, block, page=page, code=code, error=error, now=clock.now(),
                  **context), status


Shown = Callable[..., tuple]


def take_code(show_page: Shown, use: Callable[[str], object]):
    """Read the typed code and let `use` take it (→ the response, a redirect); a code that is
    not one, or that `use` refuses, shows the page again with why (422)."""
    form = CodeForm()
    if not form.validate():
        return show_page(error=form.code.errors[0], status=422)
    try:
        return use(form.typed)
    except CodeRefused as refused:
        return show_page(error=code_refusal(refused, clock.now()), status=422)


def send_again(show_page: Shown, send: Callable[[], object], back: str):
    """A new code (`send`), then back to the page; too soon or too many: the page says when
    (429)."""
    try:
        send()
    except CodeRefused as refused:
        return show_page(error=code_refusal(refused, clock.now()), status=429)
    return redirect(back, code=303)


def to_order(number: str):
    """Back to the order page (which says what happened), as a redirect htmx follows too."""
    target = url_for("checkout.order", number=number)
    if is_htmx():
        return "", 200, {"HX-Redirect": target}
    return redirect(target, code=303)


def attempt_page(number: str, attempt_id: int, kind: str, page_of, *, error=None,
                 status: int = 200, block: str | None = None):
    """The page of an attempt that waits for an action of `kind` (a code, an SMS reply):
    404 unless it is this session's or payer's order and such an attempt of it; once the
    attempt is over, the order page. `page_of(order, attempt)` → (CodePage, its context)."""
    order = visible_order_or_404(number)
    attempt = checkout.waiting_attempt(number, attempt_id)
    asked = (checkout.action(attempt) or {}).get("kind") if attempt is not None else None
    if attempt is None or asked not in (None, kind):
        abort(404)
    if attempt.status != states.PENDING:
        return to_order(number)  # paid, failed or cancelled: the order page tells
    page, context = page_of(order, attempt)
    return show(page, checkout.code_view(attempt), error=error, status=status, block=block,
                order=order, attempt=attempt, details=checkout.details(attempt),
                market=rules().market(order.market), **context)
