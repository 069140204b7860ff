"""`make bench`: pages against a bare Flask app, card payments, settlement and balance reads.

Run with `python -m bench` (see README, "Performance"). Not part of the test suite: numbers on
a shared machine are noise, so the page figures are ratios to a bare app measured in between.
"""
