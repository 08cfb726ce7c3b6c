"""Baidu AI Cloud (vendor-docs/baidu.md): VOD event callbacks on POST /callbacks/baidu and the
video review (VCR) notification on POST /callbacks/baidu/vcr.

VOD: MEDIA_REGULATION_COMPLETE is parsed in full (kind moderation, task id
`mediaRegulationCompleteEvent.taskId`, video id `regulationTaskInfo.mediaId`), any other
`eventType` is kind `event` (task id: its event object's `taskId`, else `mediaId`, else the
`eventId`). VCR: `{"messageId", "messageBody"}` with the video result as a JSON string (an
object is accepted too), kind moderation, task id `source` (one review per source), video id
`mediaId`; `status` FINISHED, else (ERROR) failed.

Findings: one per item of `results[].items[]`: the review type gives the category
(`sexual_porn` porn; `sexual_sexy`, `sexual_intimacy`, `sexual_vulgar` sexy; `terrorist_group`,
`terrorist`, `terror_event` terrorism; `politician`, `political_event`, `political_group`
politics; `ad_*` and `illegal_*` `others`), `subType` the label (for `others`, the type),
`confidence`
0..100 divided by 100, `evidence.thumbnail` the frame, `timeInSeconds` (or, for audio,
`startTimeInSeconds`) its time; the item's `label` REVIEW or REJECT is the vendor's own flag.

Authentication: VOD when the secret's `"baidu": {"user": ..., "key": ...}` sets a key, the
`vod-callback-auth-*` headers (media_callbacks.signing.BaiduVod), else the token. VCR signs
nothing: always the token, carried in the notification URL.
"""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from media_callbacks.errors import RejectedPayload
from media_callbacks.results import Parsed, RawFinding
from media_callbacks.signing import BAIDU_VOD, TOKEN
from media_callbacks.vendors import Adapter
from media_callbacks.vendors.base import (
    Number,
    OptionalTaskId,
    Payload,
    TaskId,
    Text,
    Url,
    blank_to_none,
    json_text,
    parse,
    parsed,
)

REGULATION = "MEDIA_REGULATION_COMPLETE"
CATEGORIES = {
    "sexual_porn": "porn",
    **dict.fromkeys(("sexual_sexy", "sexual_intimacy", "sexual_vulgar"), "sexy"),
    **dict.fromkeys(("terrorist_group", "terrorist", "terror_event"), "terrorism"),
    **dict.fromkeys(("politician", "political_event", "political_group"), "politics"),
}
VERDICTS = {"REJECT": "block", "REVIEW": "review"}  # any other label (PASS, none): pass

Upper = Annotated[str | None, BeforeValidator(lambda v: v.upper() if isinstance(v, str) else v)]

# --- payloads ---------------------------------------------------------------------------------


class Evidence(Payload):
    thumbnail: Url = None


class Item(Payload):
    sub_type: Text = Field(default=None, alias="subType")
    target: Text = None
    time: Number = Field(default=None, ge=0, alias="timeInSeconds")
    start_time: Number = Field(default=None, ge=0, alias="startTimeInSeconds")
    confidence: Number = Field(default=None, ge=0, le=100)
    label: Annotated[Upper, BeforeValidator(blank_to_none)] = None
    extra: Text = None
    evidence: Evidence | None = None


class TypeResult(Payload):
    type: Annotated[str, BeforeValidator(blank_to_none)]
    items: list[Item] | None = None


class Failure(Payload):
    code: Text = None
    message: Text = None


class Verdict(Payload):
    """What VOD's regulation output and VCR's video result share."""

    results: list[TypeResult] | None = None


class Envelope(Payload):
    event_id: Text = Field(default=None, alias="eventId")
    event_type: Annotated[str, BeforeValidator(blank_to_none)] = Field(alias="eventType")
    event_time: Text = Field(default=None, alias="eventTime")


class TaskInfo(Payload):
    media_id: OptionalTaskId = Field(default=None, alias="mediaId")
    output: Verdict | None = Field(default=None, alias="regulationOutput")


class Regulation(Payload):
    task_id: TaskId = Field(alias="taskId")
    status: Upper = None
    error: Failure | None = None
    error_message: Text = Field(default=None, alias="errorMessage")
    info: TaskInfo | None = Field(default=None, alias="regulationTaskInfo")


class RegulationEvent(Payload):
    event: Regulation = Field(alias="mediaRegulationCompleteEvent")


class OtherEvent(Payload):
    task_id: OptionalTaskId = Field(default=None, alias="taskId")
    media_id: OptionalTaskId = Field(default=None, alias="mediaId")


class VcrResult(Verdict):
    source: TaskId
    media_id: OptionalTaskId = Field(default=None, alias="mediaId")
    status: Upper = None
    label: Upper = None
    finish_time: Text = Field(default=None, alias="finishTime")
    error: Failure | None = None
    error_message: Text = Field(default=None, alias="errorMessage")


