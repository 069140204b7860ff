"""Platform state under concurrent requests: the sandbox clock moves by every step asked for,
and one SMS delivered twice at once by the gateway is taken once."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.clock import clock
from webapp.extensions import db
from webapp.models import SmsMessage
from webapp.services import replies

from ..factories import run_at_once

STEPS = 8


@pytest.mark.parametrize("moved_before", [False, True], ids=["first-move", "later-move"])
def test_concurrent_advances_lose_no_step(app, moved_before):
    if moved_before:
        clock.advance(timedelta(hours=1))
    start = clock.offset()

    def advance(_i):
        clock.advance(timedelta(hours=1))
        return "moved"

    assert run_at_once(app, STEPS, advance) == ["moved"] * STEPS
    assert clock.offset() - start == timedelta(hours=STEPS)


def test_one_gateway_message_delivered_twice_at_once_is_taken_once(app):
    def deliver(_i):
        replies.receive("+79031234567", "8464", "hello", inbound_id="gw-twice")
        return "taken"

    results = run_at_once(app, 6, deliver, refusals=(replies.AlreadyReceived,))
    assert sorted(results, key=str) == [None] * 5 + ["taken"]  # None: AlreadyReceived
    assert db.session.scalar(select(func.count(SmsMessage.id))) == 1
