"""UCloud UAI-Censor, asynchronous video moderation (vendor-docs/ucloud-uai-censor.md).
Token authentication; POST /callbacks/uai-censor; UCloud reads `{"RetCode": 0, "Message"}` in
the answer. Sections `Porn`, `Terror`, `Politician` (and any other of that shape), each with the
vendor's `Suggestion` (pass, check, forbid) and `Frames` of 0..1 scores without image URLs."""

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, ValidationError

from media_callbacks.results import Parsed, RawFinding
from media_callbacks.vendors import Adapter
from media_callbacks.vendors.base import (
    Epoch,
    Number,
    Payload,
    TaskId,
    Text,
    Url,
    blank_to_none,
    epoch_to_iso,
    lower_text,
    parse,
    parsed,
    vendor_flagged,
)

CATEGORIES = {"porn": "porn", "terror": "terrorism", "politician": "politics"}


class Frame(Payload):
    frame_id: Annotated[int | None, BeforeValidator(blank_to_none)] = Field(
        default=None, alias="FrameId"
    )
    score: Number = Field(default=None, ge=0, le=1, alias="Score")
    url: Url = Field(default=None, alias="Url")  # none documented; kept if a sender adds one


class Section(Payload):
    suggestion: Annotated[
        Literal["pass", "check", "forbid"] | None, BeforeValidator(lower_text)
    ] = Field(default=None, alias="Suggestion")
    frames: list[Frame] | None = Field(default=None, alias="Frames")


class Sections(Payload):
    model_config = ConfigDict(
        extra="allow", allow_inf_nan=False, populate_by_name=True, defer_build=True
    )

    porn: Section | None = Field(default=None, alias="Porn")
    terror: Section | None = Field(default=None, alias="Terror")
    politician: Section | None = Field(default=None, alias="Politician")


class VideoCensor(Payload):
    job_id: TaskId = Field(alias="JobId")
    url: Url = Field(default=None, alias="Url")
    start_time: Epoch = Field(default=None, alias="StartTime")
    end_time: Epoch = Field(default=None, alias="EndTime")
    expired_time: Epoch = Field(default=None, alias="ExpiredTime")
    result: Sections | None = Field(default=None, alias="Result")
    ret_code: Annotated[int | None, BeforeValidator(blank_to_none)] = Field(
        default=None, alias="RetCode"
    )
    message: Text = Field(default=None, alias="Message")


def _sections(result: Sections) -> dict[str, Section]:
    """The named sections, and any other that has a section's shape, by the vendor's name."""
    named = {"Porn": result.porn, "Terror": result.terror, "Politician": result.politician}
    sections = {name: section for name, section in named.items() if section is not None}
    for name, raw in (result.model_extra or {}).items():
        try:
            sections[name] = Section.model_validate(raw)
        except ValidationError:
            continue
    return sections


def _findings(name: str, section: Section) -> list[RawFinding]:
    """A finding per frame; a flagged section without frames is one finding without a score."""
    category = CATEGORIES.get(name.lower(), name.lower())
    flagged = vendor_flagged(section.suggestion)
    frames = section.frames or []
    if not frames:
        frames = [Frame()] if flagged else []
    return [
        RawFinding(
            category=category,
            label=name,
            score=frame.score,
            image_url=frame.url,
            vendor_review=flagged,
        )
        for frame in frames
    ]


def parse_payload(kind: str | None, data: dict[str, Any]) -> Parsed:
    video = parse(VideoCensor, data, "moderation")
    failed = video.result is None or video.ret_code not in (None, 0)
    sections = _sections(video.result) if video.result is not None else {}
    findings = [f for name, s in sections.items() for f in _findings(name, s)]
    summary = {
        name: {"suggestion": s.suggestion, "frame_count": len(s.frames or [])}
        for name, s in sections.items()
    }
    result = {
        "start_time": epoch_to_iso(video.start_time),
        "end_time": epoch_to_iso(video.end_time),
        "expired_time": epoch_to_iso(video.expired_time),
        "sections": summary,
    }
    message = video.message or ("no Result in the callback" if video.result is None else None)
    return parsed(
        {
            "vendor": "uai-censor",
            "kind": "moderation",
            "task_id": video.job_id,
            "status": "failed" if failed else "succeeded",
            "message": message,
            "source_url": video.url,
            "event_time": result["end_time"],
            "result": result,
            "findings": findings,
        }
    )


def retcode(kind: str | None, status: str) -> dict[str, Any]:
    """UCloud reads a JSON answer of this shape."""
    return {"RetCode": 0, "Message": status}


ADAPTER = Adapter("uai-censor", "UAI-Censor", parse_payload, answer=retcode)
