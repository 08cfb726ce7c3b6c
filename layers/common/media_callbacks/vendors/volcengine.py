"""Volcengine (BytePlus) VOD event callbacks (vendor-docs/volcengine-vod.md); POST
/callbacks/volcengine. No moderation event is documented, so every event is stored as kind
`event` with its envelope: RequestId, EventType, EventTime, Data.Vid (the task id, else the
RequestId) and Data.Code (`Success`, or the failure's code).

Authentication: the X-VOD signature when the secret's `"volcengine": {"private_key": ...}` is
set, md5(URL | X-VOD-TIMESTAMP | PrivateKey | base64(body)) over the URL as configured and the
exact bytes received, within 300 s. Else the token.
"""

import base64
import hashlib
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from media_callbacks.errors import RejectedPayload
from media_callbacks.results import CallbackResult
from media_callbacks.signing import SignedRequest, fresh, same, text_key
from media_callbacks.thresholds import Level
from media_callbacks.vendors.base import OptionalTaskId, Payload, Text, blank_to_none, parse

SUCCESS_CODES = frozenset({"success", "0"})

# --- authentication ---------------------------------------------------------------------------


def configured(section: Any) -> bool:
    return text_key(section, "private_key") is not None


def valid(request: SignedRequest, section: Any, now: float) -> bool:
    """X-VOD-SIGNATURE = md5_hex(URL + "|" + X-VOD-TIMESTAMP + "|" + PrivateKey + "|" +
    base64(body)) for one of the public URLs of this route, with a fresh timestamp."""
    key, timestamp = text_key(section, "private_key"), request.header("x-vod-timestamp")
    if key is None or timestamp is None or not fresh(timestamp, now):
        return False
    presented = (request.header("x-vod-signature") or "").lower()
    return any(
        same(signature(url, timestamp, key, request.body), presented) for url in request.urls()
    )


def signature(url: str, timestamp: str, key: str, body: bytes) -> str:
    content = base64.b64encode(body).decode()
    text = f"{url}|{timestamp}|{key}|{content}"
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def sign(url: str, body: bytes, section: Any, now: float) -> dict[str, str]:
    """The headers Volcengine would send for this URL and body (scripts/send.py, tests)."""
    key, timestamp = text_key(section, "private_key") or "", str(int(now))
    return {"X-VOD-TIMESTAMP": timestamp, "X-VOD-SIGNATURE": signature(url, timestamp, key, body)}


# --- payloads ---------------------------------------------------------------------------------


class EventData(Payload):
    vid: OptionalTaskId = Field(default=None, alias="Vid")
    code: Text = Field(default=None, alias="Code")
    message: Text = Field(default=None, alias="Message")
    space_name: Text = Field(default=None, alias="SpaceName")


class Envelope(Payload):
    request_id: OptionalTaskId = Field(default=None, alias="RequestId")
    version: Text = Field(default=None, alias="Version")
    event_type: Annotated[str, BeforeValidator(blank_to_none)] = Field(alias="EventType")
    event_time: Text = Field(default=None, alias="EventTime")
    data: EventData | None = Field(default=None, alias="Data")


def normalise(
    kind: str | None, data: dict[str, Any], thresholds: dict[str, Level]
) -> CallbackResult:
    envelope = parse(Envelope, data, "event")
    event = envelope.data or EventData()
    task_id = event.vid or envelope.request_id
    if task_id is None:
        raise RejectedPayload("Data.Vid: Field required (or RequestId)", kind="event")
    succeeded = event.code is None or event.code.lower() in SUCCESS_CODES
    return CallbackResult.of(
        {
            "vendor": "volcengine",
            "kind": "event",
            "task_id": task_id,
            "status": "succeeded" if succeeded else "failed",
            "message": event.message,
            "source_url": None,
            "event_time": envelope.event_time,
            "video_id": event.vid,
            "result": {
                "event_type": envelope.event_type,
                "request_id": envelope.request_id,
                "code": event.code,
                "space_name": event.space_name,
            },
        }
    )
