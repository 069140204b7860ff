"""What a page costs (issue 13): the work removed from every request stays removed, and the
shortcuts give the same pages. Links are remembered, the CSRF signature is made once per
session token, views without a limit skip the rate limiter, the checkout loads its order in
one query, and a balance read touches no ledger entry."""

from __future__ import annotations

import re
from contextlib import contextmanager

from flask import url_for
from sqlalchemy import event, select

from webapp import links
from webapp.extensions import db, limiter
from webapp.models import Subscriber
from webapp.services import demo, ledger

from ..factories import topup_order


@contextmanager
def statements():
    """Every SQL statement run meanwhile, as text."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_remembered_links_are_the_urls_url_for_builds(app):
    with app.test_request_context("/topup/RU"):
        for endpoint, values in [("static", {"filename": "css/app.css"}),
                                 ("topup.form", {"market": "CN"}), ("trust.start", {}),
                                 ("checkout.order", {"number": "T-261122-000001"})]:
            assert links.link(endpoint, **values) == url_for(endpoint, **values)
            assert links.link(endpoint, **values) == url_for(endpoint, **values)  # kept
        assert ("", "topup.form", ("market", "CN")) in app.extensions["links"]
        external = links.link("trust.start", _external=True)
        assert external == "http://localhost/trust"  # built each time, never kept
        assert not any("_external" in str(key) for key in app.extensions["links"])


def test_remembered_links_stay_bounded(app):
    with app.test_request_context("/"):
        for n in range(links._KEPT + 5):
            links.link("checkout.order", number=f"T-261122-{n:06d}")
        assert 0 < len(app.extensions["links"]) <= links._KEPT
        assert links.link("checkout.order", number="T-261122-000001") == \
            "/orders/T-261122-000001"


def test_links_are_per_app(client_with):
    # The sandbox pages exist in a sandbox app only: a URL one app built is not another's.
    assert client_with(SANDBOX=True).get("/topup/RU").status_code == 200
    page = client_with(SANDBOX=False).get("/topup/RU").get_data(as_text=True)
    assert "/sandbox" not in page


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_csrf_token_is_signed_once_per_session_and_still_checked(client_with):
    client = client_with(WTF_CSRF_ENABLED=True)
    first = _token(client.get("/topup/RU").get_data(as_text=True))
    again = _token(client.get("/trust").get_data(as_text=True))
    assert again == first  # the remembered signature, not a new one
    assert first in client.application.extensions["csrf_signed"].values()
    other = client_with(WTF_CSRF_ENABLED=True)
    assert _token(other.get("/topup/RU").get_data(as_text=True)) != first  # per session
    refused = other.post("/topup/RU", data={"phone": "+79031234567", "amount": "10000",
                                            "csrf_token": first})
    assert refused.status_code == 400  # another session's token is no good here
    placed = client.post("/topup/RU", data={"phone": "+79031234567", "amount": "10000",
                                            "csrf_token": first})
    assert placed.status_code == 303


def test_views_without_a_limit_skip_the_limiter(app):
    with app.test_request_context("/topup/RU"):
        assert all(f() for f in limiter._request_filters)  # nothing to count: skipped
    with app.test_request_context("/trust", method="POST"):
        assert not all(f() for f in limiter._request_filters)  # sends a code: counted
    app.config["RATELIMIT_DEFAULT"] = "100 per minute"
    with app.test_request_context("/topup/RU"):
        assert not all(f() for f in limiter._request_filters)  # a default limit counts all


def test_the_checkout_page_loads_its_order_once(client):
    order = topup_order(client=client)
    with statements() as seen:
        assert client.get(f"/orders/{order.number}").status_code == 200
    orders = [s for s in seen if re.search(r"\bFROM orders\b", s)]
    assert len(orders) == 1, orders  # with its attempts, joined
    assert "payment_attempts" in orders[0]


def test_a_balance_read_touches_no_ledger_entry(app):
    demo.seed()
    phone = "+79031234567"
    db.session.expire_all()
    with statements() as seen:
        subscriber = db.session.scalar(select(Subscriber).where(Subscriber.phone == phone))
        balance = subscriber.balance()
    assert not any("ledger_entries" in s for s in seen), seen
    assert balance == 45000 and ledger.verify() == []
