"""A callback's bytes as JSON: every input either parses into plain, storable data or is a
RejectedPayload that says why. Nothing here raises anything else for any bytes.

Where Python's json module and DynamoDB disagree with JSON itself:
- `NaN`, `Infinity` and `-Infinity` are not JSON (RFC 8259); Python accepts them: refused here.
- `1e400` is JSON, but a float overflows to infinity (and `1e-400` underflows to 0): such
  numbers are kept as a Decimal of the text as sent.
- integers longer than Python's int-to-text limit (4300 digits) cannot be hashed or stored as int:
  long ones stay Decimal.
- an escaped lone surrogate (`"\\ud83d"`, a truncated emoji) is JSON, but no UTF-8 encoder
  (pydantic's core, botocore, DynamoDB) takes it: it becomes U+FFFD in the parsed data. The raw
  body, which holds the escape as ASCII text, is stored as sent.
- nesting deeper than the parser's recursion limit (about 1000 levels) is refused.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from decimal import Decimal
from typing import Any
from urllib.parse import unquote_plus, urlencode

from media_callbacks.errors import RejectedPayload

LONG_INT_DIGITS = 40  # DynamoDB keeps 38 significant digits; longer integers stay Decimal
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NONZERO = re.compile(r"^-?0*\.?0*[1-9]")


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _float(text: str) -> float | Decimal:
    """A float, unless it overflows to infinity or underflows to zero: then the exact text."""
    number = float(text)
    if math.isfinite(number) and (number != 0 or not _NONZERO.search(text)):
        return number
    return Decimal(text)


def _int(text: str) -> int | Decimal:
    return int(text) if len(text) <= LONG_INT_DIGITS else Decimal(text)


def without_surrogates(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (unchanged when it has none)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, dict):
        return {without_surrogates(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _decode(body: bytes) -> str:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RejectedPayload(f"body: not valid UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise RejectedPayload("body: empty; expected a JSON object")
    return text


def parse_json(body: bytes) -> Any:
    """The body's JSON value; RejectedPayload with the reason when it is not JSON."""
    text = _decode(body)
    try:
        data = json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except json.JSONDecodeError as exc:
        raise RejectedPayload(
            f"body: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except ValueError as exc:  # NaN / Infinity
        raise RejectedPayload(f"body: not valid JSON ({exc})") from None
    except RecursionError:
        raise RejectedPayload("body: nested too deeply to read (about 1000 levels)") from None
    if _ESCAPED_SURROGATE.search(text):  # rare: only then walk the data
        data = _scrub(data)
    return data


def canonical_sha256(data: Any) -> str:
    """Hash of the parsed JSON: key order and whitespace do not change it."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# --- form bodies (application/x-www-form-urlencoded) -------------------------------------------


def parse_form(body: bytes) -> dict[str, str]:
    """A form body's fields, values URL-decoded as UTF-8 (`+` a space), whatever the
    Content-Type header says; RejectedPayload naming what is wrong: not UTF-8, a value that is
    not UTF-8 once decoded, a field sent twice (which of them would a signature cover?)."""
    try:
        text = body.decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise RejectedPayload(f"body: not valid UTF-8 (byte {exc.start})") from None
    fields: dict[str, str] = {}
    for part in text.split("&"):
        if not part:
            continue
        raw_name, _, raw_value = part.partition("=")
        name = _form_text(raw_name, "a field name")
        if name in fields:
            raise RejectedPayload(f"{name[:40]}: form field sent more than once")
        fields[name] = _form_text(raw_value, name[:40])
    return fields


def _form_text(raw: str, what: str) -> str:
    try:
        return unquote_plus(raw, errors="strict")
    except UnicodeDecodeError:
        raise RejectedPayload(f"{what}: not valid UTF-8 once URL-decoded") from None


def form_json(body: bytes, field: str) -> Any:
    """The JSON value of one field of a form body (the payload of a sender that posts its JSON
    inside a form: Aliyun Green's `content`, Yidun's `callbackData`)."""
    fields = parse_form(body)
    if field not in fields:
        names = ", ".join(sorted(n[:40] for n in fields)[:10]) or "none"
        raise RejectedPayload(
            f"{field}: missing; expected a form (application/x-www-form-urlencoded) with the "
            f"JSON in {field} (fields sent: {names})"
        )
    try:
        return parse_json(fields[field].encode())
    except RejectedPayload as exc:
        raise RejectedPayload(exc.error.replace("body:", f"{field}:", 1), kind=exc.kind) from None


def form_body(fields: dict[str, str]) -> bytes:
    """A form body of these fields, as senders encode them (what tests and `make send` post)."""
    return urlencode(fields).encode()
