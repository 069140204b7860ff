"""`python -m bench`: run every measurement on SQLite (and PostgreSQL when BENCH_DATABASE_URL is
set), print one table and write bench.json.

Environment: BENCH_DATABASE_URL (a PostgreSQL database used only for this: it is emptied),
BENCH_DATABASES (default: sqlite, and postgresql when BENCH_DATABASE_URL is set),
BENCH_SECONDS (one wrk run, default 5), BENCH_ROUNDS (bare/page pairs per page, default 3),
BENCH_SETTLE_SIZES (default 1000,10000,100000), BENCH_OUTPUT (default bench.json).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, func, make_url, select, text

from webapp import create_app
from webapp.config import Config
from webapp.extensions import db
from webapp.models import Order, Subscriber
from webapp.services import demo
from webapp.services.settle import settle_all

from . import data, load
from .browser import Browser
from .servers import GUNICORN_ARGS, PROJECT_DIR, cpu_seconds, gunicorn

PAGES = {"top-up": "/topup/RU", "checkout": None, "trust": "/trust"}  # checkout: placed first
LEDGER_LENGTHS = (10, 1_000, 100_000)
PAYING_CLIENTS = 4


def _log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _env_number(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def _prepare(url: str) -> None:
    """An empty database, migrated and seeded with the demo data."""
    if url.startswith("postgresql"):
        name = make_url(url).database or ""
        if "bench" not in name:
            raise SystemExit(f"BENCH_DATABASE_URL must name a database used only for the bench "
                             f"(its name containing 'bench'): it is emptied. Got {name!r}.")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(Config, {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        demo.seed()
        db.session.remove()
        db.engine.dispose()


def _measured(base: str, path: str, seconds: float, cookie: str | None = None) -> load.Load:
    """wrk against base + path, with the CPU the server used per request meanwhile."""
    before = cpu_seconds(base)
    found = load.run(base + path, seconds, cookie)
    after = cpu_seconds(base)
    if before is None or after is None or not found.requests:
        return found
    return replace(found, cpu_ms=(after - before) * 1000 / found.requests)


def _pages(app_base: str, bare_base: str, seconds: float, rounds: int) -> dict:
    """Each page against the bare app, interleaved bare, page, bare, page…; the ratio of each
    pair, and the median over the rounds."""
    browser = Browser(app_base)
    paths = dict(PAGES, checkout=browser.place_topup())
    cookie = browser.cookie_header()
    for path in paths.values():  # warm up: imports, templates, connections
        load.run(app_base + path, 1, cookie)
    load.run(bare_base + "/", 1)
    found = {}
    for name, path in paths.items():
        pairs = []
        for _ in range(rounds):
            bare = _measured(bare_base, "/", seconds)
            page = _measured(app_base, path, seconds, cookie)
            pairs.append((bare, page))
        _log(f"  {name}: {[round(p.rps / b.rps, 2) for b, p in pairs]} × bare")
        found[name] = {
            "path": path if name != "checkout" else "/orders/<number>",
            "ratio": statistics.median(p.rps / b.rps for b, p in pairs),
            "rps": statistics.median(p.rps for _, p in pairs),
            "p50_ms": statistics.median(p.p50_ms for _, p in pairs),
            "p99_ms": statistics.median(p.p99_ms for _, p in pairs),
            "bare_rps": statistics.median(b.rps for b, _ in pairs),
            "bare_p50_ms": statistics.median(b.p50_ms for b, _ in pairs),
            "bare_p99_ms": statistics.median(b.p99_ms for b, _ in pairs),
            # The servers' own CPU per request: what other jobs on a shared machine disturb
            # least (req/s and latency include waiting for them).
            "cpu_ms": _median_of(p.cpu_ms for _, p in pairs),
            "bare_cpu_ms": _median_of(b.cpu_ms for b, _ in pairs),
            "errors": sum(p.errors + b.errors for b, p in pairs),
            "runs": [{"bare": b.as_dict(), "page": p.as_dict()} for b, p in pairs],
        }
    return found


def _median_of(values) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _credited(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Order)
                                  .where(Order.status == "credited"))
        db.session.remove()
        return int(count)


def _payments(app, app_base: str, seconds: float) -> dict:
    """Card payments end to end (place → pay → credited) by PAYING_CLIENTS browsers at once."""
    before = _credited(app)
    deadline = time.monotonic() + seconds
    done = [0] * PAYING_CLIENTS
    failures: list[str] = []

    def client(index: int) -> None:
        browser = Browser(app_base)
        try:
            while time.monotonic() < deadline:
                browser.pay_by_card(browser.place_topup())
                done[index] += 1
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(PAYING_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    credited = _credited(app) - before
    if failures or credited != sum(done):
        raise RuntimeError(f"card payments: {sum(done)} paid, {credited} credited, {failures}")
    return {"clients": PAYING_CLIENTS, "paid": sum(done), "seconds": elapsed,
            "per_second": sum(done) / elapsed}


def _timed(work) -> tuple[float, object]:
    began = time.perf_counter()
    result = work()
    return time.perf_counter() - began, result


def _settlement(app, url: str, sizes: list[int]) -> dict:
    runs = []
    with app.app_context():
        for size in sizes:
            due = data.add_connected(size)
            due_seconds, first = _timed(settle_all)
            idle_seconds, second = _timed(settle_all)
            runs.append({"connected": size, "due": due, "due_run_s": due_seconds,
                         "settled": first.subscribers, "idle_run_s": idle_seconds,
                         "idle_settled": second.subscribers})
            _log(f"  {size} connected, {due} due: {due_seconds:.2f} s, "
                 f"then nothing due: {idle_seconds:.2f} s")
        if not url.startswith("postgresql"):
            db.session.remove()
            return {"runs": runs, "two_processes": None}  # SQLite: one writer at a time
        due = data.add_connected(max(sizes))
        db.session.remove()
    together = _two_at_once(url)
    _log(f"  two processes at once, {max(sizes)} connected, {due} due: {together}")
    return {"runs": runs, "two_processes": {"connected": max(sizes), "due": due, **together}}


def _two_at_once(url: str) -> dict:
    start_at = time.time() + 8  # both have built their app by then
    workers = [subprocess.Popen([sys.executable, "-m", "bench.settle_worker", url,
                                 str(start_at)], cwd=PROJECT_DIR, stdout=subprocess.PIPE,
                                text=True) for _ in range(2)]
    reports = []
    try:
        for worker in workers:
            out, _ = worker.communicate(timeout=3600)
            if worker.returncode:
                raise RuntimeError(f"settle worker exited with {worker.returncode}")
            reports.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for worker in workers:
            if worker.poll() is None:  # the other one failed: do not leave this one running
                worker.kill()
                worker.wait()
    return {"seconds": max(r["seconds"] for r in reports),
            "settled_each": [r["subscribers"] for r in reports]}


def _read_balance(phone: str) -> int:
    """A balance read as a request makes it: the number's row from the database (nothing
    cached in the session), then its balance."""
    db.session.expire_all()
    return db.session.scalar(select(Subscriber).where(Subscriber.phone == phone)).balance()


def _balances(app) -> dict:
    found = {}
    with app.app_context():
        for length in LEDGER_LENGTHS:
            subscriber = data.add_ledger(length)
            phone, expected = subscriber.phone, data.ledger_sum(subscriber.id)
            reads = 200 if length <= 1_000 else 30
            times = []
            for _ in range(reads):
                began = time.perf_counter()
                balance = _read_balance(phone)
                times.append((time.perf_counter() - began) * 1000)
            if balance != expected:
                raise SystemExit(f"{phone}: stored balance {balance} ≠ its ledger {expected}")
            db.session.commit()
            found[str(length)] = {"median_ms": statistics.median(times), "reads": reads}
            _log(f"  {length} entries: {statistics.median(times):.3f} ms")
        db.session.remove()
    return found


def run_database(name: str, url: str, seconds: float, rounds: int, sizes: list[int]) -> dict:
    _log(f"{name}: preparing {url}")
    _prepare(url)
    env = {"DATABASE_URL": url, "SECRET_KEY": "bench-only", "SANDBOX": "1",
           "CREDIT_DELAY_SECONDS": "0"}
    app = create_app(Config, {"SQLALCHEMY_DATABASE_URI": url})
    with gunicorn("bench.hello:app", env) as bare_base, gunicorn("wsgi:app", env) as app_base:
        _log(f"{name}: pages")
        pages = _pages(app_base, bare_base, seconds, rounds)
        _log(f"{name}: card payments")
        payments = _payments(app, app_base, seconds * 2)
        _log(f"  {payments['paid']} in {payments['seconds']:.1f} s: "
             f"{payments['per_second']:.1f}/s")
    _log(f"{name}: settlement")
    settlement = _settlement(app, url, sizes)
    _log(f"{name}: balance reads")
    balances = _balances(app)
    with app.app_context():
        db.engine.dispose()
    return {"pages": pages, "payments": payments, "settlement": settlement,
            "balances": balances}


def _ms(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"


def _cell(width: int, text_: str) -> str:
    return text_.rjust(width)


def _n(number: int) -> str:
    """1 000, 100 000: thousands apart with a space."""
    return f"{number:,}".replace(",", " ")


def table(report: dict) -> str:
    """The one table `make bench` prints."""
    names = list(report["databases"])
    width = 30
    settings = report["settings"]
    lines = [f"make bench — {settings['gunicorn']}; wrk -t{load.THREADS} -c{load.CONNECTIONS}, "
             f"{settings['rounds']} × {settings['seconds']:g} s per page, each after a bare run; "
             f"{settings['cpus']} CPUs, shared",
             "".ljust(44) + "".join(_cell(width, n) for n in names)]

    def row(label: str, cell) -> None:
        lines.append(label.ljust(44) + "".join(_cell(width, cell(report["databases"][n]))
                                              for n in names))

    lines.append("pages at 64 connections: req/s, × bare, p50/p99 ms, server CPU ms/request")
    row("  bare Flask \"hello\" (median)", lambda r: "{:.0f}  {:.0f}/{:.0f}  {}".format(
        statistics.median(p["bare_rps"] for p in r["pages"].values()),
        statistics.median(p["bare_p50_ms"] for p in r["pages"].values()),
        statistics.median(p["bare_p99_ms"] for p in r["pages"].values()),
        _ms(_median_of(p.get("bare_cpu_ms") for p in r["pages"].values()))))
    for page in PAGES:
        path = report["databases"][names[0]]["pages"][page]["path"]
        row(f"  {page} {path}", lambda r, page=page: "{:.0f}  {:.2f}×  {:.0f}/{:.0f}  {}".format(
            r["pages"][page]["rps"], r["pages"][page]["ratio"], r["pages"][page]["p50_ms"],
            r["pages"][page]["p99_ms"], _ms(r["pages"][page].get("cpu_ms"))))
    row("card payments end to end (place→pay→credited)",
        lambda r: f"{r['payments']['per_second']:.1f}/s")
    lines.append("settlement, 1 % due: run with it due / then nothing due")
    sizes = [run["connected"] for run in report["databases"][names[0]]["settlement"]["runs"]]
    for index, size in enumerate(sizes):
        def cell(r, index=index):
            run = r["settlement"]["runs"][index]
            growth = ""
            if index:
                growth = " ×{:.1f}".format(
                    run["due_run_s"] / r["settlement"]["runs"][index - 1]["due_run_s"])
            return f"{run['due_run_s']:.2f}{growth} / {run['idle_run_s']:.3f} s"
        row(f"  {_n(size)} connected, {_n(size // data.DUE_EVERY)} due", cell)
    together = next((r["settlement"]["two_processes"] for r in report["databases"].values()
                     if r["settlement"]["two_processes"]), None)
    if together:
        def both(r) -> str:
            run = r["settlement"]["two_processes"]
            if run is None:
                return "(PostgreSQL only)"
            return "{:.2f} s, settled {}".format(
                run["seconds"], " + ".join(str(n) for n in run["settled_each"]))
        row(f"  2 processes at once, {_n(together['connected'])} connected, "
            f"{_n(together['due'])} due", both)
    lines.append("balance read, median")
    for length in LEDGER_LENGTHS:
        row(f"  {_n(length)} ledger entries",
            lambda r, length=length: f"{r['balances'][str(length)]['median_ms']:.3f} ms")
    return "\n".join(lines)


def main() -> None:
    load.require_wrk()
    seconds = _env_number("BENCH_SECONDS", 5)
    rounds = int(_env_number("BENCH_ROUNDS", 3))
    sizes = [int(n) for n in (os.environ.get("BENCH_SETTLE_SIZES")
                              or "1000,10000,100000").split(",")]
    output = Path(os.environ.get("BENCH_OUTPUT") or PROJECT_DIR / "bench.json")
    report = {"when": datetime.now(UTC).isoformat(timespec="seconds"),
              "settings": {"gunicorn": "gunicorn " + " ".join(GUNICORN_ARGS[:4]),
                           "connections": load.CONNECTIONS, "seconds": seconds,
                           "rounds": rounds, "cpus": os.cpu_count(),
                           "machine": platform.platform(), "python": platform.python_version()},
              "databases": {}}
    with tempfile.TemporaryDirectory(prefix="topup-bench-") as folder:
        databases = {"sqlite": f"sqlite:///{folder}/bench.db"}
        if os.environ.get("BENCH_DATABASE_URL"):
            databases["postgresql"] = os.environ["BENCH_DATABASE_URL"]
        chosen = os.environ.get("BENCH_DATABASES")
        if chosen:
            databases = {n: databases[n] for n in chosen.split(",") if n in databases}
        if not databases:
            raise SystemExit("BENCH_DATABASES names no database to run (postgresql needs "
                             "BENCH_DATABASE_URL)")
        for name, url in databases.items():
            report["databases"][name] = run_database(name, url, seconds, rounds, sizes)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(table(report))
    _log(f"written {output}")


if __name__ == "__main__":
    main()
