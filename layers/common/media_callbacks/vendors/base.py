"""What every vendor adapter shares: lenient pydantic field types for sloppy senders, the
parse step that turns a validation error into a field-by-field rejection, and helpers for the
shapes several vendors send (snapshot URL patterns, vendor flags, epoch times).

Lenient where real senders are sloppy: numbers as strings, stray whitespace in URLs, empty strings
for missing values, fields missing from failure payloads, unknown extra fields (ignored here, kept
in the stored raw payload). Strict where it matters: task id present, status known, scores in range.
"""

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from media_callbacks.errors import RejectedPayload
from media_callbacks.keys import MAX_TASK_ID_BYTES, task_id_fits
from media_callbacks.results import CallbackResult, Parsed


def blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def json_text(value: Any) -> Any:
    """A field documented as a JSON string that senders also send as an object: accept both.
    Text that is not JSON is left for pydantic to name the field and the reason."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _clean_url(value: Any) -> Any:
    """URLs arrive with spaces inside ("http:// dest.ufile...") or around them: remove all."""
    if isinstance(value, str):
        return "".join(value.split()) or None
    return value


def task_id_text(value: Any) -> Any:
    if isinstance(value, bool):
        return value  # let pydantic refuse it
    if isinstance(value, int | float | Decimal):  # Decimal: an integer too long for int
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value


def fits_key[T: str | None](value: T) -> T:
    """The table's key limit is bytes, not characters: 700 CJK characters take 2100."""
    if value is not None and not task_id_fits(value):
        raise PydanticCustomError(
            "task_id_too_long",
            "longer than {limit} bytes of UTF-8 (the table's key holds no more)",
            {"limit": MAX_TASK_ID_BYTES},
        )
    return value


Text = Annotated[str | None, BeforeValidator(blank_to_none)]
Url = Annotated[str | None, BeforeValidator(_clean_url)]
Number = Annotated[float | None, BeforeValidator(blank_to_none)]
Count = Annotated[int | None, Field(ge=0, lt=2**63), BeforeValidator(blank_to_none)]
# Every field that can become a task id (the table's partition key) is one of these two.
TaskId = Annotated[
    str, BeforeValidator(task_id_text), Field(min_length=1), AfterValidator(fits_key)
]
OptionalTaskId = Annotated[
    str | None,
    BeforeValidator(task_id_text),
    BeforeValidator(blank_to_none),
    AfterValidator(fits_key),
]


class Payload(BaseModel):
    # defer_build: a model's validator is built on its first use, so a cold start builds only
    # the models of the callback it handles.
    model_config = ConfigDict(
        extra="ignore", allow_inf_nan=False, populate_by_name=True, defer_build=True
    )


def describe(exc: ValidationError) -> str:
    """'field.path: reason' for every problem pydantic found, joined by '; '."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def parsed(fields: dict[str, Any]) -> Parsed:
    """An adapter's fields as its result, with `findings` (the raw ones of a moderation result,
    None or absent for no moderation) apart: they are judged after parsing, for every vendor."""
    findings = fields.pop("findings", None)
    return Parsed(CallbackResult.of(fields), findings)


def parse[M: BaseModel](model: type[M], data: dict[str, Any], kind: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RejectedPayload(describe(exc), kind=kind) from None


MAX_URLS = 1000  # expanded snapshot URLs kept per result; `image_count` counts them all


def snapshot_count(regular: str | None, times: list[str] | None) -> int:
    if not regular:
        return 0
    return len(times or []) if "{time}" in regular else 1


def expand_snapshot_urls(regular: str | None, times: list[str] | None) -> list[str]:
    """`{time}` in the URL pattern, once per time point (the first MAX_URLS: a pattern of some
    KiB times 20,000 points would otherwise take hundreds of MB)."""
    if not regular:
        return []
    if "{time}" not in regular:
        return [regular]
    return [regular.replace("{time}", t) for t in (times or [])[:MAX_URLS]]


# --- what several vendors share -------------------------------------------------------------

VENDOR_FLAGS = frozenset({"review", "check", "block", "forbid"})  # a vendor's "look at this"


def vendor_flagged(suggestion: str | None) -> bool:
    """A vendor's own suggestion counts like UMedia's review flag: review/check or block/forbid
    makes a finding at least review, never a silent pass."""
    return suggestion is not None and suggestion.lower() in VENDOR_FLAGS


def lower_text(value: Any) -> Any:
    value = blank_to_none(value)
    return value.lower() if isinstance(value, str) else value


def epoch_to_iso(seconds: float | None) -> str | None:
    """Unix seconds as UTC ISO-8601 (`2026-03-02T07:56:01Z`); None when absent or absurd."""
    if seconds is None or not 0 <= seconds < 253402300800:  # before the year 10000
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


Epoch = Annotated[float | None, BeforeValidator(blank_to_none)]
