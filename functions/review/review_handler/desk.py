"""The review desk's work, knowing nothing of API Gateway: the queue of flagged results awaiting
a decision, one video's view with its frames, claims and decisions (docs/REVIEW.md)."""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from media_callbacks import keys
from media_callbacks.decisions import reviewer_entry
from media_callbacks.delivery import utc_now
from media_callbacks.review_storage import AlreadyDecided, ClaimedByOther, ReviewRecords
from review_handler.frames import Frames
from review_handler.requests import DecisionRequest, QueueQuery

CLAIM_SECONDS = 600  # a claim lasts 10 minutes (the contract)
THUMBNAILS = 3  # the strongest frames a queue entry shows
MAX_PAGES = 10  # FlaggedIndex pages one queue request reads at most, decided ones skipped
# what the desk reads of a result: never the raw payload (up to 400 KB, and not shown)
RESULT_FIELDS = (
    "pk", "sk", "vendor", "kind", "task_id", "video_id", "status", "message", "source_url",
    "received_at", "event_time", "revision", "flagged", "moderation", "evidence",
    "evidence_prefix", "decided_by",
)  # fmt: skip
ENTRY_FIELDS = (
    "decision_id", "revision", "decision", "decided_by", "reviewer_id", "reviewer_email",
    "decided_at", "note", "alert_id",
)  # fmt: skip


class Reviewer(NamedTuple):
    user_id: str
    email: str | None


class Problem(Exception):
    """An answer other than 200: its status and body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("error", ""))
        self.status = status
        self.body = body


def not_found(vendor: str, task_id: str) -> Problem:
    error = f"no moderation result of {vendor} task {task_id!r}"
    return Problem(404, {"status": "not_found", "error": error})


def conflict(error: str, **extra: Any) -> Problem:
    return Problem(409, {"status": "conflict", "error": error, **extra})


def projection() -> tuple[str, dict[str, str]]:
    names = {f"#f{i}": name for i, name in enumerate(RESULT_FIELDS)}
    return ", ".join(names), names


def public_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """An audit entry as the API shows it (without its table keys)."""
    return {name: entry.get(name) for name in ENTRY_FIELDS}


def encode_cursor(item: dict[str, Any]) -> str:
    position = {name: item[name] for name in ("pk", "sk", "received_at")}
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, str]:
    """FlaggedIndex's start key from a cursor this API gave; Problem 400 for any other text."""
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        valid = set(position) == {"pk", "sk", "received_at"} and all(
            isinstance(v, str) for v in position.values()
        )
    except (ValueError, binascii.Error, TypeError, AttributeError):
        valid = False
    if not valid or not keys.is_result(position["pk"]):
        raise Problem(400, {"status": "rejected", "error": "cursor: not a cursor this API gave"})
    return {**position, "flagged_key": keys.FLAGGED}


def _categories(moderation: dict[str, Any]) -> set[str]:
    return {str(f.get("category")) for f in moderation.get("findings", [])} | set(
        moderation.get("categories", [])
    )


def matches(item: dict[str, Any], query: QueueQuery) -> bool:
    moderation = item.get("moderation") or {}
    if query.suggestion and moderation.get("suggestion") != query.suggestion:
        return False
    return not query.category or query.category in _categories(moderation)


