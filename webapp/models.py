"""SQLAlchemy models. Money columns are integer minor units; times are stored as UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    TypeDecorator,
    UniqueConstraint,
    case,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from .extensions import db


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in Python, naive UTC in the database (the same on SQLite and PG)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Subscriber(db.Model):
    """A number at an operator (SPEC §1). Its balance is the sum of its ledger entries, kept
    on the row by services.ledger.post (`flask ledger verify` checks that the two agree)."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    market: Mapped[str] = mapped_column(String(2))
    operator_id: Mapped[str] = mapped_column(String(32))
    tariff_kind: Mapped[str] = mapped_column(String(16), default="prepaid")
    tariff_name: Mapped[str] = mapped_column(String(64), default="")
    monthly_fee: Mapped[int | None] = mapped_column(BigInteger)
    activated_on: Mapped[date] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(16), default="home")
    mobile_payments_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    personal_budget: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_trust: Mapped[bool] = mapped_column(Boolean, default=False)
    # Local (Moscow) day auto trust payment was connected, and the last day its fee was taken.
    auto_trust_since: Mapped[date | None] = mapped_column(Date)
    auto_trust_paid_through: Mapped[date | None] = mapped_column(Date)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    # When settlement next has something to do for this number (a trust payment falls due, a
    # day's auto trust fee, an auto trust payment after its cool-down); None: nothing until
    # something changes. Written in the transaction that moves it; settlement selects by it.
    next_settle_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Where the subscriber comes from and what it is for: a key of services.demo.NOTES (a demo
    # case, "topup", "built"), translated when shown.
    demo_note: Mapped[str] = mapped_column(String(200), default="")
    # The sum of the ledger entries, in minor units, changed only by services.ledger.post in
    # the transaction that writes the entry: a balance read costs one column, not the history.
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    entries: Mapped[list[LedgerEntry]] = relationship(back_populates="subscriber",
                                                      order_by="LedgerEntry.id")

    def balance(self) -> int:
        """The balance in minor units: the sum of all ledger entries, as stored on the row."""
        return self.balance_minor or 0


class LedgerEntry(db.Model):
    """One change of a balance: positive credits it, negative debits it."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    amount: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    description: Mapped[str] = mapped_column(String(200), default="")
    # A unique reference for entries that settlement writes (a fee for one day, the repayment
    # of one credit): writing the same one twice fails, so settling twice changes nothing.
    ref: Mapped[str | None] = mapped_column(String(80), unique=True)

    subscriber: Mapped[Subscriber] = relationship(back_populates="entries")

    # One credit per order: a second crediting of the same order fails on this constraint.
    __table_args__ = (UniqueConstraint("order_id", "kind", name="uq_ledger_order_kind"),)


class Order(db.Model):
    """A top-up (or, later, goods) order: paid at most once, within its deadline."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="topup")
    market: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    # The number topped up and its operator (top-ups only).
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    operator_id: Mapped[str | None] = mapped_column(String(32))
    # What is bought (goods orders only): a product id of rules/shop.toml, or "custom".
    product_id: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(BigInteger)
    price: Mapped[int] = mapped_column(BigInteger)
    promotion_id: Mapped[str | None] = mapped_column(String(64))
    # The signed-in payer who placed it, if any (their account lists it).
    payer_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(24), default="awaiting_payment", index=True)
    locale: Mapped[str] = mapped_column(String(8), default="ru")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    credit_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    credited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Its history (written by services.transitions.transition, never appended to here).
    events: Mapped[list[OrderEvent]] = relationship(
        primaryjoin="and_(foreign(OrderEvent.subject_id) == Order.id, "
                    "OrderEvent.subject_kind == 'order')",
        order_by="OrderEvent.id", viewonly=True)
    attempts: Mapped[list[PaymentAttempt]] = relationship(order_by="PaymentAttempt.id",
                                                          back_populates="order")

    # Settlement looks for unpaid orders past their deadline and paid ones due for crediting.
    __table_args__ = (Index("ix_orders_status_deadline", "status", "deadline"),
                      Index("ix_orders_status_credit_due_at", "status", "credit_due_at"))

    @property
    def successful_attempt(self) -> PaymentAttempt | None:
        return next((a for a in self.attempts if a.status == "succeeded"), None)


