"""Wallets of the simulated wallet provider (SPEC §3.3) and their ledger: opening one (demo,
sandbox form, a refund), reading balances, the payment password and its lock.

A wallet belongs to a number, a brand and a currency; its balance is the sum of its entries.
The shop's own accounts at the provider are wallets too (phone "merchant:shop"), without a
password: a payment moves money from the payer's wallet to the shop's, a refund back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..clock import clock
from ..database import begin_write, lock_name
from ..domain import wallet as rules_of
from ..domain.phone import PhoneError, parse_mobile
from ..extensions import db
from ..models import Wallet, WalletEntry
from ..refusals import Refused
from . import rules

SHOP = "merchant:shop"
# The markets whose numbers a wallet may belong to, and the currency a new one holds.
CURRENCY_OF_MARKET = {"RU": "RUB", "CN": "CNY"}
MARKET_OF_CURRENCY = {currency: market for market, currency in CURRENCY_OF_MARKET.items()}


class WalletRefused(Refused):
    """The wallet cannot do what was asked (messages: the "wallet" area): no_wallet,
    no_password, wrong_password (tries_left), locked (until), insufficient (balance),
    exists, bad_number, bad_password, bad_balance."""

    area = "wallet"


def password_key() -> bytes:
    return ("wallet-passwords:" + current_app.config["SECRET_KEY"]).encode()


def read_number(raw: str | None, currency: str) -> str:
    """The E.164 number a payer typed on the cashier: a mobile number of the market of the
    currency, or one of the other market typed with its +country code. Raises WalletRefused
    (bad_number)."""
    first = MARKET_OF_CURRENCY.get(currency, "RU")
    for region in (first, *(m for m in CURRENCY_OF_MARKET if m != first)):
        try:
            return parse_mobile(raw, region).e164
        except PhoneError as error:
            if error.code != "wrong_country":
                raise WalletRefused("bad_number") from error
    raise WalletRefused("bad_number")


def find(phone: str, brand: str, currency: str, *, lock: bool = False) -> Wallet | None:
    """The wallet of a number for a brand and currency (row-locked until commit if asked)."""
    query = select(Wallet).where(Wallet.phone == phone, Wallet.brand == brand,
                                 Wallet.currency == currency)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def wallets_of(phone: str) -> list[Wallet]:
    return list(db.session.scalars(select(Wallet).where(Wallet.phone == phone)
                                   .order_by(Wallet.brand, Wallet.currency)))


def get_or_open(phone: str, brand: str, currency: str, note: str) -> Wallet:
    """The wallet, opened empty (without a password) if missing, in the caller's write
    transaction. A name lock keeps two transactions from opening the same one at once."""
    lock_name(f"wallet:{phone}:{brand}:{currency}")
    wallet = find(phone, brand, currency)
    if wallet is None:
        wallet = Wallet(phone=phone, brand=brand, currency=currency, note=note,
                        created_at=clock.now())
        db.session.add(wallet)
        db.session.flush()
    return wallet


def set_password(wallet: Wallet, password: str) -> None:
    salt = rules_of.new_salt()
    wallet.password_salt = salt
    wallet.password_hash = rules_of.password_hash(password_key(), salt, password)
    wallet.wrong_passwords, wallet.locked_until = 0, None


def add_entry(wallet: Wallet, kind: str, amount: int, ref: str | None, at: datetime, *,
              trade_id: int | None = None, order_id: int | None = None) -> None:
    db.session.add(WalletEntry(wallet_id=wallet.id, kind=kind, amount=amount,
                               currency=wallet.currency, ref=ref, trade_id=trade_id,
                               order_id=order_id, created_at=at))


@dataclass(frozen=True)
class NewWallet:
    """The sandbox form: a wallet of any balance (minor units) with a chosen password."""

    phone: str
    brand: str
    currency: str
    balance: int
    password: str


def open_wallet(new: NewWallet, note: str = "sandbox") -> Wallet:
    """Open a wallet with its opening balance as the first entry. Raises WalletRefused
    (exists, bad_password, bad_balance)."""
    if not rules_of.is_password_shape(new.password):
        raise WalletRefused("bad_password")
    if new.balance < 0:
        raise WalletRefused("bad_balance")
    begin_write()
    try:
        lock_name(f"wallet:{new.phone}:{new.brand}:{new.currency}")
        if find(new.phone, new.brand, new.currency) is not None:
            raise WalletRefused("exists")
        now = clock.now()
        wallet = Wallet(phone=new.phone, brand=new.brand, currency=new.currency, note=note,
                        created_at=now)
        set_password(wallet, new.password)
        db.session.add(wallet)
        db.session.flush()
        if new.balance:
            add_entry(wallet, "opening", new.balance, f"opening:{wallet.id}", now)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return wallet


def check_password(wallet: Wallet, typed: str, now: datetime) -> None:
    """Check a payment password on a locked wallet row; the caller commits either way (a wrong
    try is counted even though the payment is refused). Raises WalletRefused: locked (until),
    no_password, wrong_password (tries_left; the 5th wrong one locks the wallet)."""
    policy = rules().wallet
    if rules_of.is_locked(wallet.locked_until, now):
        raise WalletRefused("locked", until=wallet.locked_until)
    if wallet.password_hash is None:
        raise WalletRefused("no_password")
    if rules_of.password_matches(password_key(), wallet.password_salt, typed,
                                 wallet.password_hash):
        wallet.wrong_passwords, wallet.locked_until = 0, None
        return
    state = rules_of.after_wrong_password(
        rules_of.LockState(wallet.wrong_passwords, wallet.locked_until), now, policy)
    wallet.wrong_passwords, wallet.locked_until = state.wrong_tries, state.locked_until
    if state.locked_until is not None:
        raise WalletRefused("locked", until=state.locked_until)
    raise WalletRefused("wrong_password",
                        tries_left=rules_of.tries_left(state.wrong_tries, policy))


def lock_now(wallet_id: int) -> None:
    """Sandbox: lock a wallet as if 5 wrong passwords had just been typed."""
    begin_write()
    wallet = db.session.get(Wallet, wallet_id, with_for_update=True, populate_existing=True)
    if wallet is not None:
        wallet.wrong_passwords, wallet.locked_until = 0, clock.now() + rules().wallet.lock_for
    db.session.commit()


def refund_to_number(phone: str, currency: str, amount: int, order_id: int, at: datetime) -> None:
    """A mobile payment refunded after a dispute (SPEC §3.2.4): to the number's wallet (its
    first brand that exists, else a new Alipay-style one), from the shop's account, once
    (the entries' references are unique), in the caller's transaction."""
    existing = next((w for w in wallets_of(phone) if w.currency == currency), None)
    payer = get_or_open(phone, existing.brand if existing else rules_of.ALIPAY, currency,
                        "refund")
    shop = get_or_open(SHOP, payer.brand, currency, "merchant")
    for wallet, signed in ((payer, amount), (shop, -amount)):
        add_entry(wallet, "refund", signed, f"refund:{order_id}:{wallet.id}", at,
                  order_id=order_id)


def total_balance(phone: str) -> int | None:
    """The sum of every wallet of a number (None if it has none): mobile-payment refunds and
    the tests of SPEC §3.2.4 read it."""
    wallets = wallets_of(phone)
    if not wallets:
        return None
    return sum(w.balance() for w in wallets)


# --- demo wallets ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoWallet:
    phone: str
    market: str
    key: str  # what it shows: funded | empty | locked
    brands: tuple[str, ...] = rules_of.BRANDS


# The demo numbers of both markets (README), with both brands, funded; one empty and one
# locked wallet per market on numbers of their own.
DEMO_WALLETS: tuple[DemoWallet, ...] = (
    *(DemoWallet(phone, "RU", "funded") for phone in
      ("+79031234567", "+79821234567", "+79261234567", "+79771234567")),
    *(DemoWallet(phone, "CN", "funded") for phone in
      ("+8613812345678", "+8613012345678", "+8613312345678")),
    DemoWallet("+79161234500", "RU", "empty"),
    DemoWallet("+79161234501", "RU", "locked"),
    DemoWallet("+8613912345670", "CN", "empty"),
    DemoWallet("+8613912345671", "CN", "locked"),
)


def seed_demo() -> int:
    """Open the demo wallets that do not exist yet (password 111111); idempotent."""
    policy, created = rules().wallet, 0
    for demo in DEMO_WALLETS:
        currency = CURRENCY_OF_MARKET[demo.market]
        for brand in demo.brands:
            balance = policy.demo_balance[currency] if demo.key != "empty" else 0
            try:
                wallet = open_wallet(NewWallet(demo.phone, brand, currency, balance,
                                               policy.demo_password), note=f"demo_{demo.key}")
            except WalletRefused:
                continue  # already there
            created += 1
            if demo.key == "locked":
                lock_now(wallet.id)
    return created
