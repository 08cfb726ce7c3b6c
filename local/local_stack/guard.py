"""No cross-origin access to the local AWS emulator.

The emulator accepts any credentials and holds the callback secret (a real `CALLBACK_KEYS`
included) and the table. MiniStack (make run) and moto server (the bench) answer every web
origin by default, so any page a developer visited while `make run` ran could read both through
the browser. This middleware (WSGI for moto, ASGI for MiniStack) sits in front of the emulator,
whichever one serves it:

- a request with an `Origin` header is refused (403): browsers send one with every cross-origin
  request, form posts included (SQS's and SNS's query protocol would take a form post as it is),
  and the AWS SDKs and CLI never do. One origin passes: the emulator's own (`Origin` naming the
  very host and port the request was sent to, and `Sec-Fetch-Site: same-origin` where the browser
  says), which only the stack's own page has: the review desk, served by the emulated API, signs
  in to the emulated user pool and calls its API there (docs/LOCAL.md);
- a request whose `Sec-Fetch-Site` says a browser sent it from another site is refused too;
- a request whose `Host` is not a loopback name is refused (a DNS-rebinding page reaches
  127.0.0.1 under its own host name);
- no `Access-Control-*` header ever leaves it, preflights included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
BROWSER_SITES = frozenset({"cross-site", "same-site"})

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _same_origin(environ: dict[str, Any], host: str) -> bool:
    """A browser's request from a page the emulator itself served (same scheme, host, port)."""
    site = str(environ.get("HTTP_SEC_FETCH_SITE", "same-origin")).lower()
    return site == "same-origin" and environ.get("HTTP_ORIGIN") == f"http://{host}"


def refusal(environ: dict[str, Any]) -> str | None:
    """Why this request may not reach the emulator, or None."""
    host = str(environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "")
    if environ.get("HTTP_ORIGIN") is not None and not _same_origin(environ, host):
        return "cross-origin requests are refused by the local emulator"
    if str(environ.get("HTTP_SEC_FETCH_SITE", "")).lower() in BROWSER_SITES:
        return "requests from web pages are refused by the local emulator"
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if name.lower() not in LOOPBACK_HOSTS:
        return f"the local emulator answers loopback host names only, not {host[:80]!r}"
    return None


def loopback_only(app: WsgiApp) -> WsgiApp:
    """`app`, answering only the SDKs' requests on loopback and never granting an origin."""

    def guarded(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        problem = refusal(environ)
        if problem is not None:
            start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
            return [problem.encode()]

        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            kept = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
            return start_response(status, kept, *exc_info)

        return app(environ, start)

    return guarded


AsgiApp = Callable[..., Any]


def _asgi_environ(scope: dict[str, Any]) -> dict[str, Any]:
    """The request headers an ASGI scope carries, named as WSGI names them."""
    environ = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = "HTTP_" + raw_name.decode("latin-1").upper().replace("-", "_")
        environ[name] = raw_value.decode("latin-1")
    return environ


def asgi_loopback_only(app: AsgiApp) -> AsgiApp:
    """`app` (an ASGI application), under the same rules as `loopback_only`."""

    async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)  # lifespan: the emulator's own start and stop
            return
        problem = refusal(_asgi_environ(scope))
        if problem is not None:
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": problem.encode()})
            return

        async def without_cors(message: dict[str, Any]) -> None:
            if message.get("type") == "http.response.start":
                message = {
                    **message,
                    "headers": [
                        (k, v)
                        for k, v in message.get("headers", [])
                        if not bytes(k).lower().startswith(b"access-control-")
                    ],
                }
            await send(message)

        await app(scope, receive, without_cors)

    return guarded
