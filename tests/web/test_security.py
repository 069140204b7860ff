"""Security defaults: headers, CSRF on forms and htmx requests, sandbox pages only in sandbox."""

import re

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Order

from ..factories import topup_order


def test_security_headers_and_strict_csp(client):
    response = client.get("/topup/RU")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client):
    order = topup_order(client=client)
    for url in ("/topup/RU", "/topup/CN", f"/orders/{order.number}", "/sandbox/", "/nope"):
        body = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), url
        assert "<style" not in body and " style=" not in body, url
        assert "hx-on" not in body and "js:" not in body, url


def test_forms_need_a_csrf_token(client_with):
    client = client_with(WTF_CSRF_ENABLED=True)
    response = client.post("/topup/RU?lang=en", data={"phone": "+79031234567",
                                                       "amount": "10000"})
    assert response.status_code == 400
    assert "This form is out of date" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Order.id))) == 0
    # With the token from the page (as a form field, or as the header htmx sends) it works.
    page = client.get("/topup/RU").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert f'"X-CSRFToken": "{token}"' in page
    ok = client.post("/topup/RU", data={"phone": "+79031234567", "amount": "10000",
                                        "csrf_token": token})
    assert ok.status_code == 303
    htmx = client.post("/cards/brand", data={"number": "4"},
                       headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert htmx.status_code == 200


def test_sandbox_pages_do_not_exist_outside_sandbox(client_with):
    client = client_with(SANDBOX=False)
    assert client.get("/sandbox/").status_code == 404
    assert client.post("/sandbox/clock", data={"step": "1d"}).status_code == 404
    assert "sandbox-bar" not in client.get("/topup/RU?lang=en").get_data(as_text=True)


def test_session_cookie_flags(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_clock_redirect_stays_on_this_site(client):
    response = client.post("/sandbox/clock", data={"step": "1h", "next": "//evil.example/"})
    assert response.headers["Location"] == "/sandbox/"
