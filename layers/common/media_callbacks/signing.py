"""What the signed vendors' schemes share: the request as its sender signed it, the URLs it may
have been signed for, freshness, and constant-time comparison. Each scheme itself lives in its
vendor's adapter (`configured(section)`, `valid(request, section, now)`)."""

import hmac
from typing import Any, NamedTuple, Protocol

WINDOW_SECONDS = 300  # a timestamp further than this from now is refused (replay)


class SignedRequest(NamedTuple):
    """A callback as signed: method, route path (as the sender's URL has it after the public
    base URL), raw query string, headers by lower-case name, the exact body bytes, and the
    public base URLs the sender may have been given."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    base_urls: tuple[str, ...]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def urls(self) -> list[str]:
        """Every URL the sender may have signed: each public base URL, the route path, and the
        query string when there is one."""
        suffix = self.path + (f"?{self.query}" if self.query else "")
        return [base.rstrip("/") + suffix for base in self.base_urls]


class Scheme(Protocol):
    """A vendor's signature scheme, as its adapter module provides it."""

    def configured(self, section: Any) -> bool: ...

    def valid(self, request: SignedRequest, section: Any, now: float) -> bool: ...

    def sign(self, url: str, body: bytes, section: Any, now: float) -> dict[str, str]: ...


def fresh(timestamp: str | None, now: float, window: int = WINDOW_SECONDS) -> bool:
    """A unix-seconds timestamp (digits only) within `window` of now, either way."""
    if not timestamp or not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    return abs(int(timestamp) - now) <= window


def same(expected: str, presented: str | None) -> bool:
    """Constant-time equality of two signatures; anything but text never matches."""
    if not isinstance(presented, str):
        return False
    return hmac.compare_digest(expected.encode(), presented.encode("utf-8", "surrogatepass"))


def text_key(section: Any, name: str) -> str | None:
    """A non-empty text value of a vendor's section of the callback secret, else None."""
    value = section.get(name) if isinstance(section, dict) else None
    return value if isinstance(value, str) and value else None
