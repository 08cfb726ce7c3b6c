"""Shumei video file moderation v4 (vendor-docs/shumei.md); kind moderation on both routes:
POST /callbacks/shumei, the machine result, and POST /callbacks/shumei/review, the human-review
result (decided_by `vendor_review`), which Shumei counts as delivered only when the answer
carries `{"code": 1100}`.

Machine result: `code` 1100 is success (any other code, e.g. 1903, a failed job without
results); `requestId` the task, `btId` (ours) the video. Findings: each frame of `frameDetail`
and clip of `audioDetail` whose `riskLevel` is not PASS (or whose `riskLabel1` is not normal),
scored by the highest `allLabels[].probability` of its `riskLabel1`, the frame's `imgUrl` kept
as evidence; REVIEW and REJECT are the vendor's own flags. A REVIEW or REJECT job without
details is one finding without a score.

Human review: `result.operation` 1 pass, 2 reject, `result.description`, the frames of
`result.evidences.frameDetail[]` (kept as evidence), `data.btId` the video.

Categories (NEW-VENDORS.md's mapping; labels compared case-insensitively, older documents
capitalise them): `porn` (and the older `erotic`) porn, `sexy` sexy (where Shumei puts sexy is
UNCONFIRMED: a level-1 `sexy`, or a level-2 `sexy` under porn, both read as sexy), `violence`
terrorism, `politics` politics, any other `others`, the vendor's labels kept as the label.

Authentication: Shumei signs nothing. The callback URL is given per upload request, so it
carries the token: `.../callbacks/shumei?token=...` (TOKEN of media_callbacks.signing).
"""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from media_callbacks.errors import RejectedPayload
from media_callbacks.results import Parsed, RawFinding
from media_callbacks.vendors import Adapter
from media_callbacks.vendors.base import (
    Count,
    Number,
    OptionalTaskId,
    Payload,
    Text,
    Url,
    blank_to_none,
    lower_text,
    parse,
    parsed,
)

KIND = "moderation"
SUCCESS = 1100
CATEGORIES = {"porn": "porn", "erotic": "porn", "sexy": "sexy", "violence": "terrorism",
              "politics": "politics"}  # fmt: skip
FLAGS = frozenset({"review", "reject"})
PASS, REJECT = 1, 2

Lower = Annotated[str | None, BeforeValidator(lower_text)]


class Risk(Payload):
    risk_level: Lower = Field(default=None, alias="riskLevel")
    label1: Lower = Field(default=None, alias="riskLabel1")
    label2: Text = Field(default=None, alias="riskLabel2")
    label3: Text = Field(default=None, alias="riskLabel3")
    probability: Number = Field(default=None, ge=0, le=1)


class Detail(Risk):
    time: Number = None
    img_url: Url = Field(default=None, alias="imgUrl")
    audio_url: Url = Field(default=None, alias="audioUrl")
    all_labels: list[Risk] | None = Field(default=None, alias="allLabels")


class Machine(Payload):
    code: Count = None
    message: Text = None
    request_id: OptionalTaskId = Field(default=None, alias="requestId")
    bt_id: Text = Field(default=None, alias="btId")
    risk_level: Lower = Field(default=None, alias="riskLevel")
    frames: list[Detail] | None = Field(default=None, alias="frameDetail")
    audio: list[Detail] | None = Field(default=None, alias="audioDetail")


class EvidenceFrame(Payload):
    img_url: Url = Field(default=None, alias="imgUrl")
    time: Number = None


class Evidences(Payload):
    frames: list[EvidenceFrame] | None = Field(default=None, alias="frameDetail")


class Decision(Payload):
    operation: Annotated[int | None, BeforeValidator(blank_to_none)] = None
    description: Text = None
    evidences: Evidences | None = None


class ReviewData(Payload):
    bt_id: Text = Field(default=None, alias="btId")


class Review(Payload):
    code: Count = None
    request_id: OptionalTaskId = Field(default=None, alias="requestId")
    service_id: Text = Field(default=None, alias="serviceId")
    result: Decision | None = None
    data: ReviewData | None = None


def category(label1: str | None, label2: str | None) -> str:
    if label1 == "porn" and (label2 or "").lower() == "sexy":
        return "sexy"
    return CATEGORIES.get(label1 or "", "others")


def _label(detail: Risk) -> str | None:
    return ":".join(part for part in (detail.label1, detail.label2, detail.label3) if part) or None


def _score(detail: Detail) -> float | None:
    scores = [
        risk.probability
        for risk in detail.all_labels or []
        if risk.probability is not None and risk.label1 == detail.label1
    ]
    return max(scores) if scores else detail.probability


def _flagged(detail: Risk) -> bool:
    return detail.risk_level in FLAGS or detail.label1 not in (None, "normal")


def _findings(job: Machine) -> list[RawFinding]:
    details = [d for d in (job.frames or []) + (job.audio or []) if _flagged(d)]
    found = [
        RawFinding(
            category=category(d.label1, d.label2),
            label=_label(d),
            score=_score(d),
            image_url=d.img_url,
            vendor_review=d.risk_level in FLAGS,
        )
        for d in details
    ]
    if not found and job.risk_level in FLAGS:
        found = [RawFinding("others", None, None, None, True)]
    return found


def _machine(data: dict[str, Any]) -> dict[str, Any]:
    job = parse(Machine, data, KIND)
    if job.request_id is None:
        raise RejectedPayload("requestId: Field required", kind=KIND)
    succeeded = job.code == SUCCESS
    return {
        "task_id": job.request_id,
        "status": "succeeded" if succeeded else "failed",
        "message": job.message,
        "video_id": job.bt_id,
        "result": {
            "callback": "machine",
            "code": job.code,
            "vendor_suggestion": job.risk_level,
            "frame_count": len(job.frames or []),
            "audio_count": len(job.audio or []),
        },
        "findings": _findings(job) if succeeded else None,
    }


def _review(data: dict[str, Any]) -> dict[str, Any]:
    review = parse(Review, data, KIND)
    if review.request_id is None:
        raise RejectedPayload("requestId: Field required", kind=KIND)
    decision = review.result or Decision()
    if decision.operation not in (PASS, REJECT):
        raise RejectedPayload("result.operation: expected 1 (pass) or 2 (reject)", kind=KIND)
    frames = (decision.evidences.frames if decision.evidences else None) or [EvidenceFrame()]
    findings = [
        RawFinding("others", decision.description, None, frame.img_url, True) for frame in frames
    ]
    return {
        "task_id": review.request_id,
        "status": "succeeded",
        "message": decision.description,
        "video_id": review.data.bt_id if review.data else None,
        "decided_by": "vendor_review",
        "result": {
            "callback": "review",
            "operation": "reject" if decision.operation == REJECT else "pass",
            "service_id": review.service_id,
        },
        "findings": findings if decision.operation == REJECT else [],
    }


def parse_payload(kind: str | None, data: dict[str, Any]) -> Parsed:
    fields = _review(data) if kind == "review" else _machine(data)
    return parsed({"vendor": "shumei", "kind": KIND, "source_url": None, **fields})


def answer(kind: str | None, status: str) -> dict[str, Any]:
    """Shumei's human-review push counts as delivered only with code 1100."""
    return {"code": SUCCESS, "message": "success"} if kind == "review" else {}


ADAPTER = Adapter("shumei", "Shumei", parse_payload, route_kinds=("review",), answer=answer)
