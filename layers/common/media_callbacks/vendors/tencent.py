"""Tencent Cloud VOD event notifications, normal callback mode (vendor-docs/tencent-vod.md).
Token authentication; POST /callbacks/tencent. Every event is `EventType` plus one object named
after it: ReviewAudioVideoComplete is parsed in full (kind moderation, Confidence 0..100, labels
compared case-insensitively), ProcedureStateChanged as kind transcode, any other EventType is
stored as kind `event` with its object's TaskId (else FileId)."""

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from media_callbacks.errors import RejectedPayload
from media_callbacks.results import Parsed, RawFinding
from media_callbacks.vendors import Adapter
from media_callbacks.vendors.base import (
    Count,
    Number,
    OptionalTaskId,
    Payload,
    TaskId,
    Text,
    Url,
    blank_to_none,
    lower_text,
    parse,
    parsed,
    vendor_flagged,
)

REVIEW, PROCEDURE = "ReviewAudioVideoComplete", "ProcedureStateChanged"
CATEGORIES = {"porn": "porn", "terror": "terrorism", "polity": "politics"}

Suggestion = Annotated[Literal["pass", "review", "block"] | None, BeforeValidator(lower_text)]
ErrCode = Annotated[int | None, BeforeValidator(blank_to_none)]


class Envelope(Payload):
    event_type: Annotated[str, BeforeValidator(blank_to_none)] = Field(alias="EventType")


class Segment(Payload):
    start: Number = Field(default=None, alias="StartTimeOffset")
    end: Number = Field(default=None, alias="EndTimeOffset")
    confidence: Number = Field(default=None, ge=0, le=100, alias="Confidence")
    suggestion: Suggestion = Field(default=None, alias="Suggestion")
    label: Text = Field(default=None, alias="Label")
    sub_label: Text = Field(default=None, alias="SubLabel")
    form: Text = Field(default=None, alias="Form")
    url: Url = Field(default=None, alias="Url")


class ReviewOutput(Payload):
    suggestion: Suggestion = Field(default=None, alias="Suggestion")
    label: Text = Field(default=None, alias="Label")
    form: Text = Field(default=None, alias="Form")
    segments: list[Segment] | None = Field(default=None, alias="SegmentSet")
    segments_file_url: Url = Field(default=None, alias="SegmentSetFileUrl")
    segments_file_expire_time: Text = Field(default=None, alias="SegmentSetFileUrlExpireTime")


class ReviewInput(Payload):
    file_id: OptionalTaskId = Field(default=None, alias="FileId")


class ReviewEvent(Payload):
    task_id: TaskId = Field(alias="TaskId")
    status: Text = Field(default=None, alias="Status")
    err_code_ext: Text = Field(default=None, alias="ErrCodeExt")
    message: Text = Field(default=None, alias="Message")
    input: ReviewInput | None = Field(default=None, alias="Input")
    output: ReviewOutput | None = Field(default=None, alias="Output")


class MediaSize(Payload):
    url: Url = Field(default=None, alias="Url")
    definition: Count = Field(default=None, alias="Definition")
    size: Count = Field(default=None, alias="Size")
    duration: Number = Field(default=None, ge=0, alias="Duration")
    width: Count = Field(default=None, alias="Width")
    height: Count = Field(default=None, alias="Height")


class TranscodeTask(Payload):
    status: Text = Field(default=None, alias="Status")
    err_code: ErrCode = Field(default=None, alias="ErrCode")
    message: Text = Field(default=None, alias="Message")
    output: MediaSize | None = Field(default=None, alias="Output")


class ProcessResult(Payload):
    type: Text = Field(default=None, alias="Type")
    transcode: TranscodeTask | None = Field(default=None, alias="TranscodeTask")


class ProcedureEvent(Payload):
    task_id: TaskId = Field(alias="TaskId")
    status: Text = Field(default=None, alias="Status")
    err_code: ErrCode = Field(default=None, alias="ErrCode")
    message: Text = Field(default=None, alias="Message")
    file_id: OptionalTaskId = Field(default=None, alias="FileId")
    file_name: Text = Field(default=None, alias="FileName")
    file_url: Url = Field(default=None, alias="FileUrl")
    meta_data: MediaSize | None = Field(default=None, alias="MetaData")
    results: list[ProcessResult] | None = Field(default=None, alias="MediaProcessResultSet")


class OtherEvent(Payload):
    task_id: OptionalTaskId = Field(default=None, alias="TaskId")
    file_id: OptionalTaskId = Field(default=None, alias="FileId")
    err_code: ErrCode = Field(default=None, alias="ErrCode")
    message: Text = Field(default=None, alias="Message")


