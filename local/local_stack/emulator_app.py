"""The AWS emulator `make run` serves: MiniStack's ASGI application behind local_stack.guard
(MiniStack grants every web origin by default). Served by hypercorn in the emulator's venv:

    python -m hypercorn local_stack.emulator_app:app --bind 127.0.0.1:4566

One emulator defect is corrected here, so that the stack behaves as the same template does in
AWS (docs/LOCAL.md): CloudFormation reads `~1` in a RestApi's `BinaryMediaTypes` as `/` (SAM
asks templates to write `*~1*` for `*/*`), while MiniStack 1.5.33 keeps the text as written, so
that it matches no request and every body reached the function as lossy text.

And one departure of the ASGI layer: hypercorn hands MiniStack the path percent-decoded, while
API Gateway routes and hands the function the path as sent (`/tasks/ctyun/0003%23abc`: `%23`
and `%2F` stay inside the task id's segment). Requests to the emulated API keep their raw path.
"""

from typing import Any

from ministack.app import app as ministack
from ministack.services import apigateway_v1

from local_stack.guard import asgi_loopback_only

_matches = apigateway_v1._media_type_matches


def _decoded_matches(media_type: Any, binary_media_types: Any) -> Any:
    """The emulator's match, over the types as CloudFormation decodes them (RFC 6901)."""
    decoded = [str(t).replace("~1", "/").replace("~0", "~") for t in binary_media_types or []]
    return _matches(media_type, decoded)


EXECUTE_API = b"/_aws/execute-api/"


def raw_api_paths(inner: Any) -> Any:
    """`inner`, seeing the API's request paths as sent (percent-encoding kept), as API Gateway
    does; every other AWS API keeps the decoded path the emulator expects (S3 keys)."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        raw = scope.get("raw_path") or b""
        if scope.get("type") == "http" and raw.startswith(EXECUTE_API):
            scope = {**scope, "path": raw.split(b"?", 1)[0].decode("latin-1")}
        await inner(scope, receive, send)

    return app


apigateway_v1._media_type_matches = _decoded_matches
app = asgi_loopback_only(raw_api_paths(ministack))
