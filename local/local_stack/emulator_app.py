"""The AWS emulator `make run` serves: MiniStack's ASGI application behind local_stack.guard
(MiniStack grants every web origin by default). Served by hypercorn in the emulator's venv:

    python -m hypercorn local_stack.emulator_app:app --bind 127.0.0.1:4566

One emulator defect is corrected here, so that the stack behaves as the same template does in
AWS (docs/LOCAL.md): CloudFormation reads `~1` in a RestApi's `BinaryMediaTypes` as `/` (SAM
asks templates to write `*~1*` for `*/*`), while MiniStack 1.5.33 keeps the text as written, so
that it matches no request and every body reached the function as lossy text.
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


apigateway_v1._media_type_matches = _decoded_matches
app = asgi_loopback_only(ministack)
