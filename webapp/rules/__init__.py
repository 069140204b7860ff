"""The rule data files (*.toml) and their loader: see loader.py."""

from .loader import Rules, RulesError, load_rules

__all__ = ["Rules", "RulesError", "load_rules"]
