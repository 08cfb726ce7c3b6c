"""The one normalised result model every vendor payload becomes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from media_callbacks.thresholds import Level, Suggestion

Vendor = Literal["umedia", "ctyun"]
Kind = Literal["transcode", "snapshot", "slice", "moderation", "event"]
Status = Literal["succeeded", "failed"]

VENDORS: tuple[str, ...] = ("umedia", "ctyun")
UMEDIA_KINDS: tuple[str, ...] = ("transcode", "snapshot", "slice", "moderation")


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
    suggestion: Suggestion
    categories: list[str]
    max_score: float | None
    thresholds: dict[str, Level]


class CallbackResult(BaseModel):
    vendor: Vendor
    kind: Kind
    task_id: str
    status: Status
    message: str | None
    source_url: str | None
    event_time: str | None = None
    video_id: str | None = None
    result: dict[str, Any]
    moderation: Moderation | None = None

    @property
    def flagged(self) -> bool:
        return self.moderation is not None and self.moderation.suggestion != "pass"
