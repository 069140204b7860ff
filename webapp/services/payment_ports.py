"""What providers get from the database, as the ports their modules declare
(payments/card.py SavedCards, payments/mobile_balance.py Balances), and building a provider
with them. A new method that needs the database adds its port here."""

from __future__ import annotations

import secrets
from types import SimpleNamespace

from sqlalchemy import select

from ..clock import clock
from ..extensions import db
from ..models import SavedCard
from ..payments import registry
from ..payments.base import PaymentProvider
from ..payments.card import CardAttempt, SavedCardRef
from . import rules
from .balances import Balances
from .wallet_api import WalletApi


def _ref(card: SavedCard) -> SavedCardRef:
    return SavedCardRef(token=card.token, brand=card.brand, last4=card.last4,
                        exp_month=card.exp_month, exp_year=card.exp_year, profile=card.profile,
                        saved_card_id=card.id)


class SavedCards:
    """The saved cards of a payer (SPEC §8: used only by the payer they were saved for)."""

    def of(self, owner: str) -> list[SavedCardRef]:
        return [_ref(card) for card in db.session.scalars(
            select(SavedCard).where(SavedCard.owner_phone == owner)
            .order_by(SavedCard.id.desc()))]

    def find(self, token: str, owner: str) -> SavedCardRef | None:
        card = db.session.scalar(select(SavedCard).where(SavedCard.token == token,
                                                         SavedCard.owner_phone == owner))
        return _ref(card) if card else None

    def owns(self, card: SavedCardRef, owner: str) -> bool:
        return db.session.scalar(select(SavedCard.id).where(
            SavedCard.id == card.saved_card_id, SavedCard.token == card.token,
            SavedCard.owner_phone == owner)) is not None

    def save(self, owner: str, attempt: CardAttempt) -> int:
        """Keep token, brand, last 4 and expiry for the payer (once per such card)."""
        existing = db.session.scalar(select(SavedCard).where(
            SavedCard.owner_phone == owner, SavedCard.brand == attempt.brand,
            SavedCard.last4 == attempt.last4, SavedCard.exp_month == attempt.exp_month,
            SavedCard.exp_year == attempt.exp_year))
        if existing is None:
            existing = SavedCard(owner_phone=owner, token=secrets.token_urlsafe(24),
                                 brand=attempt.brand, last4=attempt.last4,
                                 exp_month=attempt.exp_month, exp_year=attempt.exp_year,
                                 profile=attempt.profile or "success", created_at=clock.now())
            db.session.add(existing)
            db.session.flush()
        return existing.id


PORTS = SimpleNamespace(saved_cards=SavedCards(), balances=Balances(), wallet=WalletApi())


def provider(method: str) -> PaymentProvider:
    """The provider of a registered method, built with the rules and the ports; raises
    KeyError for a method nobody registered."""
    found = registry.method(method)
    if found is None:
        raise KeyError(method)
    return found.build(rules(), PORTS)
