"""HTTP on 127.0.0.1 -> API Gateway proxy events -> the Lambda handler, like `sam local` would."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from local_stack.apigw import FakeLambdaContext, match_resource, proxy_event

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
API_GATEWAY_MAX_BODY = 10 * 1024 * 1024


def console(line: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"{stamp} {line}", flush=True)


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


def make_server(host: str, port: int, handler: Handler) -> ThreadingHTTPServer:
    # Lambda runs one event at a time per container, and Powertools' resolver keeps the current
    # event on the app object: serialise calls into the handler, as a single container would.
    invoke_lock = threading.Lock()

    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "media-callbacks-local"

        def log_message(self, format: str, *args: Any) -> None:
            return  # one console line per request is printed below instead

        def _handle(self) -> None:
            started = time.perf_counter()
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length > API_GATEWAY_MAX_BODY:
                self._reply(
                    413, {"Content-Type": "application/json"}, b'{"message":"Request Too Long"}'
                )
                return
            body = self.rfile.read(length) if length else b""
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
            )
            with invoke_lock:
                try:
                    response = handler(event, FakeLambdaContext())
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

    return _Server((host, port), RequestHandler)


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="http-front", daemon=True)
    thread.start()
    return thread
