"""Alibaba Cloud Content Moderation (Green), asynchronous video (vendor-docs/aliyun-green.md);
POST /callbacks/aliyun-green, kind moderation. A form (`checksum`, `content`) whose `content`
is the JSON parsed here; the raw body is what is stored.

Two callbacks per task: the machine scan result (`taskId`, `results` per scene with frames,
`rate` 0..100) and, later, a review result (`scanResult` beside `humanAuditResult`, Alibaba's
review team, or `auditResult`, the customer's own review in the console), decided_by
`vendor_review`. The review shape is RECONSTRUCTED by the sheet (UNCONFIRMED): both verdict keys
are read, and a review that names neither is judged on `scanResult.suggestion`.

Categories (NEW-VENDORS.md's mapping): `porn`, `sexy`, `politics` as labelled (any scene);
terrorism-scene labels other than those, and the ad scene's `terrorism`, are terrorism; the ad,
live and logo scenes' other labels are `others` (the vendor's label kept as the label).

Authentication: when the secret's `"aliyun-green": {"uid": ..., "seed": ...}` is set, the form's
`checksum` = SHA-256 or SM3 of uid + seed + content (media_callbacks.signing). Else the token.
"""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from media_callbacks.errors import RejectedPayload
from media_callbacks.results import Parsed, RawFinding
from media_callbacks.signing import ALIYUN_GREEN_CHECKSUM
from media_callbacks.vendors import Adapter
from media_callbacks.vendors.base import (
    Count,
    Number,
    OptionalTaskId,
    Payload,
    Text,
    Url,
    lower_text,
    parse,
    parsed,
    vendor_flagged,
)

KIND = "moderation"
NAMED = frozenset({"porn", "sexy", "politics"})  # categories a label names in any scene
TERRORISM_SCENES = frozenset({"terrorism"})

Lower = Annotated[str | None, BeforeValidator(lower_text)]
Rate = Annotated[Number, Field(ge=0, le=100)]


class Frame(Payload):
    url: Url = None
    offset: Number = Field(default=None, ge=0)
    label: Lower = None
    rate: Rate = None


class SceneResult(Payload):
    scene: Lower = None
    label: Lower = None
    suggestion: Lower = None
    rate: Rate = None
    frames: list[Frame] | None = None


class Scan(Payload):
    code: Count = None
    msg: Text = None
    task_id: OptionalTaskId = Field(default=None, alias="taskId")
    data_id: Text = Field(default=None, alias="dataId")
    url: Url = None
    suggestion: Lower = None
    results: list[SceneResult] | None = None


class Verdict(Payload):
    task_id: OptionalTaskId = Field(default=None, alias="taskId")
    data_id: Text = Field(default=None, alias="dataId")
    suggestion: Lower = None
    labels: list[Lower] | None = None


class Review(Payload):
    scan: Scan | None = Field(default=None, alias="scanResult")
    human: Verdict | None = Field(default=None, alias="humanAuditResult")
    own: Verdict | None = Field(default=None, alias="auditResult")


# --- normalisation ----------------------------------------------------------------------------


def category(scene: str | None, label: str | None) -> str:
    label = label or scene or "others"
    if label in NAMED:
        return label
    if label == "terrorism" or scene in TERRORISM_SCENES:
        return "terrorism"
    return "others"


def _score(rate: float | None) -> float | None:
    return None if rate is None else rate / 100


def _scene_findings(scene: SceneResult) -> list[RawFinding]:
    """A finding per frame not labelled `normal`; a scene labelled (or suggested) otherwise
    without such frames is one finding at the scene's rate."""
    flagged = vendor_flagged(scene.suggestion)
    frames = [f for f in scene.frames or [] if (f.label or scene.label) != "normal"]
    if not frames and (flagged or scene.label not in (None, "normal")):
        frames = [Frame(label=scene.label, rate=scene.rate if scene.label != "normal" else None)]
    return [
        RawFinding(
            category=category(scene.scene, frame.label or scene.label),
            label=frame.label or scene.label,
            score=_score(frame.rate),
            image_url=frame.url,
            vendor_review=flagged,
        )
        for frame in frames
    ]


def _scenes(scan: Scan) -> dict[str, Any]:
    return {
        scene.scene or f"scene {n}": {
            "label": scene.label,
            "suggestion": scene.suggestion,
            "score": _score(scene.rate),
            "frame_count": len(scene.frames or []),
        }
        for n, scene in enumerate(scan.results or [])
    }


def _machine(data: dict[str, Any]) -> dict[str, Any]:
    scan = parse(Scan, data, KIND)
    if scan.task_id is None:
        raise RejectedPayload("taskId: Field required", kind=KIND)
    succeeded = scan.code in (None, 200)
    findings = [f for scene in scan.results or [] for f in _scene_findings(scene)]
    return {
        "task_id": scan.task_id,
        "status": "succeeded" if succeeded else "failed",
        "message": scan.msg,
        "source_url": scan.url,
        "video_id": scan.data_id,
        "result": {"callback": "scan", "code": scan.code, "scenes": _scenes(scan)},
        "findings": findings if succeeded else None,
    }


def _review_findings(verdict: Verdict) -> list[RawFinding]:
    """A block names its categories (Porn, Terrorism, Ad, ...): one finding each, without a
    score (a person decided); a pass has none."""
    if not vendor_flagged(verdict.suggestion):
        return []
    labels: list[str | None] = [label for label in verdict.labels or [] if label] or [None]
    return [RawFinding(category(None, label), label, None, None, True) for label in labels]


def _review(data: dict[str, Any]) -> dict[str, Any]:
    review = parse(Review, data, KIND)
    scan = review.scan or Scan()
    source = "humanAuditResult" if review.human else "auditResult" if review.own else None
    verdict = review.human or review.own or Verdict(suggestion=scan.suggestion)
    task_id = scan.task_id or verdict.task_id
    if task_id is None:
        raise RejectedPayload("scanResult.taskId: Field required", kind=KIND)
    return {
        "task_id": task_id,
        "status": "succeeded",
        "message": None,
        "source_url": scan.url,
        "video_id": scan.data_id or verdict.data_id,
        "decided_by": "vendor_review",
        "result": {
            "callback": "review",
            "review": source,
            "vendor_suggestion": verdict.suggestion,
            "labels": verdict.labels or [],
            "scan_suggestion": scan.suggestion,
            "scenes": _scenes(scan),
        },
        "findings": _review_findings(verdict),
    }


REVIEW_KEYS = ("scanResult", "humanAuditResult", "auditResult")


def parse_payload(kind: str | None, data: dict[str, Any]) -> Parsed:
    review = any(key in data for key in REVIEW_KEYS)
    fields = _review(data) if review else _machine(data)
    return parsed({"vendor": "aliyun-green", "kind": KIND, **fields})


ADAPTER = Adapter(
    "aliyun-green",
    "Aliyun Green",
    parse_payload,
    auth=ALIYUN_GREEN_CHECKSUM,
    form_field="content",
)
