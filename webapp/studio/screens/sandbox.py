"""The sandbox's own pages, and the page of an address that leads nowhere."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import scenario


@scenario("sandbox.index", _l("Sandbox: demo numbers, test cards and the clock"))
def index(stage):
    return stage.get("/sandbox/")


@scenario("sandbox.builder", _l("Sandbox: the subscriber builder"))
def builder(stage):
    return stage.get("/sandbox/subscribers/new")


@scenario("sandbox.builder_mistakes", _l("Sandbox: the subscriber builder's mistakes"))
def builder_mistakes(stage):
    stage.get("/sandbox/subscribers/new")
    return stage.post("/sandbox/subscribers", expect=422, operator="mts", balance="abc",
                      activated_on="2999-01-01", history_months="99")


@scenario("sandbox.subscriber", _l("Sandbox: a subscriber's page"))
def subscriber(stage):
    phone = stage.subscriber("beeline", auto_trust=True)
    return stage.get(f"/sandbox/subscribers/{phone[1:]}")


@scenario("errors.not_found", _l("A page that does not exist"))
def not_found(stage):
    return stage.get("/orders/X-000000-000000", expect=404)
