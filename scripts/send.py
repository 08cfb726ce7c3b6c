"""Send a vendor's example callback, signed as the vendor signs it, to the local run or a deployed
URL, and print the answer: a way to try signing before turning it on in the vendor's console.

    make send VENDOR=alibaba EVENT=ai-media-audit-complete
    make send VENDOR=qiniu KIND=censor EVENT=censor
    make send VENDOR=baidu KIND=vcr EVENT=vcr-finished
    make send VENDOR=volcengine EVENT=workflow-complete URL="$VOLCENGINE_CALLBACK_URL"
    make send VENDOR=yidun EVENT=machine-porn

EVENT names a file of events/<VENDOR>/. A sender that posts a form (Aliyun Green, Yidun) gets
the file's JSON, written compactly, in its form field, and the form signed as the vendor signs
it (its `checksum` or `signature` field).

URL defaults to the route of the local stack `make run`
deployed (its `ready` URL, then /callbacks/<VENDOR>[/<KIND>]). The keys come from CALLBACK_KEYS,
the callback secret's JSON form (`{"alibaba": {"auth_key": "..."}}`); with none for the vendor,
or for a route that is not signed (Baidu's /vcr), the callback carries TOKEN (default
`local-dev-token`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
FORM = "application/x-www-form-urlencoded"


def signed(
    vendor: str, url: str, payload: bytes, keys: dict[str, object], kind: str | None = None
) -> tuple[bytes, dict[str, str]] | None:
    """The body as the vendor posts it on its route (`kind`), signed, and its signature
    headers, when CALLBACK_KEYS holds the vendor's key and the route is signed; None otherwise
    (the token then)."""
    from media_callbacks.vendors import VENDORS

    scheme, section = VENDORS[vendor].on_route(kind).auth, keys.get(vendor)
    if not scheme.signature or not scheme.configured(section):
        return None
    body = scheme.signed_body(VENDORS[vendor].body_of(payload), section)
    return body, scheme.sign(url, body, section, time.time())


def payload_of(vendor: str, path: Path) -> bytes:
    """The file's bytes; for a form sender, its JSON written compactly (as senders write it)."""
    from media_callbacks.vendors import VENDORS

    if not VENDORS[vendor].form_field:
        return path.read_bytes()
    data = json.loads(path.read_bytes())
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def with_token(url: str, token: str) -> str:
    return url + ("&" if urlsplit(url).query else "?") + f"token={token}"


def send(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def local_api() -> str:
    """The API base URL of the local stack `make run` deployed (as its `ready` line says)."""
    from local_stack.stack import load, running_endpoint

    endpoint = running_endpoint()
    try:
        return load(endpoint).api
    except Exception as exc:  # no emulator, or no stack on it
        problem = type(exc).__name__
        raise SystemExit(f"no local stack on {endpoint} ({problem}): start `make run`") from None


def main(vendor: str, event: str, url: str | None, kind: str | None = None) -> int:
    from media_callbacks.vendors import VENDORS

    if vendor not in VENDORS:
        raise SystemExit(f"VENDOR: one of {', '.join(VENDORS)}")
    kinds = VENDORS[vendor].route_kinds
    allowed = (*kinds, None) if VENDORS[vendor].bare_route else kinds
    if url is None and (kind or None) not in allowed:
        raise SystemExit(f"KIND: {' or '.join(kinds) or 'none'} for {vendor}")
    path = ROOT / "events" / vendor / f"{event}.json"
    if not path.is_file():
        names = ", ".join(sorted(p.stem for p in path.parent.glob("*.json")))
        raise SystemExit(f"EVENT: no events/{vendor}/{event}.json; one of {names}")
    payload = payload_of(vendor, path)
    route = f"/callbacks/{vendor}" + (f"/{kind}" if kind else "")
    url = url or local_api() + route
    keys = json.loads(os.environ.get("CALLBACK_KEYS") or "{}")
    found = signed(vendor, url, payload, keys, kind or None)
    body, headers = found or (VENDORS[vendor].body_of(payload), {})
    if found is None:
        url = with_token(url, os.environ.get("TOKEN") or "local-dev-token")
    how = "signed" if found else "with the token"
    print(f"POST {urlsplit(url)._replace(query='').geturl()} ({how}, {len(body)} bytes)")
    content_type = FORM if VENDORS[vendor].form_field else "application/json"
    status, answer = send(url, body, {"Content-Type": content_type, **headers})
    print(f"{status} {answer}")
    return 0 if status < 400 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vendor")
    parser.add_argument("event", help="a file name of events/<vendor>/, without .json")
    parser.add_argument("--kind", help="the route's kind, for vendors that have one")
    parser.add_argument("--url", help="default: the local run's route")
    args = parser.parse_args()
    sys.exit(main(args.vendor, args.event, args.url, args.kind))
