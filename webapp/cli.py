"""CLI: `flask demo seed`, `flask settle`, `flask clock advance 1d|3h|30m`, `flask clock reset`,
`flask ledger verify`."""

from __future__ import annotations

import re
from datetime import timedelta

import click
from flask import Flask

from .clock import clock
from .services import demo, ledger
from .services.settle import settle_all

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

    @app.cli.command("settle")
    def settle_command():
        """Apply whatever fell due (expired orders and codes, credits). Safe to run again."""
        done = settle_all()
        click.echo(f"orders settled: {done.orders}; codes expired: {done.codes}; "
                   f"subscribers settled: {done.subscribers}")

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
