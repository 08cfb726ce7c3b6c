"""Alibaba Cloud ApsaraVideo VOD HTTP event callbacks (vendor-docs/alibaba-vod.md); POST
/callbacks/alibaba. AIMediaAuditComplete is parsed in full (kind moderation: `Data` as an object
or a JSON string, scores 0..100 as strings, a `normal` label is no finding), TranscodeComplete
and SnapshotComplete as kinds transcode and snapshot, any other EventType as kind `event`.

Authentication: the X-VOD signature when the secret's `"alibaba": {"auth_key": ...}` is set,
md5(URL | X-VOD-TIMESTAMP | AuthKey) over the URL as configured in the console, within 300 s;
it does not cover the body. Else the token.
"""

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from media_callbacks.errors import RejectedPayload
from media_callbacks.results import Parsed, RawFinding
from media_callbacks.signing import XVOD_URL
from media_callbacks.vendors import Adapter
from media_callbacks.vendors.base import (
    Count,
    Number,
    OptionalTaskId,
    Payload,
    Text,
    Url,
    blank_to_none,
    json_text,
    lower_text,
    parse,
    parsed,
    vendor_flagged,
)

AUDIT, TRANSCODE, SNAPSHOT = "AIMediaAuditComplete", "TranscodeComplete", "SnapshotComplete"
KINDS = {AUDIT: "moderation", TRANSCODE: "transcode", SNAPSHOT: "snapshot"}
SECTION_CATEGORIES = {"PornResult": None, "TerrorismResult": "terrorism"}  # None: the label

# --- payloads ---------------------------------------------------------------------------------


def _event_time(value: Any) -> Any:
    """`2022-10-20T10:29:46:540Z` (a colon before the milliseconds) as ISO-8601."""
    value = blank_to_none(value)
    if isinstance(value, str):
        return re.sub(r"(T\d{2}:\d{2}:\d{2}):(\d{1,6})", r"\1.\2", value)
    return value


def _json_object(value: Any) -> Any:
    """`Data` is documented as a JSON string and sent as an object: accept both."""
    return json_text(blank_to_none(value))


Suggestion = Annotated[str | None, BeforeValidator(lower_text)]


class Envelope(Payload):
    event_type: Annotated[str, BeforeValidator(blank_to_none)] = Field(alias="EventType")
    event_time: Annotated[str | None, BeforeValidator(_event_time)] = Field(
        default=None, alias="EventTime"
    )
    job_id: OptionalTaskId = Field(default=None, alias="JobId")
    media_id: OptionalTaskId = Field(default=None, alias="MediaId")
    video_id: OptionalTaskId = Field(default=None, alias="VideoId")
    status: Suggestion = Field(default=None, alias="Status")
    code: Text = Field(default=None, alias="Code")
    message: Text = Field(default=None, alias="Message")
    error_code: Text = Field(default=None, alias="ErrorCode")
    error_message: Text = Field(default=None, alias="ErrorMessage")


class TopFrame(Payload):
    label: Text = Field(default=None, alias="Label")
    score: Number = Field(default=None, ge=0, le=100, alias="Score")
    timestamp: Number = Field(default=None, ge=0, alias="Timestamp")
    url: Url = Field(default=None, alias="Url")


class Section(Payload):
    suggestion: Suggestion = Field(default=None, alias="Suggestion")
    label: Text = Field(default=None, alias="Label")
    max_score: Number = Field(default=None, ge=0, le=100, alias="MaxScore")
    top: list[TopFrame] | None = Field(default=None, alias="TopList")


class AuditData(Payload):
    label: Text = Field(default=None, alias="Label")
    suggestion: Suggestion = Field(default=None, alias="Suggestion")
    abnormal_modules: Text = Field(default=None, alias="AbnormalModules")
    video: dict[str, Any] | None = Field(default=None, alias="VideoResult")


class Audit(Payload):
    data: Annotated[AuditData | None, BeforeValidator(_json_object)] = Field(
        default=None, alias="Data"
    )


class StreamInfo(Payload):
    status: Suggestion = Field(default=None, alias="Status")
    definition: Text = Field(default=None, alias="Definition")
    file_url: Url = Field(default=None, alias="FileUrl")
    format: Text = Field(default=None, alias="Format")
    duration: Number = Field(default=None, ge=0, alias="Duration")
    size: Count = Field(default=None, alias="Size")
    width: Count = Field(default=None, alias="Width")
    height: Count = Field(default=None, alias="Height")
    error_code: Text = Field(default=None, alias="ErrorCode")


