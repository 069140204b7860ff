"""The SMS gateways behind their one interface."""

import logging

import pytest

from webapp.sms_gateways import (
    DELIVERED,
    SENT,
    LogGateway,
    OutboxGateway,
    OutgoingSms,
    make_gateway,
)

SMS = OutgoingSms(gateway_id="g1", phone="+79031234567", sender="TopupSandbox", body="hello")


def test_outbox_gateway_delivers_into_the_database_copy():
    assert OutboxGateway().send(SMS) == DELIVERED


def test_log_gateway_prints_the_message(caplog):
    caplog.set_level(logging.INFO, logger="webapp.sms")
    assert LogGateway().send(SMS) == SENT
    assert "SMS g1 to +79031234567 from TopupSandbox: hello" in caplog.text


def test_gateway_by_name():
    assert isinstance(make_gateway("outbox"), OutboxGateway)
    assert isinstance(make_gateway("log"), LogGateway)
    with pytest.raises(ValueError, match="SMS_GATEWAY must be one of outbox, log"):
        make_gateway("carrier-pigeon")