class StateEvent(db.Model):
    """One status change of anything with a state machine (services/transitions.py writes
    them): which thing (`subject_kind` + `subject_id`), from where to where (`from_status` None:
    it was created), who moved it, why, when. A thing's history is its rows in id order."""

    __tablename__ = "state_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_state_events_subject", "subject_kind", "subject_id", "id"),)
    # Rows of an order load as OrderEvent; every other kind as StateEvent (a kind added later
    # needs no class of its own).
    __mapper_args__ = {"polymorphic_on": case((subject_kind == "order", "order"), else_="any"),
                       "polymorphic_identity": "any"}


class OrderEvent(StateEvent):
    """A status change of an order (the state_events rows of kind "order")."""

    order_id = synonym("subject_id")

    __mapper_args__ = {"polymorphic_identity": "order"}


class PaymentAttempt(db.Model):
    """One try at paying an order with one method; the idempotency key makes a retry harmless."""

    __tablename__ = "payment_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    # The method's own details (payments/<method>.py: its details_type, as JSON): a card's
    # brand, last 4, expiry and 3-D Secure number; a mobile payment's operator and commission.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    # The payer signed in when the attempt was made, if any: a card is saved only to them, and
    # their account lists the orders they paid (SPEC §8).
    signed_in_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    # The account paying, when the method has one (a phone balance: the paying number).
    payer_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    decline_code: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship(back_populates="attempts")


class TrustCredit(db.Model):
    """A trust payment (one-off or auto) given to a subscriber, outstanding until its due date."""

    __tablename__ = "trust_credits"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # one_off | auto
    channel: Mapped[str] = mapped_column(String(8))  # web | account | ussd | auto
    # The key of its result page (SPEC §8: a page reached from elsewhere has a random token).
    token: Mapped[str] = mapped_column(String(32), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    fee: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12), default="outstanding")
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    repaid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # One outstanding credit per subscriber, enforced by the database too.
    __table_args__ = (Index("uq_trust_one_outstanding", "subscriber_id", unique=True,
                            sqlite_where=text("status = 'outstanding'"),
                            postgresql_where=text("status = 'outstanding'")),)


class SavedCard(db.Model):
    """A card a signed-in payer chose to keep: a random token, brand, last 4 and expiry only.
    Never the number, never the CVC."""

    __tablename__ = "saved_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_phone: Mapped[str] = mapped_column(String(20), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    brand: Mapped[str] = mapped_column(String(16))
    last4: Mapped[str] = mapped_column(String(4))
    exp_month: Mapped[int] = mapped_column()
    exp_year: Mapped[int] = mapped_column()
    profile: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OneTimeCode(db.Model):
    """A code sent by SMS, kept only as a keyed hash bound to purpose and subject."""

    __tablename__ = "one_time_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")
    wrong_tries: Mapped[int] = mapped_column(default=0)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A short number the code may be sent back to by SMS reply (m-commerce), if any.
    reply_to: Mapped[str | None] = mapped_column(String(16))
    # Asked for by a payer signed in as this number: such codes have their own hourly cap, so
    # that strangers asking for codes to the number cannot use up the owner's.
    by_owner: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_codes_purpose_subject", "purpose", "subject"),
                      # settlement expires the active codes past their validity
                      Index("ix_codes_status_expires_at", "status", "expires_at"))


