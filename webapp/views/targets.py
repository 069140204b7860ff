"""Where a form may send the browser next: a path on this site, never another site."""

from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.urls import iri_to_uri


def local_path(raw: str | None) -> str | None:
    """`raw` as the Location a redirect to it would carry, if that is a path on this site;
    else None.

    The check is made on what the browser will get, after Werkzeug's normalization
    (iri_to_uri drops tabs and newlines, so "/\\t/evil.example" would become
    "//evil.example", a link to another site). A target with any control character or a
    backslash (which browsers read as a slash) is refused outright: no page of ours has one.
    """
    if not raw or any(ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in raw):
        return None
    final = iri_to_uri(raw)
    parts = urlsplit(final)
    if parts.scheme or parts.netloc or not final.startswith("/") or final.startswith("//"):
        return None
    return final
