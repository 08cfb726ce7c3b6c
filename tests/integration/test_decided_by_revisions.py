"""Several results per job: a vendor's machine result and its human review, in either order,
are each a new revision of the task's moderation result, never `ignored`, and the stored item
says who decided (`decided_by`). Through the table's one gateway, on the template's table."""

from __future__ import annotations

from typing import Any

from harness import TABLE, scan
from media_callbacks.normalise import moderation
from media_callbacks.results import CallbackResult, RawFinding
from media_callbacks.storage import ResultsTable
from media_callbacks.thresholds import DEFAULT_THRESHOLDS

PORN = RawFinding("porn", "porn", 0.99, "https://frames.example/1.jpg")


def result(decided_by: str, findings: list[RawFinding]) -> CallbackResult:
    return CallbackResult(
        vendor="yidun",
        kind="moderation",
        task_id="t-1",
        status="succeeded",
        message=None,
        source_url=None,
        result={},
        moderation=moderation(findings, DEFAULT_THRESHOLDS),
        decided_by=decided_by,  # type: ignore[arg-type]
    )


def put(store: ResultsTable, item: CallbackResult, at: str, body: bytes) -> str:
    outcome = store.put_result(
        item, body=body, payload_sha256=body.hex(), received_at=at, request_id=at
    )
    return outcome.status


def only_item(aws: dict[str, Any]) -> dict[str, Any]:
    [item] = [i for i in scan(aws["dynamodb"]) if i["pk"].startswith("TASK#")]
    return item


def test_a_machine_result_is_decided_by_the_machine(aws: dict[str, Any]) -> None:
    store = ResultsTable(TABLE, client=aws["dynamodb"])
    assert put(store, result("machine", [PORN]), "2026-03-02T00:00:01Z", b"m") == "stored"
    item = only_item(aws)
    assert (item["decided_by"], item["flagged"], item["revision"]) == ("machine", True, 1)


def test_a_vendor_review_that_clears_a_flagged_result_is_a_new_revision(
    aws: dict[str, Any],
) -> None:
    store = ResultsTable(TABLE, client=aws["dynamodb"])
    put(store, result("machine", [PORN]), "2026-03-02T00:00:01Z", b"machine")
    assert put(store, result("vendor_review", []), "2026-03-02T00:10:00Z", b"review") == "stored"
    item = only_item(aws)
    assert (item["decided_by"], item["flagged"], item["revision"]) == ("vendor_review", False, 2)
    assert "flagged_key" not in item  # off the flagged index: no longer awaiting a decision
    assert store.task_results("yidun", "t-1")[0]["decided_by"] == "vendor_review"


def test_a_review_before_its_machine_result_then_the_machine_result_are_both_stored(
    aws: dict[str, Any],
) -> None:
    store = ResultsTable(TABLE, client=aws["dynamodb"])
    assert put(store, result("vendor_review", []), "2026-03-02T00:00:01Z", b"review") == "stored"
    assert put(store, result("machine", [PORN]), "2026-03-02T00:00:02Z", b"machine") == "stored"
    assert (only_item(aws)["decided_by"], only_item(aws)["revision"]) == ("machine", 2)


def test_a_result_that_waited_in_the_retry_queue_is_not_ignored_for_another_decider(
    aws: dict[str, Any],
) -> None:
    """The machine result received first but stored after the review (it waited in the retry
    queue): still a new revision, since the review did not decide instead of it."""
    store = ResultsTable(TABLE, client=aws["dynamodb"])
    put(store, result("vendor_review", []), "2026-03-02T00:10:00Z", b"review")
    assert put(store, result("machine", [PORN]), "2026-03-02T00:00:01Z", b"machine") == "stored"
    assert only_item(aws)["revision"] == 2


def test_an_older_result_of_the_same_decider_is_still_ignored(aws: dict[str, Any]) -> None:
    store = ResultsTable(TABLE, client=aws["dynamodb"])
    put(store, result("machine", [PORN]), "2026-03-02T00:10:00Z", b"new")
    assert put(store, result("machine", []), "2026-03-02T00:00:01Z", b"old") == "ignored"
    assert put(store, result("machine", [PORN]), "2026-03-02T00:20:00Z", b"new") == "duplicate"
