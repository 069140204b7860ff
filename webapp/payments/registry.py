"""The one place that knows the payment methods by name: which exist, how each is built, and
which of them an order offers (rules/payments.toml: market, order kind, channel)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .base import PaymentProvider

# A provider is built for each use from the rules and the services' ports (a namespace with an
# attribute per port: saved_cards, balances… — services/payment_ports.py).
Factory = Callable[[Any, Any], PaymentProvider]


@dataclass(frozen=True)
class Method:
    name: str
    build: Factory
    partial: str  # templates/checkout/methods/<partial>


_METHODS: dict[str, Method] = {}


def register(name: str, build: Factory, partial: str | None = None) -> None:
    """Make a method known (its partial: templates/checkout/methods/<name>.html)."""
    _METHODS[name] = Method(name, build, partial or f"checkout/methods/{name}.html")


def unregister(name: str) -> None:
    _METHODS.pop(name, None)


def method(name: str) -> Method | None:
    return _METHODS.get(name)


def names() -> tuple[str, ...]:
    return tuple(_METHODS)


def offered(rules, market: str, kind: str, channel: str = "phone") -> tuple[str, ...]:
    """The registered methods an order of `market` and `kind` offers on `channel`, in the
    order rules/payments.toml lists them."""
    return tuple(name for name in rules.payment_methods.get((market, kind, channel), ())
                 if name in _METHODS)


def unknown(rules) -> set[str]:
    """Methods the rules name that nobody registered (checked at start-up)."""
    return {name for methods in rules.payment_methods.values() for name in methods
            if name not in _METHODS}
