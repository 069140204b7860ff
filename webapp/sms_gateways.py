"""SMS gateways behind one interface. The service layer records every message in the database;
a gateway only carries it (or, in the sandbox, pretends to) and says what became of it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger("webapp.sms")

SENT = "sent"  # handed over; a delivery report may follow
DELIVERED = "delivered"


@dataclass(frozen=True)
class OutgoingSms:
    gateway_id: str
    phone: str
    sender: str
    body: str


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
    """For local debugging outside the sandbox: prints each message to the application log."""

    name = "log"

    def send(self, sms: OutgoingSms) -> str:
        log.info("SMS %s to %s from %s: %s", sms.gateway_id, sms.phone, sms.sender, sms.body)
        return SENT


GATEWAYS = {"outbox": OutboxGateway, "log": LogGateway}


def make_gateway(name: str) -> SmsGateway:
    """The gateway configured by SMS_GATEWAY; raises ValueError for an unknown name."""
    try:
        return GATEWAYS[name]()
    except KeyError as exc:
        raise ValueError(f"SMS_GATEWAY must be one of {', '.join(GATEWAYS)}, not {name!r}") from exc
