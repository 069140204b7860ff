"""Where a page's time goes: `python -m bench.profile [PATH …]` renders each page many times
through the app (no server, no network) on a seeded SQLite file, and prints the mean time per
request and the top of a cProfile of those requests.

PATH defaults to the bench's pages; "checkout" stands for the page of an order placed first.
Environment: PROFILE_REQUESTS (default 300), PROFILE_SORT (default tottime), PROFILE_TOP (25).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import tempfile
import time

from flask_migrate import upgrade

from webapp import create_app
from webapp.config import Config
from webapp.extensions import db
from webapp.services import demo


def _checkout(client) -> str:
    form = client.get("/topup/RU")
    token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    placed = client.post("/topup/RU", data={"csrf_token": token, "phone": "9031234567",
                                            "operator": "beeline", "amount": "10000"})
    assert placed.status_code == 303, placed.status_code
    return placed.headers["Location"]


BATCHES = 5


def _best_mean_ms(client, path: str, requests: int) -> float:
    per_batch = max(requests // BATCHES, 1)
    means = []
    for _ in range(BATCHES):
        began = time.perf_counter()
        for _ in range(per_batch):
            client.get(path)
        means.append((time.perf_counter() - began) * 1000 / per_batch)
    return min(means)


def profile(paths: list[str], requests: int, sort: str, top: int) -> str:
    out = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="topup-profile-") as folder:
        app = create_app(Config, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/p.db"})
        with app.app_context():
            upgrade()
            demo.seed()
            db.session.remove()
        client = app.test_client()
        for path in paths:
            if path == "checkout":
                path = _checkout(client)
            for _ in range(20):  # warm up: templates compiled, catalogs loaded
                assert client.get(path).status_code == 200, path
            mean_ms = _best_mean_ms(client, path, requests)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(requests):
                client.get(path)
            profiler.disable()
            out.write(f"== {path}: {mean_ms:.2f} ms a request (no profiler: the best mean of "
                      f"{BATCHES} batches of {requests // BATCHES}, the machine being shared)\n")
            stats = pstats.Stats(profiler, stream=out)
            stats.strip_dirs().sort_stats(sort).print_stats(top)
        with app.app_context():
            db.engine.dispose()
    return out.getvalue()


def main() -> None:
    paths = sys.argv[1:] or ["/topup/RU", "checkout", "/trust"]
    print(profile(paths, int(os.environ.get("PROFILE_REQUESTS") or 300),
                  os.environ.get("PROFILE_SORT") or "tottime",
                  int(os.environ.get("PROFILE_TOP") or 25)))


if __name__ == "__main__":
    main()
