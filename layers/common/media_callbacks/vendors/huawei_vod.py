"""Huawei Cloud VOD message notification (MFS; vendor-docs/huawei.md, part A); POST
/callbacks/huawei-vod. `reviewComplete` is parsed in full (kind moderation: a finding per
snapshot or cover row that is not `normal`, with the frame's URL and its offset, confidences
0..1 as strings, suggestions in any case), `transcodeComplete` as kind transcode, any other
`event_type` as kind `event`. The task id is the media's `asset_id` (the message carries no
task id), also its video id.

The vendor's page does not say whether the event is the body itself or a JSON string in its
field `message` (UNCONFIRMED): both are accepted, and the signature is checked over either.

Authentication: when the secret's `"huawei-vod": {"key": ...}` is set, `auth_sign` = hex
HMAC-SHA256 of `VOD_{auth_timestamp}_{message}` (media_callbacks.signing.HuaweiVod). Else the
token.
"""

import json
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from media_callbacks.errors import RejectedPayload
from media_callbacks.results import Parsed, RawFinding
from media_callbacks.signing import HUAWEI_VOD
from media_callbacks.vendors import Adapter
from media_callbacks.vendors.base import (
    Count,
    Number,
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

REVIEW, TRANSCODE = "reviewComplete", "transcodeComplete"
KINDS = {REVIEW: "moderation", TRANSCODE: "transcode"}
PORN_LABELS = {"porn": "porn", "sexy": "sexy"}
SCENE_CATEGORIES = {"terrorism": "terrorism", "politics": "politics"}
SCENES = ("porn", "terrorism", "politics")

Lower = Annotated[str | None, BeforeValidator(lower_text)]
Score = Annotated[float | None, Field(ge=0, le=1), BeforeValidator(blank_to_none)]

# --- payloads ---------------------------------------------------------------------------------


class Envelope(Payload):
    event_type: Annotated[str, BeforeValidator(blank_to_none)]


class Info(Payload):
    """What every event's `<name>_info` object carries."""

    asset_id: TaskId
    status: Lower = None
    error_code: Text = None
    error_msg: Text = None


class Row(Payload):
    label: Text = None
    confidence: Score = None


class Picture(Payload):
    """A snapshot (`video[]`, with its `offset` in seconds) or a cover (`cover[]`)."""

    suggestion: Lower = None
    url: Url = None
    offset: Number = Field(default=None, ge=0)
    porn: list[Row] | None = None
    terrorism: list[Row] | None = None
    politics: list[Row] | None = None


class TextReview(Payload):
    suggestion: Lower = None


class Review(Info):
    suggestion: Lower = None
    text: TextReview | None = None
    cover: list[Picture] | None = None
    video: list[Picture] | None = None


class MetaData(Payload):
    duration: Number = Field(default=None, ge=0)
    video_size: Count = Field(default=None, alias="videoSize")
    width: Count = None
    height: Count = Field(default=None, alias="hight")  # the vendor's spelling
    bit_rate: Number = Field(default=None, ge=0, alias="bitRate")


class Output(Payload):
    play_type: Text = None
    url: Url = None
    encrypted: Count = None
    quality: Text = None
    meta_data: MetaData | None = None


class Transcode(Info):
    template_group_name: Text = Field(default=None, alias="templateGroupName")
    output: list[Output] | None = None


# --- normalisation ----------------------------------------------------------------------------


def _category(scene: str, label: str | None) -> str | None:
    """The category of one row; None for a `normal` row (no finding)."""
    lowered = (label or "").lower()
    if lowered == "normal":
        return None
    if scene == "porn":
        return PORN_LABELS.get(lowered, lowered or "porn")
    return SCENE_CATEGORIES.get(scene, "others")


def _picture_findings(picture: Picture) -> list[RawFinding]:
    """A finding per row that is not `normal`. The picture's own suggestion (the worst of its
    scenes) marks its strongest row as the vendor's; a flagged picture without such a row is
    one finding without a score."""
    rows = [
        (category, row)
        for scene in SCENES
        for row in getattr(picture, scene) or []
        if (category := _category(scene, row.label)) is not None
    ]
    flagged = vendor_flagged(picture.suggestion)
    if not rows and flagged:
        rows = [("others", Row())]
    strongest = max(range(len(rows)), key=lambda i: rows[i][1].confidence or 0.0, default=-1)
    return [
        RawFinding(
            category=category,
            label=row.label,
            score=row.confidence,
            image_url=picture.url,
            vendor_review=flagged and index == strongest,
            time=picture.offset,
        )
        for index, (category, row) in enumerate(rows)
    ]


def _text_findings(info: dict[str, Any], review: Review) -> list[RawFinding]:
    """Sensitive words in the title or description: a finding `others` per scene that lists
    some (the scene as its label), one without a label when the text is flagged with none
    listed."""
    text = info.get("text")
    listed = {
        scene: words
        for scene, words in (text.items() if isinstance(text, dict) else [])
        if scene != "suggestion" and isinstance(words, list) and words
    }
    flagged = vendor_flagged(review.text.suggestion if review.text else None)
    if not listed and flagged:
        listed = {"": []}
    return [
        RawFinding(category="others", label=scene or None, score=None, image_url=None,
                   vendor_review=flagged)
        for scene in listed
    ]  # fmt: skip


def _review(info: dict[str, Any]) -> dict[str, Any]:
    review = parse(Review, info, "moderation")
    pictures = [*(review.video or []), *(review.cover or [])]
    findings = [f for picture in pictures for f in _picture_findings(picture)]
    findings += _text_findings(info, review)
    result = {
        "vendor_suggestion": review.suggestion,
        "text_suggestion": review.text.suggestion if review.text else None,
        "frame_count": len(review.video or []),
        "cover_count": len(review.cover or []),
    }
    return {"result": result, "findings": findings, "info": review}


def _transcode(info: dict[str, Any]) -> dict[str, Any]:
    job = parse(Transcode, info, "transcode")
    outputs = [
        {"play_type": o.play_type, "url": o.url, "encrypted": o.encrypted, "quality": o.quality,
         **(o.meta_data or MetaData()).model_dump()}
        for o in job.output or []
    ]  # fmt: skip
    # HLS and DASH outputs begin with the index playlist; the first rendition follows
    first = next((o for o in outputs if o["duration"]), outputs[0] if outputs else {})
    result = {
        "template_group_name": job.template_group_name,
        "outputs": outputs,
        "dest_video_url": outputs[0]["url"] if outputs else None,
        "duration": first.get("duration"),
        "file_size": first.get("video_size"),
    }
    return {"result": result, "info": job}


def _event_object(data: dict[str, Any]) -> dict[str, Any]:
    """The body's event: the body itself, or the JSON object in its string field `message`."""
    message = data.get("message")
    if "event_type" in data or not isinstance(message, str):
        return data
    try:
        inner = json.loads(message)
    except ValueError:
        raise RejectedPayload("message: not a JSON object (the event)", kind="event") from None
    if not isinstance(inner, dict):
        raise RejectedPayload("message: not a JSON object (the event)", kind="event")
    return inner


def _info(data: dict[str, Any], kind: str) -> dict[str, Any]:
    """The event's `<name>_info` object (`review_info`, `transcode_info`, ...)."""
    for name, value in data.items():
        if name.endswith("_info") and isinstance(value, dict):
            return value
    raise RejectedPayload("review_info: Field required (an object named <event>_info)", kind=kind)


def parse_payload(kind: str | None, body: dict[str, Any]) -> Parsed:
    data = _event_object(body)
    event_type = parse(Envelope, data, "event").event_type
    kind = KINDS.get(event_type, "event")
    info = _info(data, kind)
    if kind == "moderation":
        fields = _review(info)
    elif kind == "transcode":
        fields = _transcode(info)
    else:
        fields = {"result": {}, "info": parse(Info, info, "event")}
    job: Info = fields.pop("info")
    failed = job.status == "failed" or job.error_code is not None
    if failed:
        fields["findings"] = None
    return parsed(
        {
            "vendor": "huawei-vod",
            "kind": kind,
            "task_id": job.asset_id,
            "status": "failed" if failed else "succeeded",
            "message": job.error_msg or job.error_code,
            "source_url": None,
            "video_id": job.asset_id,
            **fields,
            "result": {"event_type": event_type, "error_code": job.error_code, **fields["result"]},
        }
    )


ADAPTER = Adapter("huawei-vod", "Huawei Cloud VOD", parse_payload, auth=HUAWEI_VOD)
