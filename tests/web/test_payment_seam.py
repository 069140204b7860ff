"""The payment seam: a new method is a provider and a partial, nothing else. A fake voucher
method is registered here and pays orders through the web pages, at once and later (an
asynchronous completion, as a wallet's notification or a cash session's end will)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Order, PaymentAttempt
from webapp.payments import registry
from webapp.payments.base import REDIRECT, Declined, RequiresAction, Succeeded
from webapp.refusals import FormRefused
from webapp.services import checkout, rules

from ..factories import topup_order


@dataclass(frozen=True)
class Voucher:
    code: str


@dataclass(frozen=True)
class VoucherPaid:
    last4: str


@dataclass(frozen=True)
class VoucherForm:
    voucher: str


@dataclass(frozen=True)
class GoPay:
    url: str


class VoucherProvider:
    """GOOD… pays at once, SLOW… waits for the issuer's notification, anything else is
    declined for insufficient funds."""

    method = "voucher"
    details_type = VoucherPaid
    one_waiting_per_payer = False

    def form(self, order, form, signed_in):
        return VoucherForm(voucher=(form.get("voucher") or "")[:20] if form else "")

    def read(self, order, form, signed_in):
        code = (form.get("voucher") or "").strip().upper()
        if not re.fullmatch(r"[A-Z]+-\d{4}", code):
            raise FormRefused({"voucher": "bad_input"})
        return Voucher(code)

    def payer(self, submission):
        return None

    def start(self, request):
        paid = VoucherPaid(request.submission.code[-4:])
        if request.submission.code.startswith("GOOD"):
            return Succeeded(paid)
        if request.submission.code.startswith("SLOW"):
            return RequiresAction(REDIRECT, paid, GoPay("https://issuer.example/pay"))
        return Declined("insufficient_funds", paid)

    def confirm(self, request):
        return Succeeded(request.details)

    def action_failed(self, details):
        return None

    def withdraw(self, details):
        return None  # nothing started outside the shop

    def refund(self, request):
        raise NotImplementedError


@pytest.fixture
def voucher(app, monkeypatch):
    """Register the method, offer it for Russian top-ups on phones, and find its partial."""
    registry.register("voucher", lambda rules, ports: VoucherProvider(),
                      partial="checkout/methods/voucher.html")
    monkeypatch.setitem(rules().payment_methods, ("RU", "topup", "phone"), ("card", "voucher"))
    here = FileSystemLoader(str(Path(__file__).parent / "templates"))
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([app.jinja_env.loader, here]))
    yield
    registry.unregister("voucher")


def _paid_page(client, order):
    return client.get(f"/orders/{order.number}?lang=en").get_data(as_text=True)


def test_a_fake_method_pays_an_order_through_the_pages(client, voucher):
    order = topup_order(client=client)
    page = client.get(f"/orders/{order.number}?lang=en").get_data(as_text=True)
    # One method at a time: the chooser names both, the card's form is shown first (RU).
    assert "Pay by voucher" in page and 'id="card-number"' in page
    assert 'id="voucher"' not in page
    page = client.get(f"/orders/{order.number}?lang=en&method=voucher").get_data(as_text=True)
    assert 'id="voucher"' in page and 'id="card-number"' not in page
    key = re.search(r'name="attempt_key" value="([^"]+)"', page).group(1)

    bad = client.post(f"/orders/{order.number}/pay/voucher?lang=en",
                      data={"voucher": "nope", "attempt_key": key})
    assert bad.status_code == 422 and 'id="voucher"' in bad.get_data(as_text=True)
    assert db.session.scalar(select(PaymentAttempt.id)) is None

    declined = client.post(f"/orders/{order.number}/pay/voucher?lang=en",
                           data={"voucher": "POOR-0002", "attempt_key": key})
    assert declined.status_code == 402
    assert "Declined: not enough money" in declined.get_data(as_text=True)

    paid = client.post(f"/orders/{order.number}/pay/voucher?lang=en",
                       data={"voucher": "GOOD-0001", "attempt_key": key + "x"})
    assert paid.status_code == 303
    assert paid.headers["Location"].endswith(f"/orders/{order.number}")
    replay = client.post(f"/orders/{order.number}/pay/voucher?lang=en",
                         data={"voucher": "GOOD-0001", "attempt_key": key + "x"})
    assert replay.status_code == 303  # the same key: the same attempt, nothing paid twice
    attempts = db.session.scalars(select(PaymentAttempt).order_by(PaymentAttempt.id)).all()
    assert [(a.method, a.status, a.details) for a in attempts] == [
        ("voucher", "failed", {"last4": "0002"}), ("voucher", "succeeded", {"last4": "0001"})]
    assert db.session.get(Order, order.id).status in ("crediting", "credited")
    receipt = _paid_page(client, order)
    assert "Receipt" in receipt and "Voucher •••• 0001" in receipt


def test_a_fake_method_completes_later_by_notification(client, voucher):
    order = topup_order(client=client)
    response = client.post(f"/orders/{order.number}/pay/voucher?lang=en",
                           data={"voucher": "SLOW-0003", "attempt_key": "s" * 24})
    assert response.status_code == 303  # no page of ours for a redirect: the order page
    attempt = db.session.scalar(select(PaymentAttempt))
    assert attempt.status == "pending"
    assert checkout.action(attempt) == {"kind": "redirect",
                                        "data": {"url": "https://issuer.example/pay"}}
    assert db.session.get(Order, order.id).status == "awaiting_payment"

    done = checkout.complete(attempt.id, Succeeded(VoucherPaid("0003")))
    again = checkout.complete(attempt.id, Succeeded(VoucherPaid("0003")))  # delivered twice
    assert done.status == again.status == "succeeded"
    assert db.session.get(Order, order.id).status in ("crediting", "credited")
    assert "Voucher •••• 0003" in _paid_page(client, order)


def test_a_method_the_order_does_not_offer_is_not_found(client, voucher):
    order = topup_order(phone="+8613812345678", operator="china_mobile", amount="5000",
                        market="CN", client=client)
    assert checkout.offered(order) == ("wallet", "card")
    assert client.post(f"/orders/{order.number}/pay/voucher",
                       data={"voucher": "GOOD-0001", "attempt_key": "v" * 24}).status_code == 404
    assert db.session.scalar(select(PaymentAttempt.id)) is None


def test_a_waiting_attempt_given_up_is_not_completed_later(client, voucher):
    order = topup_order(client=client)
    client.post(f"/orders/{order.number}/pay/voucher",
                data={"voucher": "SLOW-0004", "attempt_key": "c" * 24})
    attempt = db.session.scalar(select(PaymentAttempt))
    assert checkout.cancel(order.number, attempt.id).status == "canceled"
    late = checkout.complete(attempt.id, Succeeded(VoucherPaid("0004")))  # a late notification
    assert (late.status, late.decline_code) == ("canceled", "canceled")
    assert db.session.get(Order, order.id).status == "awaiting_payment"


def test_a_method_withdrawn_while_the_form_was_open_is_refused_with_a_message(
        client, voucher, monkeypatch):
    order = topup_order(client=client)
    page = client.get(f"/orders/{order.number}?method=voucher").get_data(as_text=True)
    assert 'id="voucher"' in page
    # The page offered it; by the time the service checks, under the order's lock, it is gone.
    calls = iter([("card", "voucher")])
    monkeypatch.setattr(checkout, "offered", lambda order, channel="phone": next(calls, ("card",)))
    response = client.post(f"/orders/{order.number}/pay/voucher?lang=ru",
                           data={"voucher": "GOOD-0005", "attempt_key": "w" * 24})
    assert response.status_code == 409
    assert "Этот способ оплаты недоступен" in response.get_data(as_text=True)
    assert db.session.scalar(select(PaymentAttempt.id)) is None