class Transcode(Payload):
    streams: list[StreamInfo] | None = Field(default=None, alias="StreamInfos")


class SnapshotInfo(Payload):
    status: Suggestion = Field(default=None, alias="Status")
    count: Count = Field(default=None, alias="Count")
    url: Url = Field(default=None, alias="SnapshotUrl")
    regular: Url = Field(default=None, alias="SnapshotRegular")


class Snapshot(Payload):
    cover_url: Url = Field(default=None, alias="CoverUrl")
    snapshots: list[SnapshotInfo] | None = Field(default=None, alias="SnapshotInfos")


# --- normalisation ----------------------------------------------------------------------------


def _sections(video: dict[str, Any]) -> dict[str, Section]:
    """PornResult, TerrorismResult and any other `...Result` object of the same shape."""
    sections = {}
    for name, raw in video.items():
        if name.endswith("Result") and isinstance(raw, dict):
            sections[name] = parse(Section, raw, "moderation")
    return sections


def _category(section: str, label: str | None) -> str:
    fixed = SECTION_CATEGORIES.get(section, "")
    if fixed:
        return fixed
    if fixed is None:  # PornResult: porn or sexy, as the frame says
        return (label or "porn").lower()
    return (label or section.removesuffix("Result")).lower()


def _findings(name: str, section: Section) -> list[RawFinding]:
    """A finding per top frame that is not `normal`; a flagged section without one is one
    finding without a score."""
    frames = [f for f in section.top or [] if (f.label or "").lower() != "normal"]
    flagged = vendor_flagged(section.suggestion)
    if not frames and flagged:
        frames = [TopFrame(Label=section.label)]
    return [
        RawFinding(
            category=_category(name, frame.label or section.label),
            label=frame.label or section.label,
            score=None if frame.score is None else frame.score / 100,
            image_url=frame.url,
            vendor_review=flagged,
        )
        for frame in frames
    ]


def _audit(data: dict[str, Any]) -> dict[str, Any]:
    audit = parse(Audit, data, "moderation").data or AuditData()
    sections = _sections(audit.video or {})
    findings = [f for name, s in sections.items() for f in _findings(name, s)]
    summary = {
        name: {"suggestion": s.suggestion, "label": s.label, "max_score": s.max_score}
        for name, s in sections.items()
    }
    result = {
        "label": audit.label,
        "vendor_suggestion": audit.suggestion,
        "abnormal_modules": audit.abnormal_modules,
        "sections": summary,
    }
    return {"result": result, "findings": findings}


def _transcode(data: dict[str, Any]) -> dict[str, Any]:
    streams = [s.model_dump() for s in parse(Transcode, data, "transcode").streams or []]
    first = streams[0] if streams else {}
    return {
        "result": {
            "streams": streams,
            "dest_video_url": first.get("file_url"),
            "duration": first.get("duration"),
            "file_size": first.get("size"),
        }
    }


def _snapshot(data: dict[str, Any]) -> dict[str, Any]:
    snapshot = parse(Snapshot, data, "snapshot")
    infos = [s.model_dump() for s in snapshot.snapshots or []]
    return {"result": {"cover_url": snapshot.cover_url, "snapshots": infos}}


def _status(envelope: Envelope) -> str:
    """`Status: success` or `fail` where the event has one; else an ErrorCode means failed."""
    if envelope.status is not None:
        return "succeeded" if envelope.status == "success" else "failed"
    return "failed" if envelope.error_code else "succeeded"


def parse_payload(kind: str | None, data: dict[str, Any]) -> Parsed:
    envelope = parse(Envelope, data, "event")
    kind = KINDS.get(envelope.event_type, "event")
    task_id = envelope.job_id or envelope.media_id or envelope.video_id
    if task_id is None:
        raise RejectedPayload("JobId: Field required (or MediaId, VideoId)", kind=kind)
    status = _status(envelope)
    if kind == "moderation" and status == "succeeded":
        fields = _audit(data)
    elif kind == "transcode":
        fields = _transcode(data)
    elif kind == "snapshot":
        fields = _snapshot(data)
    else:
        fields = {"result": {}}
    fields["result"] = {"event_type": envelope.event_type, **fields["result"]}
    return parsed(
        {
            "vendor": "alibaba",
            "kind": kind,
            "task_id": task_id,
            "status": status,
            "message": envelope.message or envelope.error_message,
            "source_url": None,
            "event_time": envelope.event_time,
            "video_id": envelope.media_id or envelope.video_id,
            **fields,
        }
    )


ADAPTER = Adapter("alibaba", "Alibaba Cloud VOD", parse_payload, auth=XVOD_URL)
