"""Use cases with the database. Each owns its transaction: lock, check, change, record, commit."""

from flask import current_app

from ..rules import Rules


def rules() -> Rules:
    """The rules loaded at start-up."""
    return current_app.extensions["topup_rules"]
