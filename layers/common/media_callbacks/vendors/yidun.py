"""NetEase Yidun on-demand video v4, push mode (vendor-docs/yidun.md); POST /callbacks/yidun, kind
moderation. A form (`secretId`, `businessId`, `signature`, `callbackData`, optional
`signatureMethod`) whose `callbackData` is the JSON parsed here; the raw body is stored. Yidun
reads the answer `{"code": 200, "msg": "ok"}` (whether it reads the body at all is
UNCONFIRMED; the official receiver answers so).

`antispam.resultType` 1 is the machine result, 2 a human review (decided_by `vendor_review`;
without `resultType`, `censorSource` 0 or 1, Yidun's or the customer's reviewers, says so too).
`status` 2 is checked, any other value failed (with `failureReason`). Findings: each frame of
`pictures[]` and each of its labels whose `level` is not 0 (normal), `rate` 0..1, frame `url`
kept as evidence; `suggestion` 1 (suspect) or 2 (block) is the vendor's own flag. A flagged
verdict without frames (a human review) is one finding per `label`, without a score.

Label codes (NEW-VENDORS.md's mapping): 100 porn, 110 sexy, 300 terrorism, 500 politics, any
other (200 ads, 210 QR code, 260 ad law, 400 prohibited, 600 abuse, 700 flooding, 800
disgusting, 900 other, 1020 black screen, 1030 idle stream, 1100 values) `others`, the code kept
as the label.

Authentication: when the secret's `"yidun": {"secret_id": ..., "secret_key": ...}` is set, the
form's `signature` (MD5, SHA1, SHA256 or SM3 by `signatureMethod`) and `secretId`
(media_callbacks.signing). Else the token.
"""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from media_callbacks.results import Parsed, RawFinding
from media_callbacks.signing import YIDUN_SIGNATURE
from media_callbacks.vendors import Adapter
from media_callbacks.vendors.base import (
    Number,
    OptionalTaskId,
    Payload,
    TaskId,
    Text,
    Url,
    blank_to_none,
    epoch_to_iso,
    parse,
    parsed,
)

KIND = "moderation"
CATEGORIES = {100: "porn", 110: "sexy", 300: "terrorism", 500: "politics"}
SUGGESTIONS = {0: "pass", 1: "review", 2: "block"}
CHECKED, MACHINE, HUMAN = 2, 1, 2
FAILURES = {110: "duplicate request", 120: "bad parameter", 130: "parse error",
            140: "wrong data type", 160: "video larger than 5 GB"}  # fmt: skip

Code = Annotated[int | None, Field(ge=0, lt=2**31), BeforeValidator(blank_to_none)]


class Label(Payload):
    label: Code = None
    level: Code = None
    rate: Number = Field(default=None, ge=0, le=1)
    sub_labels: list[Any] | None = Field(default=None, alias="subLabels")


class Picture(Payload):
    url: Url = None
    start_time: Number = Field(default=None, alias="startTime")
    labels: list[Label] | None = None


class Antispam(Payload):
    task_id: TaskId = Field(alias="taskId")
    data_id: OptionalTaskId = Field(default=None, alias="dataId")
    callback: Text = None
    status: Code = None
    suggestion: Code = None
    result_type: Code = Field(default=None, alias="resultType")
    censor_source: Code = Field(default=None, alias="censorSource")
    censor_time: Number = Field(default=None, alias="censorTime")
    label: Code = None
    second_label: Text = Field(default=None, alias="secondLabel")
    risk_description: Text = Field(default=None, alias="riskDescription")
    failure_reason: Code = Field(default=None, alias="failureReason")
    pictures: list[Picture] | None = None


class Push(Payload):
    antispam: Antispam


def category(code: int | None) -> str:
    return CATEGORIES.get(code or 0, "others")


def _findings(job: Antispam) -> list[RawFinding]:
    flagged = (job.suggestion or 0) > 0
    found = [
        RawFinding(
            category=category(label.label),
            label=str(label.label) if label.label is not None else None,
            score=label.rate,
            image_url=picture.url,
            vendor_review=label.level is not None and label.level > 0,
        )
        for picture in job.pictures or []
        for label in picture.labels or []
        if label.level != 0 and label.label not in (None, 0)
    ]
    if not found and flagged:
        code = job.label if job.label else None
        found = [RawFinding(category(code), str(code) if code else None, None, None, True)]
    return found


def _decided_by(job: Antispam) -> str:
    if job.result_type is not None:
        return "vendor_review" if job.result_type == HUMAN else "machine"
    return "vendor_review" if job.censor_source in (0, 1) else "machine"


def _message(job: Antispam) -> str | None:
    if job.failure_reason is not None:
        reason = FAILURES.get(job.failure_reason, "see the payload")
        return f"failureReason {job.failure_reason}: {reason}"
    return job.risk_description


def parse_payload(kind: str | None, data: dict[str, Any]) -> Parsed:
    job = parse(Push, data, KIND).antispam
    checked = job.status == CHECKED or (job.status is None and job.suggestion is not None)
    censor_time = None if job.censor_time is None else epoch_to_iso(job.censor_time / 1000)
    return parsed(
        {
            "vendor": "yidun",
            "kind": KIND,
            "task_id": job.task_id,
            "status": "succeeded" if checked else "failed",
            "message": _message(job),
            "source_url": None,
            "event_time": censor_time,
            "video_id": job.data_id,
            "decided_by": _decided_by(job),
            "result": {
                "result_type": job.result_type,
                "censor_source": job.censor_source,
                "vendor_suggestion": SUGGESTIONS.get(job.suggestion or 0)
                if job.suggestion is not None
                else None,
                "label": job.label,
                "second_label": job.second_label,
                "failure_reason": job.failure_reason,
                "callback": job.callback,
                "picture_count": len(job.pictures or []),
            },
            "findings": _findings(job) if checked else None,
        }
    )


def answer(kind: str | None, status: str) -> dict[str, Any]:
    """What Yidun's official receiver answers (ActiveCallbackResp)."""
    return {"code": 200, "msg": "ok"}


ADAPTER = Adapter(
    "yidun",
    "NetEase Yidun",
    parse_payload,
    auth=YIDUN_SIGNATURE,
    form_field="callbackData",
    answer=answer,
)