class SmsMessage(db.Model):
    """One SMS, out (to a number) or in (a reply from a number), with its delivery status."""

    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # out | in
    phone: Mapped[str] = mapped_column(String(20), index=True)  # the handset's number
    peer: Mapped[str] = mapped_column(String(32))  # sender name or short number
    body: Mapped[str] = mapped_column(String(600))
    status: Mapped[str] = mapped_column(String(16))  # queued|sent|delivered|failed|received
    gateway_id: Mapped[str] = mapped_column(String(40), unique=True)
    # The SMS gateway's own id of a message it posted to us: the same id again is a replay.
    inbound_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What a notice is about ("refusal:funds"), so that the same notice is rationed per number.
    topic: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (Index("ix_sms_phone_topic", "phone", "topic"),)


class Wallet(db.Model):
    """A sandbox wallet of the simulated wallet provider (SPEC §3.3): one per number, brand
    and currency, with a 6-digit payment password kept as a salted keyed hash. Its balance
    is the sum of its entries. Mobile-payment refunds (SPEC §3.2.4) land here too; the shop's
    own merchant accounts are wallets whose phone is "merchant:…" and have no password."""

    __tablename__ = "wallets"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(32))
    brand: Mapped[str] = mapped_column(String(8), default="alipay")
    currency: Mapped[str] = mapped_column(String(3))
    password_salt: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(64))
    wrong_passwords: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where it comes from: "demo", "sandbox" (the sandbox form), "refund" (made for one).
    note: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("phone", "brand", "currency",
                                       name="uq_wallets_phone_brand_currency"),)

    def balance(self) -> int:
        """The balance in minor units: the sum of the wallet's entries."""
        total = db.session.scalar(select(func.coalesce(func.sum(WalletEntry.amount), 0))
                                  .where(WalletEntry.wallet_id == self.id))
        return int(total or 0)


