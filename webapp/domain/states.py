"""State machines: which status may follow which, for every stateful thing (DESIGN "State and
concurrency"). Pure: no Flask, no ORM. The service that applies a move and writes its event row
is `services/transitions.py`.

A machine is a name, its allowed moves and its initial states; a state nothing leaves is final
(a target that has no entry of its own is final too). Define one with `define()`, which also
registers it under its name (one machine per name)::

    WALLET_TRADE = define("wallet_trade",
                          {"WAIT_BUYER_PAY": {"TRADE_SUCCESS", "TRADE_CLOSED"}},
                          initial="WAIT_BUYER_PAY")

then register the model that carries the status in `services/transitions.py`, in one line::

    register(WalletTrade, "wallet_trade", WALLET_TRADE)

An illegal move raises `IllegalMove`: it is a bug in the caller (which should have checked the
status under the row lock and refused the user with its own message), never a user error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


class IllegalMove(Exception):
    """A status change the state machine does not allow (a bug, not a user error)."""

    def __init__(self, current: str | None, new: str, machine: str = ""):
        super().__init__(f"cannot move from {current} to {new}")
        self.current = current
        self.new = new
        self.machine = machine


@dataclass(frozen=True)
class Machine:
    """The allowed moves of one kind of thing; `initial`: the statuses it may be created in."""

    name: str
    moves: Mapping[str, frozenset[str]]
    initial: frozenset[str]

    @property
    def states(self) -> frozenset[str]:
        return frozenset(self.moves)

    @property
    def final(self) -> frozenset[str]:
        """The statuses nothing leaves."""
        return frozenset(state for state, nxt in self.moves.items() if not nxt)

    def allows(self, current: str | None, new: str) -> bool:
        """Whether current → new is a move of this machine; current None: a new thing created
        in status `new`."""
        if current is None:
            return new in self.initial
        return new in self.moves.get(current, frozenset())

    def check(self, current: str | None, new: str) -> None:
        """Raise IllegalMove unless current → new is allowed."""
        if not self.allows(current, new):
            raise IllegalMove(current, new, self.name)


MACHINES: dict[str, Machine] = {}


def define(name: str, moves: Mapping[str, Iterable[str]],
           initial: str | Iterable[str]) -> Machine:
    """A machine from its moves (status → the statuses that may follow it), registered under
    `name`. Raises ValueError for a name taken, or an initial status that is not a state."""
    table = {state: frozenset(nxt) for state, nxt in moves.items()}
    for targets in list(table.values()):
        for target in targets:
            table.setdefault(target, frozenset())  # a target with no moves of its own: final
    starts = frozenset({initial} if isinstance(initial, str) else initial)
    if not starts or not starts <= set(table):
        raise ValueError(f"{name}: initial states {sorted(starts)} are not states")
    if name in MACHINES:
        raise ValueError(f"a machine named {name} is already defined")
    machine = Machine(name=name, moves=table, initial=starts)
    MACHINES[name] = machine
    return machine
