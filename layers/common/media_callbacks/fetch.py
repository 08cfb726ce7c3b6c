"""Fetching a vendor's frame image without becoming a proxy into the network the function runs in
(issue 13, evidence: the URLs come from callbacks, so from anyone who has a callback URL).

- Only http and https. A URL that cannot be parsed (`http://[::1/x.jpg`, a port over 65535, a
  host name no IDNA encoding takes) is refused as `malformed URL`; an international host name is
  resolved and sent (Host header, TLS name) in its IDNA `xn--` form.
- Every address the host resolves to must be public: no private, loopback, link-local (the
  instance metadata service 169.254.169.254 among them), multicast, shared, reserved or
  unspecified address, IPv4 or IPv6. IPv6 forms that carry an IPv4 address are judged by it
  (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, which DNS64 resolvers hand out) or refused
  outright (IPv4-compatible `::a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`, 6to4 `2002::/16`,
  Teredo: no frame server has one). Checked again on every redirect.
- The connection goes to the address that was checked, with the host name in the Host header
  and for TLS, so a second DNS answer (rebinding) cannot send it elsewhere.
- At most 3 redirects, 10 MiB and 10 s in all, and a Content-Type of image/*. The 10 s is one
  deadline across connect, TLS handshake, headers and body: every socket read waits at most
  the time left, so a server that sends a byte every 0.15 s cannot stretch it (it did, checked
  between 64 KiB reads only: 1 s became 5.9 s).
- The body is kept as sent: no content decoding (stdlib http.client decodes nothing, and
  `Accept-Encoding: identity` is asked for), so a gzip bomb is never inflated; the size cap
  counts the bytes received.

Every refusal is a `Refused` with a short reason a result item can record. Locally,
`allow_loopback` (EVIDENCE_ALLOW_LOOPBACK=true, which `make run` sets and the template never
does) lets frames served from 127.0.0.1 be fetched; every other refused range stays refused.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import math
import re
import socket
import ssl
import time
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import quote, urljoin, urlsplit

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 3
TIMEOUT_SECONDS = 10.0
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024
HOST_NAME = re.compile(r"[a-z0-9_.-]{1,253}")  # after IDNA encoding; no header can be smuggled
IMAGE_TYPE = re.compile(r"image/[a-z0-9.+-]{1,64}")  # it names the stored object's extension
TARGET_SAFE = "/?:@!$&'()*+,;=%~"  # kept as written; anything else in path or query is escaped
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# IPv4 inside IPv6 forms no public host uses: refused whatever the IPv4 address is
NEVER_PUBLIC = (ipaddress.IPv6Network("::/96"), ipaddress.IPv6Network("::ffff:0:0:0/96"))

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


class Target(NamedTuple):
    scheme: str
    host: str  # ASCII: an IP address, or a name in its IDNA form
    port: int
    host_header: str
    path: str  # the request target, ASCII


def public(address: str) -> bool:
    """Whether an address may be fetched from: global unicast only."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in network for network in NEVER_PUBLIC):
            return False
        embedded = ip.ipv4_mapped or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64 else None
        )
        if embedded is not None:
            ip = embedded
    return ip.is_global and not ip.is_multicast


def loopback(address: str) -> bool:
    return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback


