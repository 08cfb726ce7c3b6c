"""HTTP on 127.0.0.1 -> API Gateway proxy events -> the Lambda handler, like `sam local` would."""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from local_stack.apigw import FakeLambdaContext, match_resource, proxy_event

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
API_GATEWAY_MAX_BODY = 10 * 1024 * 1024


# a body shorter than its Content-Length is answered 400 after this (the tests shorten it)
READ_TIMEOUT_SECONDS = float(os.environ.get("HTTP_READ_TIMEOUT_SECONDS", "10"))
# C0 and C1 controls, line and paragraph separators, bidirectional overrides: a task id that
# holds one must not start a new console line or reorder one.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class BadRequest(Exception):
    """The HTTP request itself is broken (API Gateway answers these without the function)."""


def escaped(line: str) -> str:
    """`line` with every control character as a visible escape (\\n, \\x1b, \\u2028)."""
    return _CONTROL.sub(lambda m: json.dumps(m.group())[1:-1], line)


def console(line: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"{stamp} {escaped(line)}", flush=True)


def read_chunked(rfile: Any, limit: int) -> bytes:
    """A Transfer-Encoding: chunked body (RFC 9112 7.1), at most `limit` bytes."""
    body = bytearray()
    while True:
        line = rfile.readline(1024)
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise BadRequest(f"bad chunk size {size_text[:20]!r}") from None
        if size == 0:
            break
        if size < 0 or len(body) + size > limit:
            raise BadRequest("chunked body over the limit")
        chunk = rfile.read(size)
        if len(chunk) < size:
            raise BadRequest("chunked body ended early")
        body += chunk
        rfile.readline(1024)  # the CRLF after each chunk
    while rfile.readline(8192) not in (b"\r\n", b"\n", b""):  # trailers
        pass
    return bytes(body)


def read_body(headers: Any, rfile: Any, limit: int) -> bytes:
    """The request body by Content-Length or chunked; BadRequest when it cannot be read."""
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        return read_chunked(rfile, limit)
    declared = headers.get("Content-Length")
    if declared is None:
        return b""
    if not declared.strip().isdigit():
        raise BadRequest(f"Content-Length is not a number: {declared[:20]!r}")
    length = int(declared)
    if length > limit:
        raise BadRequest("too long")
    body = rfile.read(length) if length else b""
    if len(body) < length:
        raise BadRequest(f"the body has {len(body)} of the {length} bytes Content-Length says")
    return bytes(body)


def summary(status: int, body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    parts = [str(data.get("status", ""))]
    if "task_id" in data:
        parts.append(f"{data.get('vendor')} {data.get('kind')} task {data['task_id']}")
        parts.append(f"flagged={str(data.get('flagged')).lower()}")
    if "error" in data:
        parts.append(f"error: {data['error']}")
    if "rejection_id" in data:
        parts.append(f"rejection_id={data['rejection_id']}")
    if "results" in data:
        parts = [f"{len(data['results'])} result(s)"]
    return " ".join(p for p in parts if p)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the contract asks for at least 50 concurrent connections


class RequestHandler(BaseHTTPRequestHandler):
    """One HTTP request -> one API Gateway event -> the handler; make_server sets `handler`."""

    handler: Handler
    # Lambda runs one event at a time per container, and Powertools' resolver keeps the current
    # event on the app object: serialise calls into the handler, as a single container would.
    invoke_lock: threading.Lock
    protocol_version = "HTTP/1.1"
    server_version = "media-callbacks-local"
    timeout = READ_TIMEOUT_SECONDS  # the socket's: no request waits forever for its body

    def public_base_urls(self) -> str:
        """What the template's stage variable holds in AWS. Here: http://127.0.0.1:PORT and
        http://localhost:PORT (DESIGN.md, local run), the URL the sender used (its Host header)
        and any in PUBLIC_BASE_URLS, so signed vendors' URLs verify locally."""
        port = int(self.server.server_address[1])  # type: ignore[index]
        bases = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
        host = self.headers.get("Host")
        bases += [f"http://{host}"] if host else []
        bases += os.environ.get("PUBLIC_BASE_URLS", "").split(",")
        return ",".join(dict.fromkeys(base.strip() for base in bases if base.strip()))

    def log_message(self, format: str, *args: Any) -> None:
        return  # one console line per request is printed below instead

    def _handle(self) -> None:
        started = time.perf_counter()
        url = urlsplit(self.path)
        try:
            body = read_body(self.headers, self.rfile, API_GATEWAY_MAX_BODY)
        except (BadRequest, TimeoutError, OSError) as exc:
            self._refuse(exc)
            return
        if match_resource(url.path) is None:
            # API Gateway answers unknown resources itself, without calling the function.
            self._reply(403, {"Content-Type": "application/json"},
                        b'{"message":"Missing Authentication Token"}')  # fmt: skip
            console(f"{self.command} {url.path} -> 403 (no such route)")
            return
        event = proxy_event(
            self.command,
            url.path,
            query=url.query,
            headers=dict(self.headers.items()),
            body=body if self.command not in ("GET", "HEAD") or body else None,
            source_ip=self.client_address[0],
            stage_variables={"publicBaseUrls": self.public_base_urls()},
        )
        with self.invoke_lock:
            try:
                response = self.handler(event, FakeLambdaContext())
            except Exception as exc:  # what Lambda + API Gateway would answer
                problem = f"{type(exc).__name__}: {exc}"
                console(f"{self.command} {url.path} -> 502 handler raised {problem}")
                self._reply(502, {"Content-Type": "application/json"},
                            b'{"message":"Internal server error"}')  # fmt: skip
                return
        raw = response.get("body") or ""
        out = base64.b64decode(raw) if response.get("isBase64Encoded") else raw.encode()
        headers = dict(response.get("headers") or {})
        for key, values in (response.get("multiValueHeaders") or {}).items():
            headers[key] = ", ".join(values)
        status = int(response.get("statusCode", 200))
        self._reply(status, headers, out)
        took = (time.perf_counter() - started) * 1000
        console(f"{self.command} {url.path} -> {status} {summary(status, out)} ({took:.0f} ms)")

    def _refuse(self, exc: Exception) -> None:
        """What API Gateway answers a request it cannot read, and close the connection."""
        self.close_connection = True
        if str(exc) == "too long":
            status, message = 413, "Request Too Long"
        else:
            status, message = 400, f"Bad request: {exc or type(exc).__name__}"
        self._reply(status, {"Content-Type": "application/json"},
                    json.dumps({"message": message}).encode())  # fmt: skip
        console(f"{self.command} {urlsplit(self.path).path} -> {status} {message}")

    def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            if key.lower() not in ("content-length", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle


def make_server(host: str, port: int, handler: Handler) -> ThreadingHTTPServer:
    bound = type(
        "BoundRequestHandler",
        (RequestHandler,),
        {"handler": staticmethod(handler), "invoke_lock": threading.Lock()},
    )
    return _Server((host, port), bound)


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="http-front", daemon=True)
    thread.start()
    return thread
