"""Plain data <-> DynamoDB attribute values, item sizes, and raw bodies as attributes.

`to_dynamodb` takes any JSON-like value and never raises for it: what DynamoDB cannot hold in
the normalised copy becomes text there (the raw body keeps the exact bytes):
- numbers outside DynamoDB's range (38 significant digits, exponent -130..125), infinities;
- nesting deeper than DynamoDB's 32 levels: the deeper part is stored as its JSON text;
- lone surrogates in strings or map keys (no UTF-8 encoder takes them): U+FFFD;
- an empty map key (DynamoDB refuses empty attribute names at any depth): EMPTY_KEY.
"""

from __future__ import annotations

import base64
import gzip
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from media_callbacks.body import without_surrogates

ITEM_LIMIT = 400 * 1024  # DynamoDB's item size limit
MAX_DEPTH = 30  # DynamoDB nests at most 32 levels; the item's own map is one
DYNAMODB_MAX = Decimal("9.9999999999999999999999999999999999999E+125")
DYNAMODB_MIN = Decimal("1E-130")

EMPTY_KEY = "(empty key)"

AttributeValue = dict[str, Any]


def _number(value: int | float | Decimal) -> AttributeValue:
    """N when DynamoDB can hold the number exactly enough, else its text."""
    text = repr(value) if isinstance(value, float) else str(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return {"S": text}
    if not number.is_finite():
        return {"S": text}
    magnitude = abs(number)
    digits = len("".join(map(str, number.as_tuple().digits)).strip("0"))  # significant ones
    if (magnitude and not (DYNAMODB_MIN <= magnitude <= DYNAMODB_MAX)) or digits > 38:
        return {"S": text}
    return {"N": text}


def _deep_text(value: Any) -> AttributeValue:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (RecursionError, ValueError):
        text = "(nested too deeply to store; the payload holds it)"
    return {"S": without_surrogates(text)}


def _name(key: Any) -> str:
    return without_surrogates(str(key)) or EMPTY_KEY


def to_dynamodb(value: Any, depth: int = 0) -> AttributeValue:
    """Plain JSON-like data as a DynamoDB attribute value (numbers as exact decimal text)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": without_surrogates(value)}
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, bytes):
        return {"B": value}
    if isinstance(value, dict | list | tuple) and depth >= MAX_DEPTH:
        return _deep_text(value)
    if isinstance(value, dict):
        return {"M": {_name(k): to_dynamodb(v, depth + 1) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_dynamodb(v, depth + 1) for v in value]}
    raise TypeError(f"cannot store a {type(value).__name__} in DynamoDB")


def _plain_number(text: str) -> int | float:
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)


def from_attribute(value: AttributeValue) -> Any:
    """One DynamoDB attribute value as plain data (B stays bytes)."""
    [(kind, data)] = value.items()
    match kind:
        case "S" | "BOOL" | "B":
            return data
        case "N":
            return _plain_number(data)
        case "NULL":
            return None
        case "M":
            return {k: from_attribute(v) for k, v in data.items()}
        case "L":
            return [from_attribute(v) for v in data]
        case "SS" | "BS":
            return list(data)
        case "NS":
            return [_plain_number(v) for v in data]
    raise ValueError(f"unknown DynamoDB attribute type {kind}")


def from_dynamodb(item: dict[str, AttributeValue]) -> dict[str, Any]:
    """A DynamoDB item as plain data (numbers become int or float)."""
    return {key: from_attribute(value) for key, value in item.items()}


# --- sizes -------------------------------------------------------------------------------------


def attribute_size(value: AttributeValue) -> int:
    """An upper bound of DynamoDB's size of one attribute value, in bytes (its own rules:
    strings in UTF-8, numbers about one byte per two digits, 3 bytes and 1 per element for
    maps and lists)."""
    [(kind, data)] = value.items()
    match kind:
        case "S":
            return len(data.encode("utf-8", "surrogatepass"))
        case "B":
            return len(data)
        case "N":
            return len(data) // 2 + 2
        case "M":
            return 3 + sum(len(k.encode()) + 1 + attribute_size(v) for k, v in data.items())
        case "L":
            return 3 + sum(1 + attribute_size(v) for v in data)
    return 1


def item_size(item: dict[str, AttributeValue]) -> int:
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


# --- raw bodies ----------------------------------------------------------------------------------


def _text_form(raw: bytes) -> tuple[str, str]:
    """The body as UTF-8 text, else as base64 text."""
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode(), "base64"


def stored_body(raw: bytes, room: int) -> tuple[Any, str]:
    """(value, encoding) for keeping `raw` exactly in at most about `room` bytes: UTF-8 text,
    else base64 text, else gzip (a binary attribute) when the text form does not fit."""
    text, encoding = _text_form(raw)
    size = len(raw) if encoding == "utf-8" else len(text)
    if size <= room:
        return text, encoding
    return gzip.compress(raw, compresslevel=6, mtime=0), "gzip"


def stored_bytes(value: Any, encoding: str | None) -> bytes:
    """The exact bytes of a body kept by `stored_body` (value as read back from the table)."""
    if encoding == "gzip":
        data = value.value if hasattr(value, "value") else value  # boto3's Binary
        return gzip.decompress(bytes(data))
    if encoding == "base64":
        return base64.b64decode(value)
    return str(value).encode("utf-8")
