"""How a sender proves who it is: one interface (`Scheme`), each way an option of it, the token
among them. A vendor's adapter declares its scheme as data (media_callbacks.vendors); the
verifier (media_callbacks.auth) reads the secret and asks the scheme.

- TOKEN: the shared or the vendor's own token, in the query or a header.
- XVOD_URL: X-VOD-SIGNATURE = md5(URL | X-VOD-TIMESTAMP | key) over the URL (Alibaba's AuthKey).
- XVOD_BODY: the same, plus `| base64(body)` (Volcengine's PrivateKey).
- QINIU: `Authorization: Qiniu AK:sign`, HMAC-SHA1 over method, path and query, host, content
  type, X-Qiniu-* headers and a body it covers; QBOX: the legacy `QBox AK:sign` (path and
  query, and a form body). QINIU_OR_QBOX accepts either.
- ALIYUN_GREEN_CHECKSUM: form field `checksum` = SHA-256 or SM3 of uid + seed + `content`.
- YIDUN_SIGNATURE: form field `signature` = MD5, SHA1, SHA256 or SM3 (by `signatureMethod`) of
  the other fields sorted by name, name + value each, + secretKey; `secretId` must be ours.
- HUAWEI_VOD: `auth_sign` = hex HMAC-SHA256 of `VOD_{auth_timestamp}_{message}` (Huawei VOD).
- HUAWEI_MODERATION: `X-Auth-Signature` = HMAC-SHA256 keyed by the seed over the body's
  create_time + job_id + request_id + seed, hex or base64 (Huawei Content Moderation).
- BAIDU_VOD: `vod-callback-auth-token` = hex HMAC-SHA256 of `POST;url;body;timestamp;user`
  (Baidu VOD event callbacks).
Form schemes check the fields as sent (URL-decoded, never re-serialised); their `signed_body`
adds the fields a sender adds (scripts/send.py, tests, the bench).

Senders that sign nothing (Shumei, Baidu's VCR) use the TOKEN: their callback URL is given per
request, so it carries `?token=...`.

Every signature scheme is checked against each URL the sender may have signed (the public base
URLs and reconstructions of the query, below), in constant time.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import islice
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote, quote_plus, urlsplit

from media_callbacks.body import form_body, parse_form
from media_callbacks.errors import RejectedPayload

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

    def signed_body(self, body: bytes, key: Any) -> bytes:
        """The body as the sender posts it signed: a form scheme adds its fields, others none."""
        ...


class Signature:
    """What every signature scheme shares: its key is the vendor's section of the secret, and
    a signature is only known to be missing once the secret says whether it applies."""

    signature = True

    def key(self, keys: CallbackKeys, vendor: str) -> Any:
        return keys.other.get(vendor)

    def presented(self, request: SignedRequest) -> bool:
        return True

    def sign(self, url: str, body: bytes, key: Any, now: float) -> dict[str, str]:
        return {}

    def signed_body(self, body: bytes, key: Any) -> bytes:
        return body


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

    def signed_body(self, body: bytes, key: Any) -> bytes:
        return body


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


# --- digests a sender chooses, and form schemes ---------------------------------------------

SM3_IN_OPENSSL = "sm3" in hashlib.algorithms_available


def sm3_hex(data: bytes) -> str:
    """SM3 (GB/T 32905) in lower-case hex: from the runtime's OpenSSL through hashlib when it
    has SM3 (this project's python3.13 does), else gmssl's pure-Python SM3, imported only then
    (docs/DEPLOY.md, form-signed callbacks)."""
    if SM3_IN_OPENSSL:
        return hashlib.new("sm3", data).hexdigest()
    from gmssl import func, sm3  # only where OpenSSL lacks SM3

    return str(sm3.sm3_hash(func.bytes_to_list(data)))


def _hashlib_hex(name: str) -> Callable[[bytes], str]:
    return lambda data: hashlib.new(name, data, usedforsecurity=False).hexdigest()


# `signatureMethod` (case-insensitive) -> lower-case hex digest
DIGESTS: dict[str, Callable[[bytes], str]] = {
    "MD5": _hashlib_hex("md5"),
    "SHA1": _hashlib_hex("sha1"),
    "SHA256": _hashlib_hex("sha256"),
    "SM3": sm3_hex,
}


def hex_digest(method: str, data: bytes) -> str | None:
    """The digest a sender names (MD5, SHA1, SHA256, SM3, any case); None for another name."""
    digest = DIGESTS.get(method.strip().upper())
    return digest(data) if digest is not None else None


def form_fields(body: bytes) -> dict[str, str] | None:
    """A form body's fields as sent (URL-decoded); None when it is no form a sender signs."""
    try:
        return parse_form(body)
    except RejectedPayload:
        return None


def text_keys(section: Any, name: str) -> list[str]:
    """A key that may hold one text value or a list of them (several seeds)."""
    value = section.get(name) if isinstance(section, dict) else None
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str) and v]


