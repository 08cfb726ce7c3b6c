"""The review page: three static files of this package, served by the API with a content
security policy that lets them talk only to the stack's own origins (this API, the user pool's
endpoint) and show images only from the evidence bucket. Nothing to build."""

from __future__ import annotations

import html
import json
from functools import cache
from importlib import resources
from typing import NamedTuple
from urllib.parse import urlsplit

ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
HTML = "text/html; charset=utf-8"


@cache
def asset(name: str) -> str:
    return resources.files("review_handler").joinpath("page", name).read_text(encoding="utf-8")


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Page(NamedTuple):
    client_id: str
    region: str
    cognito_endpoint: str
    frames_origin: str

    def policy(self) -> str:
        return "; ".join(
            [
                "default-src 'none'",
                "script-src 'self'",
                "style-src 'self'",
                f"img-src {self.frames_origin}",
                f"connect-src 'self' {origin(self.cognito_endpoint)}",
                "base-uri 'none'",
                "form-action 'none'",
                "frame-ancestors 'none'",
            ]
        )

    def headers(self, content_type: str) -> dict[str, str]:
        return {
            "Content-Type": content_type,
            "Content-Security-Policy": self.policy(),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-cache",
        }

    def html(self) -> str:
        """index.html with the user pool's app client and endpoint in a meta element (no
        inline script: the policy allows none)."""
        config = {
            "clientId": self.client_id,
            "region": self.region,
            "cognitoEndpoint": self.cognito_endpoint.rstrip("/") + "/",
        }
        meta = html.escape(json.dumps(config), quote=True)
        return asset("index.html").replace("{{CONFIG}}", meta)