class WalletEntry(db.Model):
    """One change of a wallet's balance; a wallet's balance is the sum of its entries."""

    __tablename__ = "wallet_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    wallet_id: Mapped[int] = mapped_column(ForeignKey("wallets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # opening|payment|receipt|refund|...
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    trade_id: Mapped[int | None] = mapped_column(ForeignKey("wallet_trades.id"), index=True)
    # A unique reference: the same payment or refund written twice fails on it.
    ref: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WalletTrade(db.Model):
    """A trade of the wallet provider: what a merchant asked to be paid, by cashier link or QR.
    Knows the merchant's reference and notify URL, never the shop's tables."""

    __tablename__ = "wallet_trades"

    id: Mapped[int] = mapped_column(primary_key=True)
    trade_no: Mapped[str] = mapped_column(String(32), unique=True)
    # The cashier page and QR code are reached by this random token (SPEC §8), never a number.
    token: Mapped[str] = mapped_column(String(43), unique=True)
    brand: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(4))  # h5 | qr
    merchant: Mapped[str] = mapped_column(String(32))
    merchant_name: Mapped[str] = mapped_column(String(64))
    # The merchant's own reference (unique per merchant) and the order number it shows.
    out_trade_no: Mapped[str] = mapped_column(String(64))
    order_number: Mapped[str] = mapped_column(String(24))
    subject: Mapped[str] = mapped_column(String(128))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="WAIT_BUYER_PAY", index=True)
    close_reason: Mapped[str | None] = mapped_column(String(16))
    notify_url: Mapped[str] = mapped_column(String(200))
    return_url: Mapped[str | None] = mapped_column(String(200))
    # The number the cashier suggests (the payer the merchant knows), typed over at will.
    payer_hint: Mapped[str | None] = mapped_column(String(20))
    payer_wallet_id: Mapped[int | None] = mapped_column(ForeignKey("wallets.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sandbox: how many more notification posts to the merchant are made to fail.
    notify_failures_left: Mapped[int] = mapped_column(default=0)

    payer_wallet: Mapped[Wallet | None] = relationship()
    notifications: Mapped[list[WalletNotification]] = relationship(
        order_by="WalletNotification.id", back_populates="trade")

    __table_args__ = (UniqueConstraint("merchant", "out_trade_no",
                                       name="uq_wallet_trades_merchant_ref"),
                      # the wallet closes unpaid trades past their expiry
                      Index("ix_wallet_trades_status_expires_at", "status", "expires_at"))


class WalletNotification(db.Model):
    """One server-to-server notification of a trade's new status to the merchant, posted until
    answered "success" or its retry schedule is used up. Its notify_id stays the same on every
    retry, so the merchant can tell a repeat."""

    __tablename__ = "wallet_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    trade_id: Mapped[int] = mapped_column(ForeignKey("wallet_trades.id"), index=True)
    notify_id: Mapped[str] = mapped_column(String(32), unique=True)
    trade_status: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|delivered|gave_up
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    trade: Mapped[WalletTrade] = relationship(back_populates="notifications")
    posts: Mapped[list[WalletNotifyPost]] = relationship(order_by="WalletNotifyPost.id")


class WalletNotifyPost(db.Model):
    """One post of a notification and what the merchant answered."""

    __tablename__ = "wallet_notify_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("wallet_notifications.id"),
                                                 index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    http_status: Mapped[int] = mapped_column()
    answer: Mapped[str] = mapped_column(String(200))
    ok: Mapped[bool] = mapped_column(Boolean)


class SessionVersion(db.Model):
    """How many times a payer has signed out. A signed-in session carries the version it began
    with and ends when this one moves on: signing out ends the payer's sessions on the server."""

    __tablename__ = "session_versions"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


class KioskSession(db.Model):
    """One customer at a kiosk, from the first touch to the attract screen again (SPEC §7).
    Its step moves through transition() (domain.kiosk.KIOSK_SESSION; events in state_events).

    The step lives here, not in the browser: a reload, a second tab or a restarted server
    shows the same one. One open session per terminal (ended_at empty), backed by an index.
    """

    __tablename__ = "kiosk_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    terminal: Mapped[str] = mapped_column(String(16))
    # The key of its receipt page (SPEC §8: a page reached from elsewhere has a random token).
    token: Mapped[str] = mapped_column(String(32), unique=True)
    step: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(8))
    operator_id: Mapped[str | None] = mapped_column(String(32))
    digits: Mapped[str] = mapped_column(String(16), default="")  # national digits typed
    # The amount tile chosen (minor units), or None for cash "whatever you insert".
    amount: Mapped[int | None] = mapped_column(BigInteger)
    # Cash: what the acceptor took so far; the commission and credited sum when paid.
    inserted: Mapped[int] = mapped_column(BigInteger, default=0)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    # A message code the current step shows (a declined card, a refused note).
    notice: Mapped[str | None] = mapped_column(String(32))
    # Incremented on every change: a screen that polls asks "anything new since N?".
    revision: Mapped[int] = mapped_column(default=0)
    last_touch_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    order: Mapped[Order | None] = relationship()

    __table_args__ = (Index("uq_kiosk_one_open", "terminal", unique=True,
                            sqlite_where=text("ended_at IS NULL"),
                            postgresql_where=text("ended_at IS NULL")),)


class KioskNote(db.Model):
    """A note event of a terminal's bill acceptor, accepted or given back. Its event id is
    unique per terminal: the same event again is answered as the first time, counted once."""

    __tablename__ = "kiosk_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    terminal: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_sessions.id"), index=True)
    note: Mapped[int] = mapped_column(BigInteger)
    accepted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(32))  # why it was given back
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("terminal", "event_id", name="uq_kiosk_note_event"),)


class Setting(db.Model):
    """Small key/value state shared by every process (the sandbox clock offset)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


__all__ = ["Subscriber", "LedgerEntry", "Order", "OrderEvent", "StateEvent", "PaymentAttempt",
           "SavedCard", "TrustCredit", "Wallet", "WalletEntry", "WalletTrade", "WalletNotification",
           "WalletNotifyPost",
           "OneTimeCode", "SmsMessage", "SessionVersion", "Setting"]
