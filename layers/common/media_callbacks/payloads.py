"""Pydantic models of the vendors' callback bodies.

Lenient where real senders are sloppy: numbers as strings, stray whitespace in URLs, empty strings
for missing values, fields missing from failure payloads, unknown extra fields (ignored here, kept
in the stored raw payload). Strict where it matters: task id present, status known, scores in range.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _clean_url(value: Any) -> Any:
    """URLs arrive with spaces inside ("http:// dest.ufile...") or around them: remove all."""
    if isinstance(value, str):
        return "".join(value.split()) or None
    return value


def _task_id(value: Any) -> Any:
    if isinstance(value, bool):
        return value  # let pydantic refuse it
    if isinstance(value, int | float | Decimal):  # Decimal: an integer too long for int
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value


Text = Annotated[str | None, BeforeValidator(_blank_to_none)]
Url = Annotated[str | None, BeforeValidator(_clean_url)]
Number = Annotated[float | None, BeforeValidator(_blank_to_none)]
Count = Annotated[int | None, Field(ge=0, lt=2**63), BeforeValidator(_blank_to_none)]
TaskId = Annotated[str, BeforeValidator(_task_id), Field(min_length=1, max_length=1024)]
OptionalTaskId = Annotated[str | None, BeforeValidator(_task_id), BeforeValidator(_blank_to_none)]


class Payload(BaseModel):
    # defer_build: a model's validator is built on its first use, so a cold start builds only
    # the models of the callback it handles.
    model_config = ConfigDict(
        extra="ignore", allow_inf_nan=False, populate_by_name=True, defer_build=True
    )


# --- UCloud UMedia ---------------------------------------------------------------------------


class UMediaPayload(Payload):
    retcode: Annotated[int, BeforeValidator(_blank_to_none)]
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
    value = _blank_to_none(value)
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


# --- China Telecom CTyun ---------------------------------------------------------------------

_CTYUN_STATUS = {"SUCCESS": "succeeded", "SUCCEED": "succeeded", "SUCCEEDED": "succeeded",
                 "FAIL": "failed", "FAILED": "failed", "FAILURE": "failed"}  # fmt: skip


def _ctyun_status(value: Any) -> Any:
    value = _blank_to_none(value)
    if isinstance(value, str):
        return _CTYUN_STATUS.get(value.upper(), value)
    return value


CtyunStatus = Annotated[Literal["succeeded", "failed"], BeforeValidator(_ctyun_status)]


class CtyunEvent(Payload):
    """The envelope every CTyun event shares."""

    event_type: Annotated[str, BeforeValidator(_blank_to_none)] = Field(alias="eventType")
    event_time: Text = Field(default=None, alias="eventTime")
    video_id: Text = Field(default=None, alias="videoID")
    workflow_id: Text = Field(default=None, alias="workflowId")
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
    ai_time_list: list[Annotated[str, BeforeValidator(_task_id)]] | None = Field(
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
    time_list: list[Annotated[str, BeforeValidator(_task_id)]] | None = Field(
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
