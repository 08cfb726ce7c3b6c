"""The one normalised result model every vendor payload becomes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from media_callbacks.thresholds import Level, Suggestion

Kind = Literal["transcode", "snapshot", "slice", "moderation", "event"]
Status = Literal["succeeded", "failed"]

MAX_MESSAGE_CHARS = 2000  # the vendor's message in the normalised copy; the payload has it all
MAX_FINDINGS = 100  # findings kept per result (the strongest); `finding_count` has them all


class Finding(BaseModel):
    """One flagged image."""

    model_config = ConfigDict(frozen=True)

    category: str
    label: str | None
    score: float | None
    image_url: str | None
    vendor_review: bool | None = None
    suggestion: Suggestion


class Moderation(BaseModel):
    findings: list[Finding]
    finding_count: int
    suggestion: Suggestion
    categories: list[str]
    max_score: float | None
    thresholds: dict[str, Level]


class CallbackResult(BaseModel):
    vendor: str  # a vendor id of media_callbacks.vendors
    kind: Kind
    task_id: str
    status: Status
    message: str | None
    source_url: str | None
    event_time: str | None = None
    video_id: str | None = None
    result: dict[str, Any]
    moderation: Moderation | None = None

    @field_validator("message")
    @classmethod
    def _cap_message(cls, message: str | None) -> str | None:
        if message is None or len(message) <= MAX_MESSAGE_CHARS:
            return message
        return f"{message[:MAX_MESSAGE_CHARS]}... ({len(message)} characters; see the payload)"

    @property
    def flagged(self) -> bool:
        return self.moderation is not None and self.moderation.suggestion != "pass"
