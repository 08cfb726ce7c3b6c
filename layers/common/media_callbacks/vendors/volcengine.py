"""Volcengine (BytePlus) VOD event callbacks (vendor-docs/volcengine-vod.md); POST
/callbacks/volcengine. No moderation event is documented, so every event is stored as kind
`event` with its envelope: RequestId, EventType, EventTime, Data.Vid (the task id, else the
RequestId) and Data.Code (`Success`, or the failure's code).

Authentication: the X-VOD signature when the secret's `"volcengine": {"private_key": ...}` is
set, md5(URL | X-VOD-TIMESTAMP | PrivateKey | base64(body)) over the URL as configured and the
exact bytes received, within 300 s. Else the token.
"""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from media_callbacks.errors import RejectedPayload
from media_callbacks.results import Parsed
from media_callbacks.signing import XVOD_BODY
from media_callbacks.vendors import Adapter
from media_callbacks.vendors.base import (
    OptionalTaskId,
    Payload,
    Text,
    blank_to_none,
    parse,
    parsed,
)

SUCCESS_CODES = frozenset({"success", "0"})

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


def parse_payload(kind: str | None, data: dict[str, Any]) -> Parsed:
    envelope = parse(Envelope, data, "event")
    event = envelope.data or EventData()
    task_id = event.vid or envelope.request_id
    if task_id is None:
        raise RejectedPayload("Data.Vid: Field required (or RequestId)", kind="event")
    succeeded = event.code is None or event.code.lower() in SUCCESS_CODES
    return parsed(
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


ADAPTER = Adapter("volcengine", "Volcengine VOD", parse_payload, auth=XVOD_BODY)
