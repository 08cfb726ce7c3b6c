"""China Telecom CTyun media service: AIContentReviewComplete (moderation), TranscodeComplete and
SnapshotComplete in full, any other eventType as kind `event`
(vendor-docs/ctyun-ai-content-review-complete.txt). Token authentication; POST /callbacks/ctyun."""

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, ValidationError

from media_callbacks.errors import RejectedPayload
from media_callbacks.results import Parsed, RawFinding
from media_callbacks.vendors import Adapter
from media_callbacks.vendors.base import (
    MAX_URLS,
    Count,
    Number,
    OptionalTaskId,
    Payload,
    Text,
    Url,
    blank_to_none,
    expand_snapshot_urls,
    parse,
    parsed,
    snapshot_count,
    task_id_text,
)

CTYUN_REVIEW_EVENT = "AIContentReviewComplete"


_CTYUN_STATUS = {"SUCCESS": "succeeded", "SUCCEED": "succeeded", "SUCCEEDED": "succeeded",
                 "FAIL": "failed", "FAILED": "failed", "FAILURE": "failed"}  # fmt: skip


def _ctyun_status(value: Any) -> Any:
    value = blank_to_none(value)
    if isinstance(value, str):
        return _CTYUN_STATUS.get(value.upper(), value)
    return value


CtyunStatus = Annotated[Literal["succeeded", "failed"], BeforeValidator(_ctyun_status)]


class CtyunEvent(Payload):
    """The envelope every CTyun event shares."""

    event_type: Annotated[str, BeforeValidator(blank_to_none)] = Field(alias="eventType")
    event_time: Text = Field(default=None, alias="eventTime")
    video_id: OptionalTaskId = Field(default=None, alias="videoID")  # task ids when taskId is not
    workflow_id: OptionalTaskId = Field(default=None, alias="workflowId")
    task_id: OptionalTaskId = Field(default=None, alias="taskId")
    original_file_url: Url = Field(default=None, alias="originalFileUrl")
    status: Annotated[str | None, BeforeValidator(_ctyun_status)] = None
    task_message: Text = Field(default=None, alias="taskMessage")


class CtyunSegment(Payload):
    confidence: Number = Field(default=None, ge=0, le=100)
    label: Text = None
    url: Url = None


class CtyunSectionOutput(Payload):
    label: Text = None
    segment_set: list[CtyunSegment] | None = Field(default=None, alias="segmentSet")


class CtyunSection(Payload):
    status: Text = None
    output: CtyunSectionOutput | None = None


class CtyunReviewSnapshot(Payload):
    ai_time_list: list[Annotated[str, BeforeValidator(task_id_text)]] | None = Field(
        default=None, alias="aiTimeList"
    )
    ai_snapshot_regular: Url = Field(default=None, alias="aiSnapshotRegular")


class CtyunReviewInfo(Payload):
    model_config = ConfigDict(
        extra="allow", allow_inf_nan=False, populate_by_name=True, defer_build=True
    )

    snapshot: CtyunReviewSnapshot | None = None
    porn: CtyunSection | None = None
    terrorism: CtyunSection | None = None


class CtyunContentReview(CtyunEvent):
    """AIContentReviewComplete."""

    status: CtyunStatus
    review: CtyunReviewInfo | None = Field(default=None, alias="aiVideoContentReviewInfo")


def _one_or_many(value: Any) -> Any:
    """CTyun sends one output as an object, several as a list: always a list here."""
    if value is None or isinstance(value, list):
        return value
    return [value]


class CtyunTranscodeOutput(Payload):
    format: Text = None
    size: Count = None
    bitrate: Number = Field(default=None, ge=0)
    duration: Number = Field(default=None, ge=0)
    transcode_file_url: Url = Field(default=None, alias="transcodeFileUrl")
    stream_info: list[dict[str, Any]] | None = Field(default=None, alias="streamInfo")


class CtyunTranscodeComplete(CtyunEvent):
    """TranscodeComplete."""

    status: CtyunStatus
    transcode_info: Annotated[list[CtyunTranscodeOutput] | None, BeforeValidator(_one_or_many)] = (
        Field(default=None, alias="transcodeInfo")
    )


class CtyunSnapshotOutput(Payload):
    snapshot_type: Text = Field(default=None, alias="snapshotType")
    time_list: list[Annotated[str, BeforeValidator(task_id_text)]] | None = Field(
        default=None, alias="timeList"
    )
    snapshot_regular: Url = Field(default=None, alias="snapshotRegular")
    web_vtt_url: Url = Field(default=None, alias="webVTTUrl")


class CtyunSnapshotComplete(CtyunEvent):
    """SnapshotComplete."""

    status: CtyunStatus
    snapshot_info: Annotated[list[CtyunSnapshotOutput] | None, BeforeValidator(_one_or_many)] = (
        Field(default=None, alias="snapshotInfo")
    )


