"""The one normalised result every vendor payload becomes.

Plain NamedTuples, not pydantic models: every field comes from a payload model that pydantic has
already validated in the vendor's adapter, and a model here would cost every cold start its
validator build (about 4 ms, measured by `make bench`'s per-vendor overhead lines).
"""

from typing import Any, Literal, NamedTuple, Self

from media_callbacks.thresholds import Level, Suggestion

Kind = Literal["transcode", "snapshot", "slice", "moderation", "event"]
Status = Literal["succeeded", "failed"]
# Who decided a moderation result: the vendor's machine, or the vendor's own human review (the
# moderation specialists send both for one task: each is a new revision of its result).
DecidedBy = Literal["machine", "vendor_review"]

MAX_MESSAGE_CHARS = 2000  # the vendor's message in the normalised copy; the payload has it all
MAX_FINDINGS = 100  # findings kept per result (the strongest); `finding_count` has them all


class Finding(NamedTuple):
    """One flagged image."""

    category: str
    label: str | None
    score: float | None
    image_url: str | None
    suggestion: Suggestion
    vendor_review: bool | None = None
    time: float | None = None  # seconds into the video, where the vendor says


class RawFinding(NamedTuple):
    """One flagged image as the vendor reports it, before it is judged against thresholds."""

    category: str
    label: str | None
    score: float | None
    image_url: str | None
    vendor_review: bool | None = None
    time: float | None = None  # seconds into the video (a frame's time; some give no URL)


class Moderation(NamedTuple):
    findings: list[Finding]
    finding_count: int
    suggestion: Suggestion
    categories: list[str]
    max_score: float | None
    thresholds: dict[str, Level]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the stored item, nested tuples as maps."""
        return {
            **self._asdict(),
            "findings": [finding._asdict() for finding in self.findings],
            "thresholds": {name: level._asdict() for name, level in self.thresholds.items()},
        }


def cap_message(message: str | None) -> str | None:
    if message is None or len(message) <= MAX_MESSAGE_CHARS:
        return message
    return f"{message[:MAX_MESSAGE_CHARS]}... ({len(message)} characters; see the payload)"


class CallbackResult(NamedTuple):
    vendor: str  # a vendor id of media_callbacks.vendors
    kind: Kind
    task_id: str
    status: Status
    message: str | None
    source_url: str | None
    result: dict[str, Any]
    event_time: str | None = None
    video_id: str | None = None
    moderation: Moderation | None = None
    decided_by: DecidedBy = "machine"

    @classmethod
    def of(cls, fields: dict[str, Any]) -> Self:
        """A result from an adapter's fields, the vendor's message capped."""
        return cls(**{**fields, "message": cap_message(fields.get("message"))})

    @property
    def flagged(self) -> bool:
        return self.moderation is not None and self.moderation.suggestion != "pass"


class Parsed(NamedTuple):
    """What an adapter makes of a payload: the result (not yet judged) and, for a moderation
    result, the raw findings its judgement is made of (None: no moderation)."""

    result: CallbackResult
    findings: list[RawFinding] | None = None
