"""A minimal form-posting client with its own cookie jar (the bench's "browser")."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_ATTEMPT_KEY = re.compile(r'name="attempt_key" value="([^"]+)"')
CARD = {"card_choice": "new", "number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """(status, Location header, body) of a GET, or of a POST when `form` is given."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self._opener.open(self.base + path, data=data, timeout=30) as response:
                return response.status, response.headers.get("Location", ""), \
                    response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode()

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def place_topup(self, phone: str = "9031234567", operator: str = "beeline",
                    amount: str = "10000") -> str:
        """Place a top-up through the form; return the checkout page's path."""
        status, _, body = self.request("/topup/RU")
        _expect(status, 200, "top-up page")
        status, location, body = self.request("/topup/RU", {
            "csrf_token": _CSRF.search(body).group(1), "phone": phone, "operator": operator,
            "amount": amount})
        _expect(status, 303, "placing a top-up")
        return urllib.parse.urlsplit(location).path

    def pay_by_card(self, checkout: str) -> None:
        """Pay an order on its checkout page with a test card that succeeds at once."""
        status, _, body = self.request(checkout)
        _expect(status, 200, "checkout page")
        status, location, body = self.request(checkout + "/card", {
            "csrf_token": _CSRF.search(body).group(1),
            "attempt_key": _ATTEMPT_KEY.search(body).group(1), **CARD})
        _expect(status, 303, "paying by card")
        status, _, body = self.request(urllib.parse.urlsplit(location).path)
        _expect(status, 200, "checkout page after paying")


def _expect(status: int, wanted: int, what: str) -> None:
    if status != wanted:
        raise RuntimeError(f"{what}: HTTP {status}, expected {wanted}")
