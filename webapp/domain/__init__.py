"""Pure business rules: no Flask, no SQLAlchemy. Everything here is tested with plain values."""