def checked_address(host: str, port: int, allow_loopback: bool, resolve: Resolver) -> str:
    """The address to connect to: the host's, when every address it resolves to is public (or
    loopback, locally)."""
    try:
        infos = resolve(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:
        raise Refused("unresolvable host", host) from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise Refused("unresolvable host", host)
    for address in addresses:
        if not public(address) and not (allow_loopback and loopback(address)):
            raise Refused("private address", f"{host} is {address}")
    return addresses[0]


def _ascii_host(hostname: str) -> str:
    try:
        return str(ipaddress.ip_address(hostname.split("%", 1)[0]))
    except ValueError:
        pass
    try:
        name = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise Refused("malformed URL", f"host {hostname[:60]!r}") from exc
    if not HOST_NAME.fullmatch(name):
        raise Refused("malformed URL", f"host {hostname[:60]!r}")
    return name


def target(url: str) -> Target:
    """Where `url` points, every part ready to go on the wire, or Refused."""
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refused("not http(s)", parts.scheme or url[:40])
        explicit_port = parts.port
    except ValueError as exc:  # an unclosed [, a port that is no number or over 65535
        raise Refused("malformed URL", str(exc)) from exc
    host = _ascii_host(parts.hostname)
    bracketed = f"[{host}]" if ":" in host else host
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(
        scheme=parts.scheme,
        host=host,
        port=explicit_port or (443 if parts.scheme == "https" else 80),
        host_header=bracketed + (f":{explicit_port}" if explicit_port is not None else ""),
        path=quote(path, safe=TARGET_SAFE, errors="replace"),
    )


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise Refused("timeout")
    return left


class _Socket(socket.socket):
    """A socket whose every read waits at most until the fetch's deadline."""

    deadline = math.inf

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        self.settimeout(_remaining(self.deadline))
        return super().recv_into(buffer, nbytes, flags)


class _TLSSocket(ssl.SSLSocket):
    """The same over TLS (an SSLContext's `sslsocket_class`)."""

    deadline = math.inf

    def recv_into(self, buffer: Any, nbytes: int | None = None, flags: int = 0) -> int:
        self.settimeout(_remaining(self.deadline))
        return super().recv_into(buffer, nbytes, flags)


def _tls() -> ssl.SSLContext:
    """Certificates and the host name checked against the CA bundle the AWS SDK uses (certifi's,
    else botocore's), as in Lambda, whatever the system's store holds."""
    from botocore.httpsession import get_cert_path

    context = ssl.create_default_context(cafile=get_cert_path(True))
    context.sslsocket_class = _TLSSocket
    return context


def _connect(to: Target, address: str, deadline: float) -> socket.socket:
    """A connection to the checked address, TLS handshake done, all within the deadline."""
    raw = _Socket(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM)
    raw.deadline = deadline
    sock: socket.socket = raw
    try:
        raw.settimeout(_remaining(deadline))
        raw.connect((address.split("%", 1)[0], to.port))
        if to.scheme == "https":
            tls = _tls().wrap_socket(raw, server_hostname=to.host, do_handshake_on_connect=False)
            sock = tls
            if isinstance(tls, _TLSSocket):
                tls.deadline = deadline
            tls.settimeout(_remaining(deadline))  # the handshake is one call: one wait in all
            tls.do_handshake()
    except BaseException:
        sock.close()
        raise
    return sock


def _exchange(to: Target, sock: socket.socket) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(to.host, to.port)
    connection.sock = sock
    headers = {"Host": to.host_header, "Accept": "image/*", "Accept-Encoding": "identity",
               "User-Agent": "media-callbacks-evidence"}  # fmt: skip
    connection.request("GET", to.path, headers=headers)
    return connection.getresponse()


def _read(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    declared = response.getheader("Content-Length") or ""
    if declared.isdigit() and int(declared) > max_bytes:
        raise Refused("too large", f"{declared} bytes")
    body = bytearray()
    while chunk := response.read(CHUNK):
        body += chunk
        if len(body) > max_bytes:
            raise Refused("too large", f"over {max_bytes} bytes")
    return bytes(body)


def _image(url: str, response: http.client.HTTPResponse, max_bytes: int) -> Fetched:
    if response.status in (403, 404):
        raise Refused(str(response.status))
    if response.status != 200:
        raise Refused(f"http {response.status}")
    content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
    if not IMAGE_TYPE.fullmatch(content_type):
        raise Refused("not an image", content_type[:60] or "no Content-Type")
    body = _read(response, max_bytes)
    return Fetched(url, content_type, body, hashlib.sha256(body).hexdigest())


def _once(
    url: str, allow_loopback: bool, resolve: Resolver, max_bytes: int, deadline: float
) -> Fetched | str:
    """One request: the image, or the URL a redirect points to."""
    to = target(url)
    address = checked_address(to.host, to.port, allow_loopback, resolve)
    try:
        sock = _connect(to, address, deadline)
        try:
            response = _exchange(to, sock)
            if response.status not in REDIRECTS:
                return _image(url, response, max_bytes)
        finally:
            sock.close()
    except (TimeoutError, OSError, http.client.HTTPException, ValueError) as exc:
        timed_out = isinstance(exc, TimeoutError) or time.monotonic() >= deadline
        raise Refused("timeout" if timed_out else "connection failed", repr(exc)[:200]) from exc
    location = response.getheader("Location")
    if not location:
        raise Refused(f"http {response.status}", "a redirect without Location")
    try:
        return urljoin(url, location)
    except ValueError as exc:
        raise Refused("malformed URL", f"redirect to {location[:60]!r}") from exc


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
        outcome = _once(url, allow_loopback, resolve, max_bytes, deadline)
        if isinstance(outcome, Fetched):
            return outcome
        url = outcome
    raise Refused("too many redirects", f"more than {MAX_REDIRECTS}")
