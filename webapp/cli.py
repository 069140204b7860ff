"""CLI: `flask demo seed`, `flask settle`, `flask clock advance 1d|3h|30m`, `flask clock reset`,
`flask ledger verify`, `flask studio shots`."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from . import studio
from .clock import clock
from .services import demo, ledger, wallets
from .services.settle import settle_all
from .studio import shots

_STEP = re.compile(r"^(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_step(text: str) -> timedelta:
    """"1d", "3h", "30m" → timedelta; raises click.BadParameter otherwise."""
    match = _STEP.match(text.strip())
    if not match:
        raise click.BadParameter("use a number and d, h or m, e.g. 1d, 3h, 30m")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def init_app(app: Flask) -> None:
    demo_group = click.Group("demo", help="Demo data.")
    clock_group = click.Group("clock", help="The sandbox clock.")
    ledger_group = click.Group("ledger", help="The subscribers' ledger.")

    @demo_group.command("seed")
    def seed_command():
        """Create the demo subscribers (idempotent)."""
        click.echo(f"demo subscribers created: {demo.seed()}")
        click.echo(f"demo wallets created: {wallets.seed_demo()}")

    @app.cli.command("settle")
    def settle_command():
        """Apply whatever fell due (expired orders and codes, credits). Safe to run again."""
        done = settle_all()
        click.echo(f"orders settled: {done.orders}; codes expired: {done.codes}; "
                   f"subscribers settled: {done.subscribers}; kiosk sessions ended: "
                   f"{done.kiosks}; wallet trades closed: {done.trades}; wallet notifications "
                   f"posted: {done.notifications}")

    @clock_group.command("advance")
    @click.argument("step")
    def advance_command(step):
        """Move the sandbox clock forward by STEP (1d, 3h, 30m) and settle."""
        if not app.config["SANDBOX"]:
            raise click.ClickException("the clock can only be moved in sandbox mode")
        now = clock.advance(parse_step(step))
        done = settle_all()
        click.echo(f"now: {now.isoformat()}; orders settled: {done.orders}; "
                   f"codes expired: {done.codes}; subscribers settled: {done.subscribers}")

    @clock_group.command("reset")
    def reset_command():
        """Back to real time."""
        clock.reset()
        click.echo(f"now: {clock.now().isoformat()}")

    @ledger_group.command("verify")
    def verify_command():
        """Check that every number's stored balance is the sum of its ledger entries; list the
        numbers where it is not and exit with status 1."""
        mismatches = ledger.verify()
        for wrong in mismatches:
            click.echo(f"{wrong.phone}: stored {wrong.stored}, ledger {wrong.ledger} "
                       f"(off by {wrong.stored - wrong.ledger})", err=True)
        if mismatches:
            raise click.ClickException(f"{len(mismatches)} balance(s) differ from the ledger")
        click.echo("ledger ok: every balance is the sum of its entries")

    app.cli.add_command(demo_group)
    app.cli.add_command(clock_group)
    app.cli.add_command(ledger_group)
    app.cli.add_command(_studio_group(app))


def _names(text: str, allowed, what: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    wrong = [name for name in names if name not in allowed]
    if not names or wrong:
        raise click.BadParameter(f"{what}: a comma-separated list of {', '.join(allowed)}")
    return names


def _studio_group(app: Flask) -> AppGroup:
    studio_group = AppGroup("studio", help="The translators' and testers' studio.")

    @studio_group.command("shots")
    @click.option("--locales", default=",".join(shots.LOCALES), show_default=True,
                  help="Languages, comma-separated.")
    @click.option("--sizes", default=",".join(shots.SIZES), show_default=True,
                  help="phone (390×844) and/or kiosk (1080×1920).")
    @click.option("--out", default="studio-shots", show_default=True, type=click.Path(),
                  help="Folder for the PNGs, index.html, strings.json and report.txt.")
    @click.option("--screens", default="", help="Only these screens (comma-separated names, "
                  "or an area followed by a dot: order.).")
    def shots_command(locales, sizes, out, screens):
        """Screenshot every studio screen × language × size with Chromium; report text that
        overflows its box and, in qps, text not from the catalog. Exits 1 when it finds any."""
        if not app.config["SANDBOX"]:
            raise click.ClickException("the studio exists only in sandbox mode")
        every = list(studio.load())
        chosen = [name for name in every if not screens or any(
            name == want or (want.endswith(".") and name.startswith(want))
            for want in screens.split(","))]
        if not chosen:
            raise click.BadParameter(f"no screen matches {screens!r}")
        with shots.serving(app) as base, shots.chromium() as browser:
            report = shots.shoot(base, Path(out), browser=browser,
                                 locales=_names(locales, shots.LOCALES, "--locales"),
                                 sizes=_names(sizes, shots.SIZES, "--sizes"), screens=chosen,
                                 progress=click.echo)
        click.echo(shots.report_text(report), nl=False)
        click.echo(f"index: {Path(out) / 'index.html'}")
        if report.new:
            raise SystemExit(1)

    return studio_group
