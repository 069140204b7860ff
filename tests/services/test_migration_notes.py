"""Migration 0007_builder: a database seeded before subscriber notes had keys gets its English
notes turned into keys (and back on downgrade), so its sandbox pages show them translated."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from webapp import create_app
from webapp.config import TestConfig
from webapp.extensions import db
from webapp.services.demo import NOTES

OLD = "Mobile payment refused: 5 payments made today (MTS allows 5)"
BEFORE = "0007_builder-1"  # whatever revision it is chained after


def notes() -> list[str]:
    db.session.commit()  # a fresh read: the migration wrote through its own connection
    return list(db.session.execute(text("SELECT demo_note FROM subscribers ORDER BY id"))
                .scalars())


def test_old_english_notes_become_keys_and_back(tmp_path):
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/old.db"})
    with app.app_context():
        upgrade()
        downgrade(revision=BEFORE)
        for phone, note in (("+79831234567", OLD), ("+79990000000", "created by a top-up"),
                            ("+79990000001", "a tester's own words")):
            db.session.execute(text(
                "INSERT INTO subscribers (phone, market, operator_id, tariff_kind, tariff_name,"
                " activated_on, location, mobile_payments_enabled, personal_budget, auto_trust,"
                " suspended, demo_note) VALUES (:phone, 'RU', 'mts', 'prepaid', '', "
                "'2024-01-10', 'home', 1, 0, 0, 0, :note)"), {"phone": phone, "note": note})
        db.session.commit()
        upgrade()
        assert notes() == ["mobile_mts_daily_count", "topup", "a tester's own words"]
        assert set(notes()[:2]) <= set(NOTES)
        downgrade(revision=BEFORE)
        assert notes() == [OLD, "created by a top-up", "a tester's own words"]
        db.session.remove()
        db.engine.dispose()
