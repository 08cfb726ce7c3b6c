"""What reviewers send: a decision's body and the queue's filters, validated by pydantic; a
problem is a 400 naming each field and its reason."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from media_callbacks.decisions import MAX_NOTE_CHARS, Decision

MAX_QUEUE_LIMIT = 50


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    decision: Decision
    revision: int = Field(ge=1, strict=True)
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)


class QueueQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    suggestion: Literal["review", "block"] | None = None
    vendor: str | None = Field(default=None, min_length=1, max_length=64)
    category: str | None = Field(default=None, min_length=1, max_length=256)
    since: str | None = None
    until: str | None = None
    cursor: str | None = Field(default=None, max_length=4096)
    limit: int = Field(default=20, ge=1, le=MAX_QUEUE_LIMIT)

    @field_validator("since", "until")
    @classmethod
    def _timestamp(cls, value: str | None) -> str | None:
        """ISO-8601 in UTC, compared as the stored `received_at` text (…Z)."""
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("expected an ISO-8601 time, e.g. 2026-11-30T00:00:00Z") from None
        if parsed.tzinfo is not None:  # a time without an offset is taken as UTC
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        return parsed.isoformat(timespec="microseconds") + "Z"


def problems(exc: ValidationError) -> str:
    """`field: reason; field: reason` for the 400's error."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def groups_of(raw: Any) -> set[str]:
    """The caller's groups from the authorizer's `cognito:groups` claim, in each form it comes:
    a list, `[a b]` (as API Gateway renders a list claim) or `a,b`."""
    if isinstance(raw, list):
        return {str(g) for g in raw}
    text = str(raw or "").strip().removeprefix("[").removesuffix("]")
    return {g for g in text.replace(",", " ").split() if g}
