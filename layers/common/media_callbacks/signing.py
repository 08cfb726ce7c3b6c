"""What the signed vendors' schemes share: the request as its sender signed it, the URLs it may
have been signed for, freshness, and constant-time comparison. Each scheme itself lives in its
vendor's adapter (`configured(section)`, `valid(request, section, now)`)."""

import hmac
from collections.abc import Iterator, Sequence
from functools import partial
from itertools import islice
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote, quote_plus

WINDOW_SECONDS = 300  # a timestamp further than this from now is refused (replay)

# Every vendor's signature headers (lower-case names, then prefixes). Some can be replayed with
# any body (a QBox signature over a JSON body covers the path alone, and never expires), so, like
# the token, none is kept in stored items, retry-queue messages or logged events.
SIGNATURE_HEADERS = frozenset({"authorization", "auth_sign", "auth_timestamp", "x-auth-signature"})
SIGNATURE_HEADER_PREFIXES = ("x-vod-", "vod-callback-auth-")

# API Gateway's REST events hold the query's parameters, decoded, not the query as sent: the
# order of different keys, each character's encoding and `flag` against `flag=` are lost. A
# signature over the URL is checked against at most this many reconstructions (docs/DEPLOY.md).
MAX_QUERIES = 64
MAX_REORDERED = 8  # other orders are tried for a query of at most this many parameters
# How a sender may have written a value: as typed (only what cannot stand in a query escaped),
# every reserved character escaped, Python's default, JavaScript's encodeURIComponent, a form.
_AS_TYPED = "/:,;@!$'()*+=?~[]"
_ENCODERS = (
    partial(quote, safe=_AS_TYPED),
    partial(quote, safe=""),
    partial(quote, safe="/"),
    partial(quote, safe="!'()*"),
    partial(quote_plus, safe=""),
)


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
    alternatives: tuple[str, ...] = ()  # other ways the sender may have written the query

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def urls(self) -> list[str]:
        """Every URL the sender may have signed: each public base URL, the route path, and each
        reconstruction of the query string when there is one."""
        queries = dict.fromkeys((self.query, *self.alternatives))
        suffixes = [self.path + (f"?{query}" if query else "") for query in queries]
        return [base.rstrip("/") + suffix for suffix in suffixes for base in self.base_urls]


class Scheme(Protocol):
    """A vendor's signature scheme, as its adapter module provides it."""

    def configured(self, section: Any) -> bool: ...

    def valid(self, request: SignedRequest, section: Any, now: float) -> bool: ...

    def sign(self, url: str, body: bytes, section: Any, now: float) -> dict[str, str]: ...


def signature_header(name: str) -> bool:
    """Whether a header (any case) carries a vendor's signature or its parts."""
    lower = name.lower()
    return lower in SIGNATURE_HEADERS or lower.startswith(SIGNATURE_HEADER_PREFIXES)


def queries(pairs: Sequence[tuple[str, Sequence[str]]]) -> tuple[str, ...]:
    """The query strings a sender may have written for these parameters (each key with its
    values in the order received, keys in the order received): the order received first, then,
    for at most MAX_REORDERED parameters, every other order that keeps each key's values in
    order; in each, every encoding of `_ENCODERS`, empty values as `k=` and as bare `k`. At
    most MAX_QUERIES, none twice."""
    found = dict.fromkeys(islice(_spellings(pairs), MAX_QUERIES * 4))
    return tuple(islice(found, MAX_QUERIES)) or ("",)


def _spellings(pairs: Sequence[tuple[str, Sequence[str]]]) -> Iterator[str]:
    for order in _orders(pairs):
        for encode in _ENCODERS:
            written = [(encode(key), encode(value)) for key, value in order]
            yield "&".join(f"{k}={v}" for k, v in written)
            yield "&".join(f"{k}={v}" if v else k for k, v in written)


def _orders(pairs: Sequence[tuple[str, Sequence[str]]]) -> Iterator[list[tuple[str, str]]]:
    received = [(key, value) for key, values in pairs for value in values]
    yield received
    if len(received) <= MAX_REORDERED:
        yield from _merges([(key, list(values)) for key, values in pairs])


def _merges(pairs: list[tuple[str, list[str]]]) -> Iterator[list[tuple[str, str]]]:
    """Every sequence of (key, value) that keeps each key's values in their order: the order
    received (each key's values together) first."""
    if not any(values for _, values in pairs):
        yield []
        return
    for index, (key, values) in enumerate(pairs):
        if values:
            rest = [*pairs[:index], (key, values[1:]), *pairs[index + 1 :]]
            for tail in _merges(rest):
                yield [(key, values[0]), *tail]


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