def _event_object(data: dict[str, Any], event_type: str) -> tuple[str, dict[str, Any]]:
    """The object named after the event (`ProcedureStateChanged` names its object
    `ProcedureStateChangeEvent`, so any key ending in Event serves)."""
    for key, value in data.items():
        if isinstance(value, dict) and key.endswith("Event"):
            return key, value
    raise RejectedPayload(f"{event_type}Event: Field required (the event's object)", kind="event")


def _finished(status: str | None, failed: bool) -> str:
    return "succeeded" if (status or "").upper() == "FINISH" and not failed else "failed"


def _category(label: str | None) -> str:
    name = (label or "unknown").lower()
    return CATEGORIES.get(name, name)


def _findings(output: ReviewOutput) -> list[RawFinding]:
    """A finding per segment; a flagged review without segments is one without a score."""
    segments = output.segments or []
    if not segments and vendor_flagged(output.suggestion):
        segments = [Segment()]
    return [
        RawFinding(
            category=_category(segment.label or output.label),
            label=segment.sub_label or segment.label or output.label,
            score=None if segment.confidence is None else segment.confidence / 100,
            image_url=segment.url,
            vendor_review=vendor_flagged(segment.suggestion or output.suggestion),
        )
        for segment in segments
    ]


def _review(event: ReviewEvent) -> dict[str, Any]:
    output = event.output or ReviewOutput()
    return {
        "kind": "moderation",
        "task_id": event.task_id,
        "status": _finished(event.status, bool(event.err_code_ext)),
        "message": event.message,
        "video_id": event.input.file_id if event.input else None,
        "result": {
            "event_type": REVIEW,
            "vendor_suggestion": output.suggestion,
            "label": output.label,
            "form": output.form,
            "segment_count": len(output.segments or []),
            "segments_file_url": output.segments_file_url,
            "segments_file_expire_time": output.segments_file_expire_time,
            "err_code_ext": event.err_code_ext,
        },
        "findings": _findings(output),
    }


def _procedure(event: ProcedureEvent) -> dict[str, Any]:
    transcodes = [r.transcode for r in event.results or [] if r.transcode is not None]
    outputs = [
        {
            **(task.output.model_dump() if task.output else {}),
            "status": task.status,
            "err_code": task.err_code,
        }
        for task in transcodes
    ]
    first = outputs[0] if outputs else {}
    return {
        "kind": "transcode",
        "task_id": event.task_id,
        "status": _finished(event.status, event.err_code not in (None, 0)),
        "message": event.message,
        "video_id": event.file_id,
        "source_url": event.file_url,
        "result": {
            "event_type": PROCEDURE,
            "file_name": event.file_name,
            "meta_data": event.meta_data.model_dump() if event.meta_data else None,
            "outputs": outputs,
            "dest_video_url": first.get("url"),
            "duration": first.get("duration"),
            "file_size": first.get("size"),
        },
    }


def _other(event_type: str, name: str, event: OtherEvent) -> dict[str, Any]:
    task_id = event.task_id or event.file_id
    if not task_id:
        raise RejectedPayload(f"{name}.TaskId: Field required (or FileId)", kind="event")
    return {
        "kind": "event",
        "task_id": task_id,
        "status": "failed" if event.err_code not in (None, 0) else "succeeded",
        "message": event.message,
        "video_id": event.file_id,
        "result": {"event_type": event_type},
    }


def _parse_in[M: Payload](model: type[M], name: str, body: dict[str, Any], kind: str) -> M:
    """The event's object parsed; errors name their field from the body's top."""
    try:
        return parse(model, body, kind)
    except RejectedPayload as exc:
        parts = exc.error.split("; ")
        raise RejectedPayload("; ".join(f"{name}.{part}" for part in parts), kind=kind) from None


def parse_payload(kind: str | None, data: dict[str, Any]) -> Parsed:
    event_type = parse(Envelope, data, "event").event_type
    name, body = _event_object(data, event_type)
    if event_type == REVIEW:
        fields = _review(_parse_in(ReviewEvent, name, body, "moderation"))
    elif event_type == PROCEDURE:
        fields = _procedure(_parse_in(ProcedureEvent, name, body, "transcode"))
    else:
        fields = _other(event_type, name, _parse_in(OtherEvent, name, body, "event"))
    return parsed({"vendor": "tencent", "source_url": None, **fields})


ADAPTER = Adapter("tencent", "Tencent VOD", parse_payload)