class Desk:
    def __init__(
        self, records: ReviewRecords, frames: Frames, clock: Callable[[], float] = time.time
    ) -> None:
        self.records = records
        self.frames = frames
        self.clock = clock

    # --- the queue ----------------------------------------------------------------------------

    def queue(self, query: QueueQuery) -> dict[str, Any]:
        """Flagged results whose current revision has no decision, newest first."""
        start = decode_cursor(query.cursor) if query.cursor else None
        entries: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            items, last = self.records.flagged(
                since=query.since, until=query.until, vendor=query.vendor, start=start,
                limit=max(query.limit * 2, 25),
            )  # fmt: skip
            awaiting = self._awaiting([i for i in items if matches(i, query)])
            for item in items:
                if (item["pk"], item["sk"]) in awaiting:
                    entries.append(awaiting[item["pk"], item["sk"]])
                if len(entries) == query.limit:
                    return {"items": entries, "cursor": encode_cursor(item)}
            if last is None:
                return {"items": entries, "cursor": None}
            start = last
        return {"items": entries, "cursor": encode_cursor(items[-1]) if items else None}

    def _awaiting(self, items: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
        """The queue entries of the items without a decision, by the result's key."""
        decision_keys = [
            keys.decision_key(i["vendor"], i["task_id"], int(i.get("revision") or 1)) for i in items
        ]
        expression, names = projection()
        found = self.records.get_many(
            decision_keys + [{"pk": i["pk"], "sk": i["sk"]} for i in items],
            projection=expression, names=names,
        )  # fmt: skip
        awaiting = {}
        for item, decision in zip(items, decision_keys, strict=True):
            if (decision["pk"], decision["sk"]) in found:
                continue
            stored = found.get((item["pk"], item["sk"]), {})
            awaiting[item["pk"], item["sk"]] = self._entry(item, stored)
        return awaiting

    def _entry(self, item: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
        moderation = item.get("moderation") or {}
        same_revision = stored.get("revision") == item.get("revision")
        frames = self.frames.of(moderation, stored if same_revision else {})
        strongest = sorted(
            (f for f in frames if f["frame_url"]), key=lambda f: -(f.get("score") or 0)
        )
        return {
            "vendor": item["vendor"],
            "task_id": item["task_id"],
            "video_id": item.get("video_id"),
            "revision": item.get("revision"),
            "received_at": item.get("received_at"),
            "source_url": item.get("source_url"),
            "suggestion": moderation.get("suggestion"),
            "categories": moderation.get("categories", []),
            "max_score": moderation.get("max_score"),
            "finding_count": moderation.get("finding_count", len(frames)),
            "thumbnails": strongest[:THUMBNAILS],
        }

    # --- one video ----------------------------------------------------------------------------

    def result(self, vendor: str, task_id: str) -> dict[str, Any]:
        expression, names = projection()
        found = self.records.get(
            keys.moderation_key(vendor, task_id), projection=expression, names=names
        )
        if found is None:
            raise not_found(vendor, task_id)
        return found

    def task(self, vendor: str, task_id: str) -> dict[str, Any]:
        """The current result with every frame, its earlier revisions' frames, its decisions and
        who holds it."""
        result = self.result(vendor, task_id)
        moderation = result.get("moderation") or {}
        revision = int(result.get("revision") or 1)
        decisions = [public_entry(e) for e in self.records.decisions(vendor, task_id)]
        claim = self.records.get(keys.claim_key(vendor, task_id))
        live = claim if claim and int(claim.get("until", 0)) >= self.clock() else None
        return {
            "vendor": vendor,
            "task_id": task_id,
            "video_id": result.get("video_id"),
            "kind": result.get("kind"),
            "status": result.get("status"),
            "message": result.get("message"),
            "source_url": result.get("source_url"),
            "received_at": result.get("received_at"),
            "event_time": result.get("event_time"),
            "revision": revision,
            "flagged": result.get("flagged") is True,
            "decided_by": result.get("decided_by", "machine"),
            "suggestion": moderation.get("suggestion"),
            "vendor_suggestion": _vendor_suggestion(moderation),
            "categories": moderation.get("categories", []),
            "max_score": moderation.get("max_score"),
            "thresholds": moderation.get("thresholds", {}),
            "finding_count": moderation.get("finding_count", 0),
            "frames": self.frames.of(moderation, result),
            "earlier_revisions": self.frames.earlier(vendor, task_id, revision),
            "decisions": decisions,
            "awaiting_decision": result.get("flagged") is True
            and not any(d["revision"] == revision for d in decisions),
            "claim": _public_claim(live),
        }

    # --- claims and decisions ------------------------------------------------------------------

    def claim(self, reviewer: Reviewer, vendor: str, task_id: str) -> dict[str, Any]:
        self.result(vendor, task_id)  # 404 for a task without a moderation result
        now = int(self.clock())
        claim = {
            **keys.claim_key(vendor, task_id),
            "user_id": reviewer.user_id,
            "email": reviewer.email,
            "claimed_at": utc_now(),
            "until": now + CLAIM_SECONDS,
            "expires_at": now + CLAIM_SECONDS + 86400,  # the table's TTL removes old claims
        }
        try:
            self.records.put_claim(claim, now)
        except ClaimedByOther as taken:
            held = _public_claim(taken.claim)
            who = held["email"] or held["user_id"] if held else "another reviewer"
            raise conflict(f"claimed by {who} until {_when(taken.claim)}", claim=held) from None
        return {"status": "claimed", "vendor": vendor, "task_id": task_id,
                "claim": _public_claim(claim)}  # fmt: skip

    def decide(
        self, reviewer: Reviewer, vendor: str, task_id: str, request: DecisionRequest
    ) -> dict[str, Any]:
        """The decision on the current revision, stored once; Problem 409 when that revision is
        no longer current, is not flagged, or has another decision."""
        result = self.result(vendor, task_id)
        current = int(result.get("revision") or 1)
        if request.revision != current:
            raise conflict(
                f"revision {request.revision} is no longer current: the result is at revision "
                f"{current}",
                current_revision=current,
            )
        if result.get("flagged") is not True:
            raise conflict(f"revision {current} is not flagged: nothing to decide",
                           current_revision=current)  # fmt: skip
        entry = reviewer_entry(
            result, decision=request.decision, user_id=reviewer.user_id, email=reviewer.email,
            decided_at=utc_now(), note=request.note,
        )  # fmt: skip
        try:
            self.records.put_decision(entry)
        except AlreadyDecided as decided:
            stored = public_entry(decided.entry)
            if stored["decision"] != request.decision:
                who = stored["reviewer_email"] or stored["reviewer_id"] or stored["decided_by"]
                raise conflict(
                    f"revision {current} was decided already: {stored['decision']} by {who} at "
                    f"{stored['decided_at']}",
                    decision=stored,
                ) from None
            return {"status": "duplicate", "decision": stored}
        return {"status": "decided", "decision": public_entry(entry)}


def _vendor_suggestion(moderation: dict[str, Any]) -> str | None:
    """What the vendor itself asked for, where it says: review when any finding carries its
    review flag."""
    findings = moderation.get("findings", [])
    if any(f.get("vendor_review") for f in findings):
        return "review"
    if any(f.get("vendor_review") is False for f in findings):
        return "pass"
    return None


def _public_claim(claim: dict[str, Any] | None) -> dict[str, Any] | None:
    if not claim:
        return None
    return {"user_id": claim.get("user_id"), "email": claim.get("email"),
            "claimed_at": claim.get("claimed_at"), "until": _when(claim)}  # fmt: skip


def _when(claim: dict[str, Any]) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(claim.get("until", 0))))
