"""Domain errors shared by the parsing modules."""

from __future__ import annotations

MAX_ERROR_CHARS = 2000  # a rejected item and a 400 answer carry at most this much of the error


class RejectedPayload(Exception):
    """The body cannot become a result; `error` says what is wrong, field by field."""

    def __init__(self, error: str, *, kind: str | None = None) -> None:
        if len(error) > MAX_ERROR_CHARS:
            error = error[: MAX_ERROR_CHARS - 30] + f" ... ({len(error)} characters in all)"
        super().__init__(error)
        self.error = error
        self.kind = kind
