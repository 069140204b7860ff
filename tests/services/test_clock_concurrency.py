"""The sandbox clock moves by every step asked for, even when testers press at once."""

from datetime import timedelta

import pytest

from webapp.clock import clock

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
