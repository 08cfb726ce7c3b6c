"""UCloud UMedia: transcode (转码), screenshot (截图), HLS slicing (切片) and porn detection (鉴黄)
callbacks (vendor-docs/umedia-callbacks.md). Token authentication; POST /callbacks/umedia/{kind},
or /callbacks/umedia with the kind inferred from the payload's shape."""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from media_callbacks.errors import RejectedPayload
from media_callbacks.results import Parsed, RawFinding
from media_callbacks.vendors import Adapter
from media_callbacks.vendors.base import (
    Count,
    Number,
    Payload,
    TaskId,
    Text,
    Url,
    blank_to_none,
    parse,
    parsed,
)


class UMediaPayload(Payload):
    retcode: Annotated[int, BeforeValidator(blank_to_none)]
    task_id: TaskId
    src_url: Url = None
    message: Text = None


class UMediaTranscode(UMediaPayload):
    dest_video_name: Text = None
    dest_video_url: Url = None
    duration: Number = Field(default=None, ge=0)
    file_size: Count = None
    width: Count = None
    height: Count = None


class UMediaImage(Payload):
    image_url: Url = None


class UMediaSnapshot(UMediaPayload):
    image_count: Count = None
    image_list: list[UMediaImage] | None = None


class UMediaSlice(UMediaPayload):
    dest_video_name: Text = None
    dest_video_url: Url = None
    duration: Number = Field(default=None, ge=0)


UMEDIA_LABELS = {0: "porn", 1: "sexy", 2: "normal"}


def _umedia_label(value: Any) -> Any:
    """0 porn, 1 sexy, 2 normal; numeric strings count as numbers, other text is the label."""
    value = blank_to_none(value)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return value


class UMediaFlaggedImage(Payload):
    name: Url = None
    rate: Number = Field(default=None, ge=0, le=1)
    label: Annotated[int | str, BeforeValidator(_umedia_label)]
    review: bool | None = False


class UMediaModeration(UMediaPayload):
    image_count: Count = None
    invalid_image_list: list[UMediaFlaggedImage] | None = None


def infer_umedia_kind(data: dict[str, Any]) -> str:
    """The first rule that matches; see README "Kind inference"."""
    if "invalid_image_list" in data:
        return "moderation"
    if "image_list" in data:
        return "snapshot"
    for key in ("dest_video_name", "dest_video_url"):
        value = data.get(key)
        if isinstance(value, str) and value.strip().lower().endswith(".m3u8"):
            return "slice"
    if any(
        key in data for key in ("dest_video_url", "dest_video_name", "width", "height", "file_size")
    ):
        return "transcode"
    raise RejectedPayload(
        "cannot tell the kind of this UMedia callback from its fields (no invalid_image_list, "
        "image_list, dest_video_url, dest_video_name, width, height or file_size): "
        "post it to /callbacks/umedia/{kind} with kind transcode, snapshot, slice or moderation"
    )


def parse_payload(kind: str | None, data: dict[str, Any]) -> Parsed:
    if kind is None:
        kind = infer_umedia_kind(data)
    common: dict[str, Any]
    result: dict[str, Any]
    findings: list[RawFinding] | None = None
    if kind == "transcode":
        t = parse(UMediaTranscode, data, kind)
        common, result = (
            _umedia_common(t),
            t.model_dump(
                include={
                    "dest_video_name",
                    "dest_video_url",
                    "duration",
                    "file_size",
                    "width",
                    "height",
                }
            ),
        )
    elif kind == "slice":
        s = parse(UMediaSlice, data, kind)
        common = _umedia_common(s)
        result = s.model_dump(include={"dest_video_name", "dest_video_url", "duration"})
    elif kind == "snapshot":
        sn = parse(UMediaSnapshot, data, kind)
        common = _umedia_common(sn)
        urls = [img.image_url for img in sn.image_list or [] if img.image_url]
        result = {"image_count": sn.image_count, "image_urls": urls}
    else:
        m = parse(UMediaModeration, data, kind)
        common = _umedia_common(m)
        findings = []
        for image in m.invalid_image_list or []:
            label = image.label
            category = (
                UMEDIA_LABELS.get(label, str(label)) if isinstance(label, int) else label.lower()
            )
            if category == "normal":
                continue
            findings.append(
                RawFinding(
                    category=category,
                    label=category,
                    score=image.rate,
                    image_url=image.name,
                    vendor_review=image.review,
                )
            )
        result = {"image_count": m.image_count, "flagged_image_count": len(findings)}
    return parsed(
        {"vendor": "umedia", "kind": kind, "result": result, "findings": findings, **common}
    )


def _umedia_common(payload: UMediaPayload) -> dict[str, Any]:
    return {
        "task_id": payload.task_id,
        "status": "succeeded" if payload.retcode == 0 else "failed",
        "message": payload.message,
        "source_url": payload.src_url,
    }


ADAPTER = Adapter(
    "umedia",
    "UMedia",
    parse_payload,
    route_kinds=("transcode", "snapshot", "slice", "moderation"),
)