class AliyunGreenChecksum(Signature):
    """`checksum` = lower_hex(SHA-256 or SM3 of uid + seed + content), `content` as sent; the
    section holds `uid` and `seed` (a seed, or a list of them: the scan request's and the
    console's notification scheme's may differ). The console's algorithm is not in the body:
    either digest is accepted."""

    def configured(self, key: Any) -> bool:
        return text_key(key, "uid") is not None and bool(text_keys(key, "seed"))

    def valid(self, request: SignedRequest, key: Any, now: float) -> bool:
        fields, uid = form_fields(request.body), text_key(key, "uid")
        if fields is None or uid is None or "content" not in fields:
            return False
        presented = fields.get("checksum", "").strip().lower()
        for seed in text_keys(key, "seed"):
            data = (uid + seed + fields["content"]).encode()
            if same(_hashlib_hex("sha256")(data), presented) or same(sm3_hex(data), presented):
                return True
        return False

    def signed_body(self, body: bytes, key: Any) -> bytes:
        fields = form_fields(body) or {}
        seeds, content = text_keys(key, "seed"), fields.get("content", "")
        data = ((text_key(key, "uid") or "") + (seeds[0] if seeds else "") + content).encode()
        return form_body({"checksum": _hashlib_hex("sha256")(data), "content": content})


class YidunSignature(Signature):
    """`signature` = lower_hex(H(name1 + value1 + name2 + value2 ... + secretKey)) over every
    other form field sorted by name, H by `signatureMethod` (MD5 when absent), and `secretId`
    equal to ours; the section holds `secret_id` and `secret_key`. No timestamp: Yidun sends
    none (duplicates are caught by the payload's hash)."""

    def configured(self, key: Any) -> bool:
        return text_key(key, "secret_id") is not None and text_key(key, "secret_key") is not None

    def valid(self, request: SignedRequest, key: Any, now: float) -> bool:
        fields, secret_key = form_fields(request.body), text_key(key, "secret_key")
        if fields is None or secret_key is None or "signature" not in fields:
            return False
        presented = fields.pop("signature").strip().lower()
        if not same(text_key(key, "secret_id") or "", fields.get("secretId")):
            return False
        expected = self.signature_of(fields, secret_key)
        return expected is not None and same(expected, presented)

    @staticmethod
    def signature_of(fields: dict[str, str], secret_key: str) -> str | None:
        text = "".join(name + fields[name] for name in sorted(fields)) + secret_key
        return hex_digest(fields.get("signatureMethod") or "MD5", text.encode())

    def signed_body(self, body: bytes, key: Any) -> bytes:
        fields = {**(form_fields(body) or {}), "secretId": text_key(key, "secret_id") or ""}
        fields.pop("signature", None)
        signature = self.signature_of(fields, text_key(key, "secret_key") or "") or ""
        return form_body({**fields, "signature": signature})


# --- Huawei Cloud and Baidu AI Cloud (vendor-docs/huawei.md, baidu.md) ---------------------------


def _hmac_sha256(key: str, data: bytes) -> bytes:
    return hmac.new(key.encode(), data, hashlib.sha256).digest()


def fresh_ms(timestamp: str | None, now: float, window: int = WINDOW_SECONDS) -> bool:
    """A unix-milliseconds timestamp (digits only) within `window` seconds of now."""
    if not timestamp or not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 15:
        return False
    return abs(int(timestamp) / 1000 - now) <= window


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except ValueError:  # not UTF-8, not JSON, too deep
        return None
    return data if isinstance(data, dict) else None


class HuaweiVod(Signature):
    """Huawei VOD message notification: `auth_sign` = lower_hex(HMAC-SHA256(key, "VOD_" +
    auth_timestamp + "_" + message)); the section holds `key`.

    UNCONFIRMED in the vendor's docs, so both forms are accepted: `message` is the body as sent
    or, when the body is a JSON object with a string field `message`, that string; the
    timestamp is unix seconds or milliseconds (either must be within 300 s of now)."""

    def configured(self, key: Any) -> bool:
        return text_key(key, "key") is not None

    def valid(self, request: SignedRequest, key: Any, now: float) -> bool:
        secret, timestamp = text_key(key, "key"), request.header("auth_timestamp")
        if secret is None or timestamp is None:
            return False
        if not (fresh(timestamp, now) or fresh_ms(timestamp, now)):
            return False
        presented = (request.header("auth_sign") or "").strip().lower()
        return any(
            same(self.signature_of(timestamp, message, secret), presented)
            for message in self.messages(request.body)
        )

    @staticmethod
    def messages(body: bytes) -> list[bytes]:
        """What the sender may have signed: the body, or its string field `message`."""
        envelope = _json_object(body) if b'"message"' in body else None
        inner = envelope.get("message") if envelope else None
        if isinstance(inner, str):
            return [body, inner.encode("utf-8", "surrogatepass")]
        return [body]

    @staticmethod
    def signature_of(timestamp: str, message: bytes, secret: str) -> str:
        return _hmac_sha256(secret, f"VOD_{timestamp}_".encode() + message).hex()

    def sign(self, url: str, body: bytes, key: Any, now: float) -> dict[str, str]:
        timestamp = str(int(now))
        signature = self.signature_of(timestamp, body, text_key(key, "key") or "")
        return {"auth_timestamp": timestamp, "auth_sign": signature}


