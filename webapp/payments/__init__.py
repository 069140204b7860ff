"""Payment providers behind one interface (base.PaymentProvider), registered here by name.
No Flask, no ORM in this package: what a provider needs from the database comes through
the ports the services build it with (services/payment_ports.py)."""

from . import registry
from .card import CardProvider
from .cash import CashProvider
from .mobile_balance import MobileBalanceProvider
from .wallet import WalletProvider

registry.register("card", lambda rules, ports: CardProvider(rules.test_cards, ports.saved_cards))
registry.register("mobile_balance", lambda rules, ports: MobileBalanceProvider(
    rules.market("RU"), rules.mcommerce, ports.balances))
registry.register("wallet", lambda rules, ports: WalletProvider(ports.wallet))
# Cash is offered on the kiosk channel only (rules/payments.toml); its kiosk tile and steps
# are templates/kiosk/methods/cash.html and templates/kiosk/steps/cash.html.
registry.register("cash", lambda rules, ports: CashProvider(rules.kiosk_cash))
