"""How a sender proves who it is: one interface (`Scheme`), each way an option of it, the token
among them. A vendor's adapter declares its scheme as data (media_callbacks.vendors); the
verifier (media_callbacks.auth) reads the secret and asks the scheme.

- TOKEN: the shared or the vendor's own token, in the query or a header.
- XVOD_URL: X-VOD-SIGNATURE = md5(URL | X-VOD-TIMESTAMP | key) over the URL (Alibaba's AuthKey).
- XVOD_BODY: the same, plus `| base64(body)` (Volcengine's PrivateKey).
- QINIU: `Authorization: Qiniu AK:sign`, HMAC-SHA1 over method, path and query, host, content
  type, X-Qiniu-* headers and a body it covers; QBOX: the legacy `QBox AK:sign` (path and
  query, and a form body). QINIU_OR_QBOX accepts either.

Every signature scheme is checked against each URL the sender may have signed (the public base
URLs and reconstructions of the query, below), in constant time.
"""

import base64
import hashlib
import hmac
from collections.abc import Iterator, Sequence
from functools import partial
from itertools import islice
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote, quote_plus, urlsplit

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
    """A callback as its sender presents it: method, route path (as the sender's URL has it
    after the public base URL), raw query string, headers by lower-case name, the exact body
    bytes, the public base URLs the sender may have been given, and the token it presented."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    base_urls: tuple[str, ...]
    alternatives: tuple[str, ...] = ()  # other ways the sender may have written the query
    token: str | None = None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def urls(self) -> list[str]:
        """Every URL the sender may have signed: each public base URL, the route path, and each
        reconstruction of the query string when there is one."""
        queries = dict.fromkeys((self.query, *self.alternatives))
        suffixes = [self.path + (f"?{query}" if query else "") for query in queries]
        return [base.rstrip("/") + suffix for suffix in suffixes for base in self.base_urls]


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


class CallbackKeys(NamedTuple):
    """What one version of the callback secret holds (a NamedTuple: a dataclass costs about a
    millisecond of every cold start to build)."""

    token: str | None = None
    tokens: dict[str, str] = {}  # noqa: RUF012 (never mutated)
    other: dict[str, Any] = {}  # noqa: RUF012

    def token_for(self, vendor: str) -> str | None:
        return self.tokens.get(vendor) or self.token


class Scheme(Protocol):
    """A way a sender proves who it is. `key` is what the scheme reads of one version of the
    secret for a vendor; `configured` says whether that version sets it."""

    @property
    def signature(self) -> bool:
        """True for a signature over the request (which is then reconstructed as signed)."""
        ...

    def key(self, keys: CallbackKeys, vendor: str) -> Any: ...

    def configured(self, key: Any) -> bool: ...

    def presented(self, request: SignedRequest) -> bool:
        """Whether the request carries anything to check (if not, no secret is read)."""
        ...

    def valid(self, request: SignedRequest, key: Any, now: float) -> bool: ...

    def sign(self, url: str, body: bytes, key: Any, now: float) -> dict[str, str]:
        """The headers the sender would add (scripts/send.py, the bench, tests)."""
        ...


class Signature:
    """What every signature scheme shares: its key is the vendor's section of the secret, and
    a signature is only known to be missing once the secret says whether it applies."""

    signature = True

    def key(self, keys: CallbackKeys, vendor: str) -> Any:
        return keys.other.get(vendor)

    def presented(self, request: SignedRequest) -> bool:
        return True


class Token:
    """The shared token, or the vendor's own when the secret sets one."""

    signature = False

    def key(self, keys: CallbackKeys, vendor: str) -> str | None:
        return keys.token_for(vendor)

    def configured(self, key: Any) -> bool:
        return isinstance(key, str) and bool(key)

    def presented(self, request: SignedRequest) -> bool:
        return isinstance(request.token, str) and bool(request.token)

    def valid(self, request: SignedRequest, key: Any, now: float) -> bool:
        return self.configured(key) and same(key, request.token)

    def sign(self, url: str, body: bytes, key: Any, now: float) -> dict[str, str]:
        return {"X-Callback-Token": str(key or "")}


class XVod(Signature):
    """X-VOD-SIGNATURE = md5_hex(URL | X-VOD-TIMESTAMP | key [| base64(body)]) for one of the
    public URLs of the route, with a fresh timestamp; `section_key` names the key in the
    vendor's section of the secret."""

    def __init__(self, section_key: str, *, over_body: bool) -> None:
        self.section_key, self.over_body = section_key, over_body

    def configured(self, key: Any) -> bool:
        return text_key(key, self.section_key) is not None

    def valid(self, request: SignedRequest, key: Any, now: float) -> bool:
        secret, timestamp = text_key(key, self.section_key), request.header("x-vod-timestamp")
        if secret is None or timestamp is None or not fresh(timestamp, now):
            return False
        presented = (request.header("x-vod-signature") or "").lower()
        return any(
            same(self.signature_of(url, timestamp, secret, request.body), presented)
            for url in request.urls()
        )

    def signature_of(self, url: str, timestamp: str, secret: str, body: bytes = b"") -> str:
        text = f"{url}|{timestamp}|{secret}"
        if self.over_body:
            text += f"|{base64.b64encode(body).decode()}"
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

    def sign(self, url: str, body: bytes, key: Any, now: float) -> dict[str, str]:
        secret, timestamp = text_key(key, self.section_key) or "", str(int(now))
        signature = self.signature_of(url, timestamp, secret, body)
        return {"X-VOD-TIMESTAMP": timestamp, "X-VOD-SIGNATURE": signature}