HUAWEI_MODERATION_FIELDS = ("create_time", "job_id", "request_id")


class HuaweiModeration(Signature):
    """Huawei Content Moderation video jobs: `X-Auth-Signature` = HMAC-SHA256(key = seed,
    create_time + job_id + request_id + seed), those three taken from the JSON body; the
    section holds `seed` (a seed, or a list of them: each job request gives its own). Hex or
    base64 (the vendor does not say which: UNCONFIRMED, both accepted). The body's other
    fields are not covered, and there is no timestamp."""

    def configured(self, key: Any) -> bool:
        return bool(text_keys(key, "seed"))

    def valid(self, request: SignedRequest, key: Any, now: float) -> bool:
        presented, data = request.header("x-auth-signature"), _json_object(request.body)
        if not presented or data is None:
            return False
        presented = presented.strip()
        for seed in text_keys(key, "seed"):
            digest = self.digest(data, seed)
            if digest is not None and (
                same(digest.hex(), presented.lower())
                or same(base64.b64encode(digest).decode(), presented)
            ):
                return True
        return False

    @staticmethod
    def digest(data: dict[str, Any], seed: str) -> bytes | None:
        values = [data.get(name) for name in HUAWEI_MODERATION_FIELDS]
        if not all(isinstance(value, str) for value in values):
            return None
        signed = "".join(str(value) for value in values) + seed
        return _hmac_sha256(seed, signed.encode("utf-8", "surrogatepass"))

    def sign(self, url: str, body: bytes, key: Any, now: float) -> dict[str, str]:
        seeds = text_keys(key, "seed")
        digest = self.digest(_json_object(body) or {}, seeds[0] if seeds else "")
        return {"X-Auth-Signature": digest.hex() if digest else ""}


class BaiduVod(Signature):
    """Baidu VOD event callbacks: `vod-callback-auth-token` = lower_hex(HMAC-SHA256(key,
    "POST;" + callback URL + ";" + body + ";" + vod-callback-auth-timestamp + ";" +
    vod-callback-auth-user)), the timestamp in milliseconds within 300 s; the section holds
    `key` and, to compare with `vod-callback-auth-user`, `user` (the Baidu account id).

    The vendor says the body is "compressed JSON": the bytes as received are tried first, then
    the JSON re-serialised compactly (which of the two Baidu's senders produce is UNCONFIRMED)."""

    def configured(self, key: Any) -> bool:
        return text_key(key, "key") is not None

    def valid(self, request: SignedRequest, key: Any, now: float) -> bool:
        secret, user = text_key(key, "key"), request.header("vod-callback-auth-user")
        timestamp = request.header("vod-callback-auth-timestamp")
        if secret is None or user is None or not fresh_ms(timestamp, now):
            return False
        if text_key(key, "user") not in (None, user):
            return False
        presented = (request.header("vod-callback-auth-token") or "").strip().lower()
        return any(
            same(self.token_of(url, body, str(timestamp), user, secret), presented)
            for body in self.bodies(request.body)
            for url in request.urls()
        )

    @staticmethod
    def bodies(body: bytes) -> list[bytes]:
        """The body as received, and its compact JSON when that differs."""
        try:
            compact = json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False)
        except ValueError:
            return [body]
        packed = compact.encode("utf-8", "surrogatepass")
        return [body] if packed == body else [body, packed]

    @staticmethod
    def token_of(url: str, body: bytes, timestamp: str, user: str, secret: str) -> str:
        content = b"POST;" + url.encode() + b";" + body + f";{timestamp};{user}".encode()
        return _hmac_sha256(secret, content).hex()

    def sign(self, url: str, body: bytes, key: Any, now: float) -> dict[str, str]:
        timestamp, user = str(int(now * 1000)), text_key(key, "user") or ""
        token = self.token_of(url, body, timestamp, user, text_key(key, "key") or "")
        return {
            "vod-callback-auth-user": user,
            "vod-callback-auth-timestamp": timestamp,
            "vod-callback-auth-token": token,
        }


TOKEN: Scheme = Token()
XVOD_URL = XVod("auth_key", over_body=False)
XVOD_BODY = XVod("private_key", over_body=True)
QINIU, QBOX = Qiniu(), QBox()
QINIU_OR_QBOX = Either(QINIU, QBOX)
ALIYUN_GREEN_CHECKSUM = AliyunGreenChecksum()
YIDUN_SIGNATURE = YidunSignature()
HUAWEI_VOD, HUAWEI_MODERATION, BAIDU_VOD = HuaweiVod(), HuaweiModeration(), BaiduVod()
