"""The state machines of domain/machines.py, move by move, and defining a new one
(domain/states.py): every pair of statuses is either allowed or refused with IllegalMove."""

from __future__ import annotations

import itertools

import pytest

from webapp.domain import machines
from webapp.domain.orders import InvalidTransition
from webapp.domain.states import MACHINES, IllegalMove, Machine, define

# Each machine's allowed moves, written out again here (not read from the code under test).
EXPECTED = {
    "order.topup": ({("awaiting_payment", "paid"), ("awaiting_payment", "expired"),
                     ("paid", "crediting"), ("crediting", "credited"),
                     ("crediting", "refunded")},
                    {"awaiting_payment"}, {"credited", "refunded", "expired"}),
    "order.goods": ({("awaiting_payment", "paid"), ("awaiting_payment", "expired"),
                     ("paid", "refunded")},
                    {"awaiting_payment"}, {"refunded", "expired"}),
    "attempt": ({("pending", "succeeded"), ("pending", "failed"), ("pending", "canceled")},
                {"pending"}, {"succeeded", "failed", "canceled"}),
    "code": ({("active", s) for s in ("used", "dead", "expired", "superseded")},
             {"active"}, {"used", "dead", "expired", "superseded"}),
    "trust_credit": ({("outstanding", "repaid")}, {"outstanding"}, {"repaid"}),
    "sms": ({("queued", "sent"), ("queued", "delivered"), ("queued", "failed"),
             ("sent", "delivered"), ("sent", "failed"), ("delivered", "failed")},
            {"queued", "received"}, {"failed", "received"}),
}


def _cases():
    for name, (allowed, _initial, _final) in EXPECTED.items():
        states = sorted({s for move in allowed for s in move} | _initial)
        for current, new in itertools.product(states, repeat=2):
            yield pytest.param(name, current, new, (current, new) in allowed,
                               id=f"{name}:{current}->{new}")


@pytest.mark.parametrize(("name", "current", "new", "allowed"), list(_cases()))
def test_every_move_of_every_machine(name, current, new, allowed):
    machine = MACHINES[name]
    assert machine.allows(current, new) is allowed
    if allowed:
        assert machine.check(current, new) is None
    else:
        with pytest.raises(IllegalMove) as info:
            machine.check(current, new)
        assert (info.value.current, info.value.new, info.value.machine) == (current, new, name)
        assert str(info.value) == f"cannot move from {current} to {new}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_initial_and_final_states(name):
    _allowed, initial, final = EXPECTED[name]
    machine = MACHINES[name]
    assert machine.initial == initial and machine.final == final
    for state in machine.states:
        assert machine.allows(None, state) is (state in initial)
    for state in final:
        assert not any(machine.allows(state, other) for other in machine.states)


@pytest.mark.parametrize(("name", "current", "new"), [
    ("order.topup", "awaiting_payment", "succeeded"),  # an attempt's status
    ("attempt", "pending", "paid"),                    # an order's status
    ("code", "bogus", "used"),
    ("sms", "received", "delivered"),                  # a reply is not delivered
    ("trust_credit", "repaid", "outstanding"),
    ("order.goods", "paid", "crediting"),              # goods are not credited
])
def test_strangers_and_other_machines_statuses_are_refused(name, current, new):
    with pytest.raises(IllegalMove):
        MACHINES[name].check(current, new)


def test_the_old_name_catches_it():
    assert InvalidTransition is IllegalMove


def test_order_machine_by_kind():
    assert machines.ORDER_BY_KIND == {"topup": machines.ORDER_TOPUP,
                                      "goods": machines.ORDER_GOODS}


@pytest.fixture
def scratch_names():
    """Names the test defines machines under, removed from the registry afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        MACHINES.pop(name, None)


def test_a_wallet_trade_is_defined_in_one_line(scratch_names):
    scratch_names.append("test.wallet_trade")
    trade = define("test.wallet_trade",
                   {"WAIT_BUYER_PAY": {"TRADE_SUCCESS", "TRADE_CLOSED"}},
                   initial="WAIT_BUYER_PAY")
    assert isinstance(trade, Machine) and MACHINES["test.wallet_trade"] is trade
    assert trade.states == {"WAIT_BUYER_PAY", "TRADE_SUCCESS", "TRADE_CLOSED"}
    assert trade.final == {"TRADE_SUCCESS", "TRADE_CLOSED"}
    assert trade.allows("WAIT_BUYER_PAY", "TRADE_SUCCESS")
    assert not trade.allows("TRADE_CLOSED", "TRADE_SUCCESS")
    assert trade.allows(None, "WAIT_BUYER_PAY") and not trade.allows(None, "TRADE_SUCCESS")


def test_a_name_is_defined_once_and_initial_states_must_exist(scratch_names):
    scratch_names.append("test.kiosk")
    define("test.kiosk", {"open": {"closed"}}, initial={"open"})
    with pytest.raises(ValueError, match="already defined"):
        define("test.kiosk", {"open": {"closed"}}, initial="open")
    with pytest.raises(ValueError, match="not states"):
        define("test.other", {"open": {"closed"}}, initial="missing")
    with pytest.raises(ValueError, match="not states"):
        define("test.other", {"open": {"closed"}}, initial=())
    assert "test.other" not in MACHINES