FORM = "application/x-www-form-urlencoded"
OCTET_STREAM = "application/octet-stream"
QINIU_HEADER = "X-Qiniu-"


class QiniuAuthorization(Signature):
    """`Authorization: <word> AK:sign` for the configured access key (neither Qiniu scheme
    carries a timestamp); the section holds `access_key` and `secret_key`."""

    word = ""

    def configured(self, key: Any) -> bool:
        return text_key(key, "access_key") is not None and text_key(key, "secret_key") is not None

    def valid(self, request: SignedRequest, key: Any, now: float) -> bool:
        word, _, credentials = (request.header("authorization") or "").strip().partition(" ")
        access_key, _, presented = credentials.strip().partition(":")
        secret_key = text_key(key, "secret_key")
        if secret_key is None or access_key != text_key(key, "access_key"):
            return False
        if word != self.word or not self.applies(request):
            return False
        return any(same(self.digest(request, url, secret_key), presented) for url in request.urls())

    def applies(self, request: SignedRequest) -> bool:
        return True

    def digest(self, request: SignedRequest, url: str, secret_key: str) -> str:
        raise NotImplementedError

    def sign(self, url: str, body: bytes, key: Any, now: float) -> dict[str, str]:
        request = SignedRequest("POST", "", "", {"content-type": "application/json"}, body, ())
        access_key = text_key(key, "access_key") or ""
        signature = self.digest(request, url, text_key(key, "secret_key") or "")
        return {"Authorization": f"{self.word} {access_key}:{signature}"}


class Qiniu(QiniuAuthorization):
    """`Qiniu AK:sign`, counted only when it covers the body."""

    word = "Qiniu"

    def applies(self, request: SignedRequest) -> bool:
        """Whether a `Qiniu` signature covers this request's body: Qiniu's SDKs leave it out
        for `application/octet-stream` and without a Content-Type, and such a signature would
        then authorise any body (our routes read JSON: a genuine callback is never sent so)."""
        return request.header("content-type") not in (None, "", OCTET_STREAM)

    def digest(self, request: SignedRequest, url: str, secret_key: str) -> str:
        parts = urlsplit(url)
        content_type = request.header("content-type")
        data = f"{request.method.upper()} {parts.path or '/'}"
        data += (f"?{parts.query}" if parts.query else "") + f"\nHost: {parts.netloc}"
        if content_type:
            data += f"\nContent-Type: {content_type}"
        qiniu = {canonical(k): v for k, v in request.headers.items()}
        for name in sorted(n for n in qiniu if n.startswith(QINIU_HEADER) and n != QINIU_HEADER):
            data += f"\n{name}: {qiniu[name]}"
        signed = (data + "\n\n").encode()
        if request.body and content_type and content_type != OCTET_STREAM:
            signed += request.body
        return _hmac_sha1(secret_key, signed)


class QBox(QiniuAuthorization):
    """As Qiniu's SDKs check it: the path and query, and the body only when it is a form. Over
    a JSON body it proves what a URL token proves, and can be replayed with any body
    (docs/DEPLOY.md); that is why signature headers are never stored."""

    word = "QBox"

    def digest(self, request: SignedRequest, url: str, secret_key: str) -> str:
        parts = urlsplit(url)
        data = (parts.path + (f"?{parts.query}" if parts.query else "") + "\n").encode()
        if request.body and request.header("content-type") == FORM:
            data += request.body
        return _hmac_sha1(secret_key, data)


class Either(Signature):
    """One of several schemes that read the same keys: the first signs."""

    def __init__(self, *schemes: QiniuAuthorization) -> None:
        self.schemes = schemes

    def configured(self, key: Any) -> bool:
        return all(scheme.configured(key) for scheme in self.schemes)

    def valid(self, request: SignedRequest, key: Any, now: float) -> bool:
        return any(scheme.valid(request, key, now) for scheme in self.schemes)

    def sign(self, url: str, body: bytes, key: Any, now: float) -> dict[str, str]:
        return self.schemes[0].sign(url, body, key, now)


def canonical(name: str) -> str:
    """`x-qiniu-aaa` as Qiniu's SDKs sign it: `X-Qiniu-Aaa`."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def _hmac_sha1(secret_key: str, data: bytes) -> str:
    digest = hmac.new(secret_key.encode(), data, hashlib.sha1).digest()
    return base64.urlsafe_b64encode(digest).decode()


TOKEN: Scheme = Token()
XVOD_URL = XVod("auth_key", over_body=False)
XVOD_BODY = XVod("private_key", over_body=True)
QINIU, QBOX = Qiniu(), QBox()
QINIU_OR_QBOX = Either(QINIU, QBOX)
