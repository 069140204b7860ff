"""Each page's HTML + CSS fits in 14 KB gzipped (the first round trip), htmx aside."""

import gzip
import re

import pytest

from webapp.services import demo

from ..factories import topup_order

LIMIT = 14 * 1024


def gzipped_size(client, url) -> int:
    page = client.get(url)
    assert page.status_code in (200, 404), url
    html = page.data
    css = b"".join(client.get(href.decode()).data for href in re.findall(
        rb'<link rel="stylesheet" href="([^"]+)"', html))
    return len(gzip.compress(html, 9)) + len(gzip.compress(css, 9))


@pytest.mark.parametrize("lang", ["ru", "en", "zh"])
def test_pages_fit_in_14_kb(client, lang):
    demo.seed()
    order = topup_order(client=client)
    goods = client.post("/shop/RU/buy", data={"product": "phone-case"}).headers["Location"]
    for url in ("/topup/RU?phone=9031234567", "/topup/CN", f"/orders/{order.number}",
                "/sandbox/", "/missing", "/shop/RU", goods, "/trust", "/signin",
                "/ussd/79031234567", "/phone/79031234567", "/sandbox/subscribers/79031234567"):
        size = gzipped_size(client, f"{url}{'&' if '?' in url else '?'}lang={lang}")
        assert size < LIMIT, f"{url} in {lang}: {size} bytes gzipped"