class VcrMessage(Payload):
    message_id: Text = Field(default=None, alias="messageId")
    # `messageBody`: a JSON string, or an object
    body: Annotated[VcrResult, BeforeValidator(json_text)] = Field(alias="messageBody")


# --- normalisation ----------------------------------------------------------------------------


def _findings(verdict: Verdict) -> list[RawFinding]:
    return [
        RawFinding(
            category=CATEGORIES.get(result.type.lower(), "others"),
            label=(item.sub_type or result.type)
            if result.type.lower() in CATEGORIES
            else result.type,
            score=None if item.confidence is None else item.confidence / 100,
            image_url=item.evidence.thumbnail if item.evidence else None,
            vendor_review=item.label in VERDICTS,
            time=item.time if item.time is not None else item.start_time,
        )
        for result in verdict.results or []
        for item in result.items or []
    ]


def _vendor_suggestion(verdict: Verdict, label: str | None = None) -> str:
    """The job's label where the vendor gives one (VCR), else the strongest item's: any REJECT
    block, else any REVIEW review, else pass (the VOD sample has no job-level verdict)."""
    labels = {label} | {item.label for r in verdict.results or [] for item in r.items or []}
    for word, suggestion in VERDICTS.items():
        if word in labels:
            return suggestion
    return "pass"


def _moderation(verdict: Verdict, label: str | None) -> dict[str, Any]:
    findings = _findings(verdict)
    suggestion = _vendor_suggestion(verdict, label)
    if not findings and suggestion != "pass":  # flagged, nothing listed
        findings = [RawFinding("others", None, None, None, vendor_review=True)]
    types = [r.type for r in verdict.results or []]
    return {"findings": findings, "result": {"vendor_suggestion": suggestion, "types": types}}


def _failure(failure: Failure | None, message: str | None) -> str | None:
    if failure is not None:
        return failure.message or failure.code
    return message


def _regulation(data: dict[str, Any]) -> dict[str, Any]:
    event = parse(RegulationEvent, data, "moderation").event
    info = event.info or TaskInfo()
    succeeded = event.status == "SUCCESS"
    fields = _moderation(info.output or Verdict(), None) if succeeded else {"result": {}}
    return {
        "kind": "moderation",
        "task_id": event.task_id,
        "status": "succeeded" if succeeded else "failed",
        "message": _failure(event.error, event.error_message)
        or (None if succeeded else event.status),
        "video_id": info.media_id,
        **fields,
        "result": {"task_status": event.status, **fields["result"]},
    }


def _other(data: dict[str, Any], envelope: Envelope) -> dict[str, Any]:
    """Another VOD event: its object (`mediaUploadCompleteEvent`, ...) names the media."""
    found = [v for k, v in data.items() if k.endswith("Event") and isinstance(v, dict)]
    event = parse(OtherEvent, found[0], "event") if found else OtherEvent()
    task_id = event.task_id or event.media_id or envelope.event_id
    if task_id is None:
        raise RejectedPayload(
            "eventId: Field required (or the event's taskId, mediaId)", kind="event"
        )
    return {"kind": "event", "task_id": task_id, "status": "succeeded", "message": None,
            "video_id": event.media_id, "result": {}}  # fmt: skip


def _vod(data: dict[str, Any]) -> dict[str, Any]:
    envelope = parse(Envelope, data, "event")
    fields = _regulation(data) if envelope.event_type == REGULATION else _other(data, envelope)
    result = {"event_type": envelope.event_type, "event_id": envelope.event_id}
    return {**fields, "event_time": envelope.event_time, "result": result | fields["result"]}


def _vcr(data: dict[str, Any]) -> dict[str, Any]:
    message = parse(VcrMessage, data, "moderation")
    job = message.body
    succeeded = job.status == "FINISHED"
    fields = _moderation(job, job.label) if succeeded else {"result": {}}
    return {
        "kind": "moderation",
        "task_id": job.source,
        "status": "succeeded" if succeeded else "failed",
        "message": _failure(job.error, job.error_message) or (None if succeeded else job.status),
        "video_id": job.media_id,
        "source_url": job.source if job.source.startswith(("http://", "https://")) else None,
        "event_time": job.finish_time,
        **fields,
        "result": {"message_id": message.message_id, "job_status": job.status,
                   "label": job.label, **fields["result"]},
    }  # fmt: skip


def parse_payload(kind: str | None, data: dict[str, Any]) -> Parsed:
    fields = _vcr(data) if kind == "vcr" else _vod(data)
    return parsed({"vendor": "baidu", "source_url": None, **fields})


ADAPTER = Adapter(
    "baidu",
    "Baidu AI Cloud",
    parse_payload,
    auth=BAIDU_VOD,
    route_kinds=("vcr",),
    route_auth=(("vcr", TOKEN),),
)
