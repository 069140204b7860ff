"""What the payer reads for a refusal of a mobile payment: the mobile payment's own reasons
(services/mobile_texts.py), else the order's (expired, already paid…)."""

from __future__ import annotations

from ..services import rules
from ..services.mobile_texts import refusal_text
from .messages import message


def mobile_refusal(reason: str, operator=None, terms=None, total: int | None = None) -> str:
    """The localized text of a mobile payment refusal; `operator` and `terms` fill in the
    operator's name, support number and numbers."""
    text = refusal_text(reason, operator, terms, total)
    return message(reason) if text is None else text


def operator_refusal(reason: str, operator_id: str | None, total: int | None = None) -> str:
    """mobile_refusal() for the operator of that id (its name, support number and terms)."""
    operator = rules().operator(operator_id) if operator_id else None
    terms = rules().mcommerce.get(operator_id) if operator_id else None
    return mobile_refusal(reason, operator, terms, total)
