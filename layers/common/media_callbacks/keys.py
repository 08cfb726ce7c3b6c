"""The table's key scheme, in one place: what each kind of item's `pk` and `sk` are.

| item | pk | sk |
|---|---|---|
| result | `TASK#<vendor>#<task_id>` | `RESULT#<kind>`; kind `event`: `RESULT#event#<event type>` |
| rejected body | `REJECTED#<yyyy-mm-dd>` | `<received_at>#<request id>` (the rejection id) |
| alert idempotency (Powertools) | `ALERT#idempotency` | `<function>.publish#<hash of alert_id>` |
| decision (audit entry) | `DECISION#<vendor>#<task_id>` | `REVISION#<12-digit revision>` |
| reviewer's claim | `CLAIM#<vendor>#<task_id>` | `CLAIM` |
| decision idempotency (Powertools) | `PUBLISHED#decisions` | `<function>.publish#<hash>` |

A task id takes at most MAX_TASK_ID_BYTES of UTF-8 (the adapters refuse longer ones, naming the
vendor's field), so every partition key fits DynamoDB's 2048 bytes. An `event` result's sort key
carries the vendor's event type, so one event's failure never hides behind another's success;
an event type over MAX_EVENT_TYPE_BYTES is its digest, so the sort key fits DynamoDB's 1024.

IAM conditions in template.yaml (`dynamodb:LeadingKeys`) name these prefixes too. A flagged
result revision's frames live in EvidenceBucket under `evidence_prefix` (its IAM grant names
`evidence/*`).
"""

from __future__ import annotations

import hashlib
from urllib.parse import quote

TASK, REJECTED, ALERT = "TASK#", "REJECTED#", "ALERT#"
RESULT = "RESULT#"
IDEMPOTENCY_PK = f"{ALERT}idempotency"  # AlertFunction's Powertools idempotency records
FLAGGED = "FLAGGED"  # FlaggedIndex's partition key: flagged results, newest first
# The review desk's items live in partitions of their own, so that IAM can tell them apart:
# the review function may write only these two, and a decision only once (docs/REVIEW.md).
DECISION, CLAIM = "DECISION#", "CLAIM#"
DECISION_IDEMPOTENCY_PK = "PUBLISHED#decisions"  # DecisionFunction's Powertools records


def task_pk(vendor: str, task_id: str) -> str:
    return f"{TASK}{vendor}#{task_id}"


# The partition key `TASK#<vendor>#<task_id>` holds 2048 bytes; 1024 leaves room for any vendor
# id and is what GET /tasks accepts too.
MAX_TASK_ID_BYTES = 1024
MAX_EVENT_TYPE_BYTES = 256  # the sort key holds 1024 bytes


def task_id_fits(task_id: str) -> bool:
    return len(task_id.encode("utf-8", "surrogatepass")) <= MAX_TASK_ID_BYTES


def result_sk(kind: str, event_type: str | None = None) -> str:
    """`RESULT#<kind>`, and for kind `event` `RESULT#event#<event type>`: each event type is a
    result of its own. A kind never holds `#`, so whatever follows `RESULT#event#` is the event
    type, `#` and all; a long one is `sha256-<hex digest>` (real event types are short names)."""
    if kind != "event" or not event_type:
        return f"{RESULT}{kind}"
    encoded = event_type.encode("utf-8", "surrogatepass")
    if len(encoded) > MAX_EVENT_TYPE_BYTES:
        event_type = f"sha256-{hashlib.sha256(encoded).hexdigest()}"
    return f"{RESULT}event#{event_type}"


def result_key(
    vendor: str, task_id: str, kind: str, event_type: str | None = None
) -> dict[str, str]:
    return {"pk": task_pk(vendor, task_id), "sk": result_sk(kind, event_type)}


def rejected_day(day: str) -> str:
    """The partition of one UTC day's rejected bodies (`day` as YYYY-MM-DD)."""
    return f"{REJECTED}{day}"


def rejected_key(received_at: str, request_id: str) -> dict[str, str]:
    """A rejected body's key; its sort key is the rejection id of the 400 answer."""
    return {"pk": rejected_day(received_at[:10]), "sk": f"{received_at}#{request_id}"}


def is_result(pk: str) -> bool:
    return pk.startswith(TASK)


MAX_KEY_TASK_ID_BYTES = 256  # S3 keys hold 1024 bytes; a percent-encoded task id can take 9 a char


def evidence_prefix(vendor: str, task_id: str, revision: int) -> str:
    """`evidence/<vendor>/<task_id>/<revision>/` in EvidenceBucket; `/` and `#` in a task id
    are percent-encoded, so each revision is one folder. A task id whose encoded form is longer
    than 256 bytes is `sha256-<hex digest of its UTF-8>` instead, so every key fits S3's 1024."""
    folder = quote(task_id, safe="")
    if len(folder) > MAX_KEY_TASK_ID_BYTES:
        folder = f"sha256-{hashlib.sha256(task_id.encode('utf-8', 'replace')).hexdigest()}"
    return f"evidence/{vendor}/{folder}/{revision}/"


def moderation_key(vendor: str, task_id: str) -> dict[str, str]:
    """The task's moderation result: what the review desk shows and decides."""
    return result_key(vendor, task_id, "moderation")


def decision_key(vendor: str, task_id: str, revision: int) -> dict[str, str]:
    """One decision per revision of a task's moderation result: the audit entry's key."""
    return {"pk": f"{DECISION}{vendor}#{task_id}", "sk": f"REVISION#{revision:012d}"}


def decisions_pk(vendor: str, task_id: str) -> str:
    return f"{DECISION}{vendor}#{task_id}"


def claim_key(vendor: str, task_id: str) -> dict[str, str]:
    return {"pk": f"{CLAIM}{vendor}#{task_id}", "sk": "CLAIM"}


def is_decision(pk: str) -> bool:
    return pk.startswith(DECISION)
