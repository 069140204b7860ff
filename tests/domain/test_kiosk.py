"""Kiosk cash rules (SPEC §3.4) at their boundaries, idle times and steps (SPEC §7)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from webapp.domain import kiosk
from webapp.domain.kiosk import (
    CashRules,
    CommissionStep,
    NoteRefused,
    accept_note,
    commission,
    credited,
    needed_for,
)
from webapp.domain.states import IllegalMove
from webapp.rules import load_rules

RULES = load_rules()
RU = RULES.kiosk_cash["RU"]
CN = RULES.kiosk_cash["CN"]


def rub(major: str) -> int:
    return int(Decimal(major) * 100)


@pytest.mark.parametrize(("inserted", "fee", "to_number"), [
    ("0", "0", "0"),
    ("0.01", "0.01", "0"),  # the minimum is more than what was inserted: never below zero
    ("10", "10", "0"),  # one 10 ₽ note only covers the minimum commission
    ("50", "10", "40"),
    ("333.33", "10", "323.33"),  # 3 % = 9.99 → the 10 ₽ minimum
    ("333.34", "10", "323.34"),  # 3 % = 10.0002 → 10.00
    ("350", "10.50", "339.50"),  # 3 % of 350 = 10.50
    ("499.99", "15", "484.99"),  # 3 % = 14.9997 → 15.00, half-up
    ("500", "0", "500"),  # from 500 ₽ no commission
    ("15000", "0", "15000"),
])
def test_ru_commission_table(inserted, fee, to_number):
    assert commission(rub(inserted), RU) == rub(fee)
    assert credited(rub(inserted), RU) == rub(to_number)


def test_credited_is_inserted_minus_commission_and_never_below_zero():
    for inserted in range(0, 60_000, 7):
        assert credited(inserted, RU) == max(0, inserted - commission(inserted, RU))
        assert 0 <= credited(inserted, RU) <= inserted


def test_commission_rounds_half_up_to_a_kopeck():
    rules = CashRules("RUB", (1000,), 1_500_000, (CommissionStep(0, Decimal("3")),))
    assert commission(50, rules) == 2  # 1.5 kopecks → 2
    assert commission(49, rules) == 1  # 1.47 → 1


@pytest.mark.parametrize("inserted", [1, 100, 50_000, 500_000])
def test_cn_kiosk_takes_no_commission(inserted):
    assert commission(inserted, CN) == 0
    assert credited(inserted, CN) == inserted


def test_ru_notes_and_cap():
    assert RU.notes == tuple(rub(n) for n in ("10", "50", "100", "200", "500", "1000", "2000",
                                             "5000"))
    assert RU.max_per_payment == rub("15000")
    assert accept_note(rub("10000"), rub("5000"), RU) == rub("15000")  # exactly the cap
    with pytest.raises(NoteRefused) as refused:
        accept_note(rub("14990"), rub("50"), RU)  # 15 040 would pass it
    assert refused.value.code == "over_cap"
    assert accept_note(rub("14990"), rub("10"), RU) == rub("15000")


def test_cn_notes_and_cap():
    assert CN.notes == tuple(n * 100 for n in (1, 5, 10, 20, 50, 100))
    assert accept_note(4_900_00, 100_00, CN) == 5_000_00
    with pytest.raises(NoteRefused):
        accept_note(4_999_00, 5_00, CN)


@pytest.mark.parametrize("note", [0, 2_00, 100_00 + 1, -10_00])
def test_a_note_the_acceptor_does_not_take(note):
    with pytest.raises(NoteRefused) as refused:
        accept_note(0, note, RU)
    assert refused.value.code == "unknown_note"


@pytest.mark.parametrize(("amount", "insert"), [
    ("100", "110"),  # the 10 ₽ minimum
    ("300", "310"),
    ("323.34", "333.34"),  # the last kopeck where the minimum still applies
    ("339.50", "350"),  # 3 %
    ("484.99", "499.99"),
    ("485", "500"),  # cheaper to reach 500 ₽, where there is no commission
    ("500", "500"),
    ("15000", "15000"),
])
def test_needed_for_an_amount(amount, insert):
    assert needed_for(rub(amount), RU) == rub(insert)
    assert credited(needed_for(rub(amount), RU), RU) >= rub(amount)
    assert credited(needed_for(rub(amount), RU) - 1, RU) < rub(amount)


def test_needed_for_more_than_the_cap_is_none():
    assert needed_for(rub("15000.01"), RU) is None
    assert needed_for(rub("5000"), CN) is None or CN.max_per_payment >= rub("5000")


NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(("idle", "phase", "left"), [
    (0, kiosk.ACTIVE, 80), (59.9, kiosk.ACTIVE, 21), (60, kiosk.WARNING, 20),
    (60.5, kiosk.WARNING, 20), (79, kiosk.WARNING, 1), (79.99, kiosk.WARNING, 1),
    (80, kiosk.TIMED_OUT, 0), (3600, kiosk.TIMED_OUT, 0),
])
def test_idle_phases(idle, phase, left):
    now = NOW + timedelta(seconds=idle)
    assert kiosk.idle_phase(NOW, now) == phase
    assert kiosk.seconds_left(NOW, now) == left


def test_steps_table():
    machine = kiosk.KIOSK_SESSION
    assert machine.initial == {kiosk.OPERATOR}
    assert machine.allows(kiosk.CASH, kiosk.RESULT)
    assert machine.allows(kiosk.CASH, kiosk.DONE)  # idle with cash in: paid, session over
    for final in kiosk.FINAL:
        with pytest.raises(IllegalMove):
            machine.check(final, kiosk.OPERATOR)
    with pytest.raises(IllegalMove):
        machine.check(kiosk.RESULT, kiosk.CASH)  # a paid session never takes cash again
    assert kiosk.FINAL == machine.final == {kiosk.DONE, kiosk.ABANDONED}


def test_kiosk_rules_file_problems_name_the_key(tmp_path):
    import shutil

    from webapp.rules import RulesError
    from webapp.rules.loader import RULES_DIR

    for name in RULES_DIR.glob("*.toml"):
        shutil.copy(name, tmp_path / name.name)
    text = (tmp_path / "kiosk.toml").read_text()
    (tmp_path / "kiosk.toml").write_text(text.replace('{ from = 0, percent = "3"',
                                                      '{ from = 1, percent = "3"'))
    with pytest.raises(RulesError, match=r"kiosk.toml: cash.RU.commission"):
        load_rules(tmp_path)
    (tmp_path / "kiosk.toml").write_text(text.replace('market = "CN"', 'market = "XX"'))
    with pytest.raises(RulesError, match=r"kiosk.toml: terminals\[1\].market"):
        load_rules(tmp_path)


def test_the_studios_own_terminals_are_marked_and_the_flag_is_checked(tmp_path):
    import shutil

    from webapp import pseudo
    from webapp.rules import RulesError
    from webapp.rules.loader import RULES_DIR

    terminals = load_rules().terminals
    assert {t.id for t in terminals.values() if t.studio} == {"779901", "869901"}
    assert not terminals["770101"].studio and not terminals["860101"].studio
    # The pseudo-locale's address is the English one made pseudo (no untranslated text).
    assert terminals["770101"].address_in("qps") == pseudo.pseudo(
        terminals["770101"].address_in("en"))
    for name in RULES_DIR.glob("*.toml"):
        shutil.copy(name, tmp_path / name.name)
    text = (tmp_path / "kiosk.toml").read_text()
    (tmp_path / "kiosk.toml").write_text(text.replace("studio = true", 'studio = "yes"', 1))
    with pytest.raises(RulesError, match=r"kiosk.toml: terminals\[2\].studio"):
        load_rules(tmp_path)
    # The studio's terminals alone are no kiosks to offer.
    only_studio = text.replace('id = "770101"', 'id = "770102"\nstudio = true').replace(
        'id = "860101"', 'id = "860102"\nstudio = true')
    (tmp_path / "kiosk.toml").write_text(only_studio)
    with pytest.raises(RulesError, match=r"besides the studio's"):
        load_rules(tmp_path)