CTYUN_EVENTS: dict[str, tuple[str, type[CtyunEvent]]] = {
    CTYUN_REVIEW_EVENT: ("moderation", CtyunContentReview),
    "TranscodeComplete": ("transcode", CtyunTranscodeComplete),
    "SnapshotComplete": ("snapshot", CtyunSnapshotComplete),
}


def parse_payload(kind: str | None, data: dict[str, Any]) -> Parsed:
    """AIContentReviewComplete, TranscodeComplete and SnapshotComplete in full; any other event
    as kind `event`. On demand (videoID) and workflow (workflowId) shapes alike."""
    envelope = parse(CtyunEvent, data, "event")
    kind, model = CTYUN_EVENTS.get(envelope.event_type, ("event", CtyunEvent))
    event = parse(model, data, kind) if model is not CtyunEvent else envelope
    task_id = event.task_id or event.video_id or event.workflow_id
    if not task_id:
        raise RejectedPayload(
            f"taskId: Field required (or videoID or workflowId) for event {event.event_type!r}",
            kind=kind,
        )
    common: dict[str, Any] = {
        "vendor": "ctyun",
        "kind": kind,
        "task_id": task_id,
        "message": event.task_message,
        "source_url": event.original_file_url,
        "event_time": event.event_time,
        "video_id": event.video_id,
    }
    result: dict[str, Any] = {"event_type": event.event_type, "workflow_id": event.workflow_id}
    if isinstance(event, CtyunContentReview):
        return _ctyun_review(event, common, result)
    if isinstance(event, CtyunTranscodeComplete):
        outputs = [
            {
                "format": out.format,
                "size": out.size,
                "bitrate": out.bitrate,
                "duration": out.duration,
                "url": out.transcode_file_url,
                "streams": out.stream_info or [],
            }
            for out in event.transcode_info or []
        ]
        first = outputs[0] if outputs else {}
        result |= {
            "outputs": outputs,
            "dest_video_url": first.get("url"),
            "duration": first.get("duration"),
            "file_size": first.get("size"),
        }
    elif isinstance(event, CtyunSnapshotComplete):
        snapshots: list[dict[str, Any]] = [
            {
                "type": shot.snapshot_type,
                "urls": expand_snapshot_urls(shot.snapshot_regular, shot.time_list),
                "web_vtt_url": shot.web_vtt_url,
            }
            for shot in event.snapshot_info or []
        ]
        urls = [url for shot in snapshots for url in shot["urls"]][:MAX_URLS]
        total = sum(
            snapshot_count(shot.snapshot_regular, shot.time_list)
            for shot in event.snapshot_info or []
        )
        result |= {"snapshots": snapshots, "image_urls": urls, "image_count": total}
    # events without a parsed status: none means it happened; anything unknown counts as failed
    status = event.status if event.status in ("succeeded", "failed") else None
    if status is None:
        status = "succeeded" if event.status is None else "failed"
    return parsed({**common, "status": status, "result": result})


def _ctyun_sections(info: CtyunReviewInfo) -> dict[str, CtyunSection]:
    """The porn and terrorism sections, and any other that has a section's shape."""
    sections = {
        name: section
        for name, section in (("porn", info.porn), ("terrorism", info.terrorism))
        if section is not None
    }
    for name, raw in (info.model_extra or {}).items():
        try:  # other review sections are judged the same way when they have that shape
            sections[name] = CtyunSection.model_validate(raw)
        except ValidationError:
            continue
    return sections


def _ctyun_review(
    event: CtyunContentReview,
    common: dict[str, Any],
    result: dict[str, Any],
) -> Parsed:
    info = event.review
    sections = _ctyun_sections(info) if info is not None else {}
    snapshot_urls: list[str] = []
    if info is not None and info.snapshot is not None:
        snapshot_urls = expand_snapshot_urls(
            info.snapshot.ai_snapshot_regular, info.snapshot.ai_time_list
        )
    findings: list[RawFinding] = []
    summary: dict[str, Any] = {}
    for name, section in sections.items():
        main = section.output.label if section.output else None
        summary[name] = {"status": section.status, "label": main}
        if section.output is None or main is None or main.lower() == "normal":
            continue
        category = "terrorism" if name == "terrorism" else main.lower()
        segments = section.output.segment_set or []
        if not segments:
            findings.append(RawFinding(category=category, label=main, score=None, image_url=None))
        for seg in segments:
            score = None if seg.confidence is None else seg.confidence / 100
            findings.append(
                RawFinding(
                    category=category,
                    label=seg.label or main,
                    score=score,
                    image_url=seg.url,
                )
            )
    result |= {"snapshot_urls": snapshot_urls, "sections": summary}
    return parsed(
        {
            **common,
            "status": event.status,
            "result": result,
            "findings": findings,
        }
    )


ADAPTER = Adapter("ctyun", "CTyun", parse_payload)
