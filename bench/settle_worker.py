"""One settlement process of the bench's two-at-once run.

`python -m bench.settle_worker URL START`: builds the app, waits until the wall-clock time START
(so that both processes begin together), runs what `flask settle` runs and prints JSON.
"""

from __future__ import annotations

import json
import sys
import time

from sqlalchemy import text

from webapp import create_app
from webapp.config import Config
from webapp.extensions import db
from webapp.services.settle import settle_all


def main(url: str, start_at: float) -> None:
    app = create_app(Config, {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # connected before the start
        db.session.commit()
        time.sleep(max(0.0, start_at - time.time()))
        began = time.perf_counter()
        done = settle_all()
        elapsed = time.perf_counter() - began
    print(json.dumps({"seconds": elapsed, "subscribers": done.subscribers,
                      "orders": done.orders, "codes": done.codes}))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
