"""The QR code of a wallet payment (SPEC §3.3): the cashier's URL as an SVG (segno), with the
time it can be paid in. Reused by every page that shows one (the checkout on a desktop, the
kiosk): build it with `qr_for` and include templates/wallet/_qr.html with it as `qr`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from flask import url_for
from markupsafe import Markup

from ..clock import clock
from ..domain import wallet as w


@dataclass(frozen=True)
class WalletQr:
    url: str  # the cashier's absolute URL: what a phone opens when it scans the code
    svg: Markup  # the code, inline SVG (no style attributes: the CSP stays strict)
    brand: str  # alipay | wechat
    expires_at: datetime
    left: timedelta  # from the server's clock, never the browser's
    expired: bool


def qr_for(token: str, brand: str, expires_at: datetime,
           now: datetime | None = None) -> WalletQr:
    """The QR of the cashier of a trade (its token), valid until `expires_at`."""
    now = now or clock.now()
    url = url_for("wallet.cashier", token=token, _external=True)
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=1, border=2, omitsize=True, svgclass="qr-svg",
                          lineclass="qr-line", dark="#000", light="#fff")
    return WalletQr(url=url, svg=Markup(svg), brand=brand, expires_at=expires_at,
                    left=max(expires_at - now, timedelta(0)),
                    expired=w.is_expired(expires_at, now))
