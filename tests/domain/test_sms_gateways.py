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


CODE_SMS = OutgoingSms(gateway_id="g2", phone="+79031234567", sender="TopupSandbox",
                       body="Code 482913. Do not tell anyone.", secret="482913")


def test_log_gateway_masks_a_code_unless_told_to_show_it(caplog):
    caplog.set_level(logging.INFO, logger="webapp.sms")
    LogGateway().send(CODE_SMS)
    assert "Code ••••••. Do not tell anyone." in caplog.text and "482913" not in caplog.text
    caplog.clear()
    LogGateway(show_codes=True).send(CODE_SMS)
    assert "Code 482913." in caplog.text


@pytest.mark.parametrize("sandbox", [False, True])
def test_log_gateway_shows_codes_only_in_sandbox(sandbox):
    assert make_gateway("log", sandbox=sandbox).show_codes is sandbox
