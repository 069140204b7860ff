"""Small builders for tests: orders placed and paid through the real services."""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass

from sqlalchemy import func, select

from webapp.domain.cards import validate_card
from webapp.extensions import db
from webapp.models import LedgerEntry, Subscriber
from webapp.payments.card import CardSubmission
from webapp.payments.mobile_balance import BalanceSubmission
from webapp.services import checkout, rules
from webapp.services.orders import DISPUTE
from webapp.services.payment_ports import PORTS
from webapp.services.topup import place_order, read_draft
from webapp.views import access

GOOD_CARD = "4242424242424242"


def page_text(html: str) -> str:
    """What a page reads once its tags are gone (a phone number sits in a no-wrap <span>)."""
    return re.sub(r"<[^>]+>", "", html)


def topup_order(phone="+79031234567", operator="beeline", amount="10000", market="RU",
                other="", locale="ru", client=None):
    """Place a top-up order through the service, as the form would; with `client`, as placed
    in that client's browser session (its pages are the client's to see)."""
    draft = read_draft(rules().market(market), phone, operator, amount, other, complete=True)
    assert draft.ok, draft.errors
    order = place_order(draft, locale)
    return mine(client, order) if client is not None else order


def mine(client, order):
    """Record the order in the client's browser session, as placing it there would have."""
    with client.session_transaction() as session:
        session[access.ORDERS] = [*session.get(access.ORDERS, []), order.number]
    return order


@dataclass(frozen=True)
class CardPayment:
    """A card payment as the tests write it: the card, the form's key, who is signed in."""

    card: object
    idempotency_key: str
    payer_phone: str | None = None
    save_card: bool = False
    locale: str = "ru"


def pay_by_card(number: str, payment: CardPayment):
    """Pay by card through the checkout service, as the card form does."""
    return checkout.start(number, "card", CardSubmission(payment.card, payment.save_card),
                          idempotency_key=payment.idempotency_key,
                          signed_in=payment.payer_phone, locale=payment.locale)


def saved_card(token: str, owner: str | None):
    """A saved card of this payer as the acquirer sees it, or None."""
    return PORTS.saved_cards.find(token, owner) if owner else None


def pay(order, number=GOOD_CARD, key=None, expiry="12/30", cvc="123", payer=None, save=False):
    card, errors = validate_card(number, expiry, cvc, order.created_at.date())
    assert card is not None, errors
    return pay_by_card(order.number, CardPayment(card, key or secrets.token_urlsafe(18),
                                                 payer_phone=payer, save_card=save))


def pay_from_balance(number: str, phone: str, operator, locale: str = "ru",
                     signed_in: str | None = None):
    """Start a phone balance payment through the checkout service, as its form does (the
    SMS with the code goes out; the attempt waits for the reply)."""
    return checkout.start(number, "mobile_balance", BalanceSubmission(phone, operator),
                          idempotency_key=f"mobile:{secrets.token_urlsafe(24)}",
                          signed_in=signed_in, locale=locale)


def confirm_balance(number: str, attempt_id: int, typed: str):
    """The code typed on a phone balance payment's page."""
    return checkout.confirm(number, attempt_id, typed, "mobile_balance")


def dispute(number: str):
    """The sandbox's dispute won by the payer: refunded to the paying number's wallet."""
    return checkout.refund(number, actor="sandbox", note=DISPUTE, method="mobile_balance")


def ledger_balance(phone: str) -> int:
    """The balance as the sum of the ledger, computed independently of Subscriber.balance()."""
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.phone == phone))
    total = db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0))
                              .where(LedgerEntry.subscriber_id == subscriber.id))
    return int(total)


def run_at_once(app, count, work, refusals=()):
    """Run work(i) in `count` threads released together, each in its own app context; return
    their results in order. An exception of a type in `refusals` becomes its `code` or
    `reason`; any other becomes its class name (so a test sees it rather than a hang), with the
    driver's own error for a database error: "OperationalError(DeadlockDetected)"."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(i):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = work(i)
            except refusals as refused:
                results[i] = getattr(refused, "code", None) or getattr(refused, "reason", None)
            except Exception as exc:  # noqa: BLE001 - reported in the results
                cause = getattr(exc, "orig", None)
                results[i] = type(exc).__name__ + (f"({type(cause).__name__})" if cause else "")
            finally:
                db.session.remove()

    # The test's own session must hold no transaction: none of its locks, none of its snapshot.
    db.session.commit()
    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.commit()
    return results
