"""Cash at a kiosk (SPEC §3.4): note events from the bill acceptor, counted once each, and the
payment of what was inserted; a card tapped on the kiosk's reader.

A note event is handled under the terminal's session lock: two events at once are counted one
after the other against the cap, and the same event id twice is answered as the first time
(its row is unique per terminal, so even two copies racing with no session count once).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..clock import clock
from ..domain import kiosk as steps
from ..domain import orders as order_states
from ..domain.cards import REQUIRES_3DS, TestCard, validate_card
from ..domain.kiosk import NoteRefused, accept_note, credited
from ..domain.phone import parse_mobile
from ..extensions import db
from ..models import KioskNote, KioskSession
from ..payments.card import CardSubmission
from ..payments.cash import CashCollected
from ..refusals import CheckoutRefused
from . import checkout
from . import rules as loaded_rules
from .kiosk import (
    CUSTOMER,
    DEVICE,
    KIOSK,
    PAID,
    cash_rules,
    changed,
    locked_session,
    market_of,
    move,
    open_session,
    order_for,
    settle_session,
    terminal,
)
from .shop import create_order

# Why a note was given back: not a note of this acceptor, over the per-payment cap, or the
# kiosk is not on its cash step (nobody is paying cash now).
NOT_ACCEPTING = "not_accepting"


@dataclass(frozen=True)
class NoteAnswer:
    """What the acceptor's driver is told: keep the note (accepted) or give it back."""

    accepted: bool
    reason: str | None  # unknown_note | over_cap | not_accepting
    inserted: int  # the session's inserted sum after this event (minor units)
    currency: str
    duplicate: bool = False


def insert_note(terminal_id: str, event_id: str, note: int, actor: str = DEVICE) -> NoteAnswer:
    """A note of `note` minor units went into the terminal's acceptor as event `event_id`.
    Raises KioskRefused("no_terminal")."""
    term = terminal(terminal_id)
    currency = market_of(term).currency
    now = clock.now()
    session = locked_session(term.id)
    if session is not None:
        settle_session(session, now)  # a session whose idle time ran out takes no more notes
        if session.ended_at is not None:
            session = None
    earlier = db.session.scalar(select(KioskNote).where(KioskNote.terminal == term.id,
                                                        KioskNote.event_id == event_id))
    if earlier is not None:
        db.session.commit()
        return _answer_again(earlier, currency)
    reason = NOT_ACCEPTING
    if session is not None and session.step == steps.CASH:
        try:
            session.inserted = accept_note(session.inserted, note, cash_rules(term))
            reason = None
        except NoteRefused as refused:
            reason = refused.code
        changed(session, now, notice=reason)
    try:
        with db.session.begin_nested():
            db.session.add(KioskNote(terminal=term.id, event_id=event_id, note=note,
                                     session_id=session.id if session else None,
                                     accepted=reason is None, reason=reason, at=now))
    except IntegrityError:  # the same event, with no session to queue on, got in first
        db.session.rollback()
        earlier = db.session.scalar(select(KioskNote).where(KioskNote.terminal == term.id,
                                                            KioskNote.event_id == event_id))
        db.session.commit()
        return _answer_again(earlier, currency)
    inserted = session.inserted if session is not None else 0
    db.session.commit()
    return NoteAnswer(accepted=reason is None, reason=reason, inserted=inserted,
                      currency=currency)


def _answer_again(note: KioskNote, currency: str) -> NoteAnswer:
    session = db.session.get(KioskSession, note.session_id) if note.session_id else None
    return NoteAnswer(accepted=note.accepted, reason=note.reason, duplicate=True,
                      inserted=session.inserted if session is not None else 0,
                      currency=currency)


def sandbox_note(terminal_id: str, step: str, note: int) -> NoteAnswer | None:
    """The sandbox's bill acceptor panel: a note with a fresh event id, if the screen it was
    pressed on is still the one shown (a stale panel inserts nothing)."""
    session = open_session(terminal(terminal_id).id, lock=False)
    db.session.commit()
    if session is None or session.step != step:
        return None
    return insert_note(terminal_id, "sandbox-" + secrets.token_hex(12), note, actor=CUSTOMER)


def complete_cash(session: KioskSession, now: datetime, actor: str) -> None:
    """Pay the number with the cash inserted, in the caller's write transaction, which holds
    the session's lock and has moved it off the cash step: an order for the sum inserted (the
    number gets it less the commission), paid through the checkout by the cash provider.
    Commits it all, or rolls it all back (the session's move too) and raises."""
    term = terminal(session.terminal)
    market, rules = market_of(term), cash_rules(term)
    inserted = session.inserted
    number = parse_mobile(session.digits, term.market)
    order = create_order("K", commit=False, kind="topup", market=market.code,
                         currency=market.currency, phone=number.e164,
                         operator_id=session.operator_id, amount=credited(inserted, rules),
                         price=inserted, locale=session.locale)
    session.order_id = order.id
    session.order = order
    checkout.start(order.number, "cash", CashCollected(terminal=term.id, inserted=inserted),
                   idempotency_key=f"kiosk-cash-{session.id}", locale=session.locale,
                   channel=KIOSK)


def reader_cards() -> tuple[TestCard, ...]:
    """The test cards the simulated reader offers: contactless pays without 3-D Secure, so
    the card that asks for it is not among them."""
    return tuple(card for card in loaded_rules().test_cards if card.outcome != REQUIRES_3DS)


def tap_card(terminal_id: str, step: str, revision: int, card_number: str) -> None:
    """A test card tapped on the kiosk's reader pays the session's order. The same tap sent
    twice (the screen's revision is in its key) is the same payment; a decline stays on the
    card step with its reason."""
    term = terminal(terminal_id)
    session = open_session(term.id, lock=False)
    if (session is None or session.step != step or step != steps.CARD or session.order is None
            or card_number not in {card.number for card in reader_cards()}):
        db.session.commit()
        return
    today = market_of(term).local_date(clock.now())
    card, _errors = validate_card(card_number, f"12/{(today.year + 3) % 100:02d}", "123", today)
    assert card is not None, "a test card of rules/cards.toml is a valid card"
    order_number, session_id = session.order.number, session.id
    db.session.commit()
    try:
        attempt = checkout.start(order_number, "card", CardSubmission(card),
                                 idempotency_key=f"kiosk-card-{session_id}-{revision}",
                                 locale=session.locale, channel=KIOSK)
        notice = attempt.decline_code if attempt.status == order_states.FAILED else None
    except CheckoutRefused as refused:
        notice = refused.code
    session = locked_session(term.id)
    if session is not None and session.id == session_id and session.step == steps.CARD:
        now = clock.now()
        if session.order.status in PAID:
            move(session, steps.RESULT, CUSTOMER, now)
        else:
            if session.order.status != order_states.AWAITING_PAYMENT:
                order_for(session, term)  # its hour ran out: the next tap pays a new one
            changed(session, now, notice=notice)
    db.session.commit()
