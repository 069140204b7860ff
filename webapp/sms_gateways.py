"""SMS gateways behind one interface. The service layer records every message in the database;
a gateway only carries it (or, in the sandbox, pretends to) and says what became of it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger("webapp.sms")

SENT = "sent"  # handed over; a delivery report may follow
DELIVERED = "delivered"


# What a one-time code reads as wherever it must not be readable (SPEC §8).
MASK = "••••••"


@dataclass(frozen=True)
class OutgoingSms:
    gateway_id: str
    phone: str
    sender: str
    body: str
    # A one-time code in the body, if any: a gateway that writes anywhere but the handset
    # (a log) masks it outside sandbox mode.
    secret: str | None = None


class SmsGateway(Protocol):
    name: str

    def send(self, sms: OutgoingSms) -> str:
        """Carry the message; return its status (sent or delivered)."""
        ...


class OutboxGateway:
    """The sandbox default: the database row is the delivery; the virtual phone reads it."""

    name = "outbox"

    def send(self, sms: OutgoingSms) -> str:
        return DELIVERED


class LogGateway:
    """For local debugging: prints each message to the application log. Codes are masked
    unless `show_codes` (sandbox mode only: outside it no code may reach a log)."""

    name = "log"

    def __init__(self, show_codes: bool = False) -> None:
        self.show_codes = show_codes

    def send(self, sms: OutgoingSms) -> str:
        body = sms.body
        if sms.secret and not self.show_codes:
            body = body.replace(sms.secret, MASK)
        log.info("SMS %s to %s from %s: %s", sms.gateway_id, sms.phone, sms.sender, body)
        return SENT


GATEWAYS = {"outbox": lambda sandbox: OutboxGateway(),
            "log": lambda sandbox: LogGateway(show_codes=sandbox)}


def make_gateway(name: str, sandbox: bool = False) -> SmsGateway:
    """The gateway configured by SMS_GATEWAY, for sandbox mode or not; raises ValueError for
    an unknown name."""
    try:
        build = GATEWAYS[name]
    except KeyError as exc:
        raise ValueError(f"SMS_GATEWAY must be one of {', '.join(GATEWAYS)}, not {name!r}") from exc
    return build(sandbox)
