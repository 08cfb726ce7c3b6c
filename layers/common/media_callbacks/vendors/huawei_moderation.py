"""Huawei Cloud Content Moderation, video job callback (vendor-docs/huawei.md, part B); POST
/callbacks/huawei-moderation. Kind moderation: the body is the query-job response, task id
`job_id`, source URL `request_params.data.url`; a finding per frame detail (`image_detail`,
with the frame's `time` in seconds and no image URL: this product sends none, so a finding
records the frame's time and evidence says "no frame URL") and per audio segment
(`audio_detail`). Confidences 0..1, as numbers or strings. `status` other than `succeeded`
(`failed`, `running`) is a failed result without findings.

Authentication: when the secret's `"huawei-moderation": {"seed": ...}` is set (the `seed` given
when the job was created), `X-Auth-Signature` = HMAC-SHA256 keyed by the seed over
create_time + job_id + request_id + seed, hex or base64 (media_callbacks.signing). Else the
token.
"""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from media_callbacks.results import Parsed, RawFinding
from media_callbacks.signing import HUAWEI_MODERATION
from media_callbacks.vendors import Adapter
from media_callbacks.vendors.base import (
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

CATEGORIES = {"porn": "porn", "terrorism": "terrorism", "politics": "politics"}
SEXY = "sexy"  # a `sexy` label inside `porn` (UNCONFIRMED that the vendor sends it)

Lower = Annotated[str | None, BeforeValidator(lower_text)]
Score = Annotated[float | None, Field(ge=0, le=1), BeforeValidator(blank_to_none)]

# --- payloads ---------------------------------------------------------------------------------


class Detail(Payload):
    category: Lower = None
    label: Text = None
    suggestion: Lower = None
    confidence: Score = None


class Frame(Payload):
    category: Lower = None
    suggestion: Lower = None
    time: Number = Field(default=None, ge=0)
    detail: list[Detail] | None = None


class AudioSegment(Payload):
    category: Lower = None
    label: Text = None
    suggestion: Lower = None
    confidence: Score = None
    start_time: Number = Field(default=None, ge=0)
    detail: list[Detail] | None = None


class JobResult(Payload):
    suggestion: Lower = None
    image_detail: list[Frame] | None = None
    audio_detail: list[AudioSegment] | None = None


class Data(Payload):
    url: Url = None


class RequestParams(Payload):
    data: Data | None = None
    event_type: Text = None


class Job(Payload):
    job_id: TaskId
    request_id: OptionalTaskId = None
    status: Lower = None
    create_time: Text = None
    update_time: Text = None
    error_code: Text = None
    error_msg: Text = None
    request_params: RequestParams | None = None
    result: JobResult | None = None


# --- normalisation ----------------------------------------------------------------------------


def _category(category: str | None, label: str | None) -> str:
    """NEW-VENDORS.md's mapping: porn, terrorism, politics; `image_text` and the audio
    categories (`ad`, `moan`, `abuse`) are `others`."""
    if (label or "").lower() == SEXY:
        return SEXY
    return CATEGORIES.get(category or "", "others")


def _findings(
    details: list[Detail], category: str | None, suggestion: str | None, time: float | None
) -> list[RawFinding]:
    """A finding per detail of a flagged part (a frame or an audio segment), the part's own
    category and suggestion standing in where a detail has none."""
    return [
        RawFinding(
            category=_category(d.category or category, d.label),
            label=d.label or d.category or category,
            score=d.confidence,
            image_url=None,
            vendor_review=vendor_flagged(d.suggestion or suggestion),
            time=time,
        )
        for d in details
    ]


def _frame_findings(frame: Frame) -> list[RawFinding]:
    """The vendor lists only flagged frames; one without a detail is one finding, unscored."""
    details = frame.detail or [Detail(category=frame.category, suggestion=frame.suggestion)]
    return _findings(details, frame.category, frame.suggestion, frame.time)


def _audio_findings(segment: AudioSegment) -> list[RawFinding]:
    details = segment.detail or [
        Detail(category=segment.category, label=segment.label,
               suggestion=segment.suggestion, confidence=segment.confidence)
    ]  # fmt: skip
    return _findings(details, segment.category, segment.suggestion, segment.start_time)


def _result(job: Job) -> dict[str, Any]:
    verdict = job.result or JobResult()
    frames, audio = verdict.image_detail or [], verdict.audio_detail or []
    findings = [f for frame in frames for f in _frame_findings(frame)]
    findings += [f for segment in audio for f in _audio_findings(segment)]
    if not findings and vendor_flagged(verdict.suggestion):  # flagged, nothing listed
        findings = [RawFinding("others", None, None, None, vendor_review=True)]
    summary = {
        "vendor_suggestion": verdict.suggestion,
        "frame_times": [frame.time for frame in frames],
        "audio_segment_count": len(audio),
    }
    return {"result": summary, "findings": findings}


def parse_payload(kind: str | None, data: dict[str, Any]) -> Parsed:
    job = parse(Job, data, "moderation")
    succeeded = job.status == "succeeded" and job.error_code is None
    fields = _result(job) if succeeded else {"result": {}, "findings": None}
    params = job.request_params or RequestParams()
    return parsed(
        {
            "vendor": "huawei-moderation",
            "kind": "moderation",
            "task_id": job.job_id,
            "status": "succeeded" if succeeded else "failed",
            "message": job.error_msg or job.error_code or (None if succeeded else job.status),
            "source_url": params.data.url if params.data else None,
            "event_time": job.update_time,
            **fields,
            "result": {
                "job_status": job.status,
                "request_id": job.request_id,
                "create_time": job.create_time,
                "error_code": job.error_code,
                **fields["result"],
            },
        }
    )


ADAPTER = Adapter(
    "huawei-moderation", "Huawei Cloud Content Moderation", parse_payload, auth=HUAWEI_MODERATION
)
