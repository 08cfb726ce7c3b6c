"""Fetching a vendor's frame image without becoming a proxy into the network the function runs in
(issue 13, evidence: the URLs come from callbacks, so from anyone who has a callback URL).

- Only http and https.
- Every address the host resolves to must be public: no private, loopback, link-local (the
  instance metadata service 169.254.169.254 among them), multicast, shared, reserved or
  unspecified address, IPv4 or IPv6 (IPv4-mapped ones as their IPv4 address). Checked again on
  every redirect.
- The connection goes to the address that was checked, with the host name in the Host header
  and for TLS, so a second DNS answer (rebinding) cannot send it elsewhere.
- At most 3 redirects, 10 MiB, 10 s in all, and a Content-Type of image/*.

Every refusal is a `Refused` with a short reason a result item can record. Locally,
`allow_loopback` (EVIDENCE_ALLOW_LOOPBACK=true, which `make run` sets and the template never
does) lets frames served from 127.0.0.1 be fetched; every other refused range stays refused.
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

import urllib3

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 3
TIMEOUT_SECONDS = 10.0
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024

Resolver = Callable[..., list[tuple[Any, ...]]]


class Fetched(NamedTuple):
    url: str  # after redirects
    content_type: str
    body: bytes
    sha256: str


class Refused(Exception):
    """Why an image was not fetched: `reason` is short and stable (recorded per finding)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def public(address: str) -> bool:
    """Whether an address may be fetched from: global unicast only."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def loopback(address: str) -> bool:
    return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback


def checked_address(host: str, port: int, allow_loopback: bool, resolve: Resolver) -> str:
    """The address to connect to: the host's, when every address it resolves to is public (or
    loopback, locally)."""
    try:
        infos = resolve(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Refused("unresolvable host", host) from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise Refused("unresolvable host", host)
    for address in addresses:
        if not public(address) and not (allow_loopback and loopback(address)):
            raise Refused("private address", f"{host} is {address}")
    return addresses[0]


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise Refused("timeout")
    return left


def _tls() -> ssl.SSLContext:
    """Certificates checked against the CA bundle the AWS SDK uses (certifi's, else botocore's),
    as in Lambda, whatever the system's store holds."""
    from botocore.httpsession import get_cert_path

    return ssl.create_default_context(cafile=get_cert_path(True))


def _pool(scheme: str, host: str, address: str, port: int, timeout: float) -> Any:
    limits = urllib3.Timeout(connect=timeout, read=timeout)
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address, port, timeout=limits, retries=False, maxsize=1,
            server_hostname=host, assert_hostname=host, ssl_context=_tls(),
        )  # fmt: skip
    return urllib3.HTTPConnectionPool(address, port, timeout=limits, retries=False, maxsize=1)


def _open(url: str, allow_loopback: bool, resolve: Resolver, deadline: float) -> Any:
    """One request to the checked address; the response with its body not read yet."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("not http(s)", parts.scheme or url[:40])
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = checked_address(parts.hostname, port, allow_loopback, resolve)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Host": parts.netloc.rpartition("@")[2], "Accept": "image/*",
               "User-Agent": "media-callbacks-evidence"}  # fmt: skip
    pool = _pool(parts.scheme, parts.hostname, address, port, _remaining(deadline))
    try:
        return pool.urlopen(
            "GET", target, headers=headers, redirect=False, preload_content=False,
            assert_same_host=False, retries=False,
        )  # fmt: skip
    except (urllib3.exceptions.TimeoutError, TimeoutError) as exc:
        raise Refused("timeout") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise Refused("connection failed", type(exc).__name__) from exc


def _read(response: Any, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise Refused("too large", f"{declared} bytes")
    body = bytearray()
    try:
        for chunk in response.stream(CHUNK):
            body += chunk
            if len(body) > max_bytes:
                raise Refused("too large", f"over {max_bytes} bytes")
            _remaining(deadline)
    except (urllib3.exceptions.TimeoutError, TimeoutError) as exc:
        raise Refused("timeout") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise Refused("connection failed", type(exc).__name__) from exc
    return bytes(body)


def _image(url: str, response: Any, max_bytes: int, deadline: float) -> Fetched:
    if response.status in (403, 404):
        raise Refused(str(response.status))
    if response.status != 200:
        raise Refused(f"http {response.status}")
    content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if not content_type.startswith("image/"):
        raise Refused("not an image", content_type or "no Content-Type")
    body = _read(response, max_bytes, deadline)
    return Fetched(url, content_type, body, hashlib.sha256(body).hexdigest())


def fetch(
    url: str,
    *,
    allow_loopback: bool = False,
    resolve: Resolver = socket.getaddrinfo,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_BYTES,
) -> Fetched:
    """The image at `url`, or Refused with the reason."""
    deadline = time.monotonic() + timeout
    for _ in range(MAX_REDIRECTS + 1):
        response = _open(url, allow_loopback, resolve, deadline)
        try:
            if response.status not in REDIRECTS:
                return _image(url, response, max_bytes, deadline)
            location = response.headers.get("Location")
        finally:
            response.release_conn()
        if not location:
            raise Refused(f"http {response.status}", "a redirect without Location")
        url = urljoin(url, location)
    raise Refused("too many redirects", f"more than {MAX_REDIRECTS}")
