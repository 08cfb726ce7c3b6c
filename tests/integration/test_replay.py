"""Replaying rejected callbacks after a fix: dry run, --apply, marks, skips."""

from __future__ import annotations

import io
from typing import Any

import pytest

from harness import TABLE, scan
from helpers import callback_event, event_bytes
from inprocess.apigw import FakeLambdaContext
from replay import main


def reject_as_an_older_version_did(aws: dict[str, Any], body: bytes, route: str, day: str) -> str:
    """A rejected item as stored by a receiver whose parser had a bug."""
    sk = f"{day}T10:00:00.000000Z#req-{len(body)}"
    aws["dynamodb"].put_item(
        TableName=TABLE,
        Item={
            "pk": {"S": f"REJECTED#{day}"},
            "sk": {"S": sk},
            "route": {"S": route},
            "error": {"S": "old parser: width: unexpected string"},
            "body": {"S": body.decode()},
            "body_encoding": {"S": "utf-8"},
            "received_at": {"S": f"{day}T10:00:00.000000Z"},
            "request_id": {"S": f"req-{len(body)}"},
        },
    )
    return sk


def run(*args: str) -> str:
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        assert (
            main(["--table", TABLE, "--since", "2026-11-01", "--until", "2026-11-03", *args]) == 0
        )
    return out.getvalue()


def test_replay_stores_what_parses_now_and_reports_the_rest(
    aws: dict[str, Any], app_module: Any
) -> None:
    fixed = reject_as_an_older_version_did(
        aws,
        event_bytes("umedia/transcode-sloppy"),
        "POST /callbacks/umedia/transcode",
        "2026-11-02",
    )
    broken = reject_as_an_older_version_did(
        aws, b'{"retcode": 0}', "POST /callbacks/umedia/transcode", "2026-11-03"
    )
    report = run()
    assert (
        f"{fixed} POST /callbacks/umedia/transcode: would store: umedia transcode task 1" in report
    )
    assert f"{broken} POST /callbacks/umedia/transcode: rejected: task_id: Field required" in report
    assert "2 rejected bodies: 1 would store, 1 rejected" in report
    assert not [i for i in scan(aws["dynamodb"]) if i["pk"].startswith("TASK#")]  # a dry run

    report = run("--apply")
    assert "1 stored, 1 rejected" in report
    items = {i["sk"]: i for i in scan(aws["dynamodb"])}
    result = items["RESULT#transcode"]
    assert (result["task_id"], result["revision"]) == ("1", 1)
    assert result["received_at"] == "2026-11-02T10:00:00.000000Z"  # when the vendor sent it
    assert items[fixed]["replay_outcome"] == "stored"
    assert items[broken]["replay_outcome"] == "rejected"
    assert items[broken]["replay_error"] == "task_id: Field required"
    assert len([i for i in items.values() if i["pk"].startswith("REJECTED#")]) == 2  # no new ones

    report = run("--apply")
    assert "1 skipped (already replayed), 1 rejected" in report


def test_replaying_a_body_the_live_api_rejected_changes_nothing(
    aws: dict[str, Any], app_module: Any
) -> None:
    event = callback_event("/callbacks/umedia", event_bytes("umedia/transcode-failed"))
    app_module.lambda_handler(event, FakeLambdaContext())
    [item] = scan(aws["dynamodb"])
    day = item["pk"].removeprefix("REJECTED#")
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        main(["--table", TABLE, "--since", day, "--until", day, "--apply"])
    assert "/callbacks/umedia/{kind}" in out.getvalue()
    assert "1 rejected bodies: 1 rejected" in out.getvalue()


def test_a_body_that_was_not_the_base64_it_claimed_stays_rejected_when_replayed(
    aws: dict[str, Any], app_module: Any
) -> None:
    """The same bytes, the same outcome: live, queued or replayed (the text as received would
    parse as JSON, but it is not the body API Gateway said it was)."""
    event = callback_event("/callbacks/umedia/transcode", b"")
    event |= {"body": '{"retcode": 0, "task_id": "b64", "width": 1}', "isBase64Encoded": True}
    app_module.lambda_handler(event, FakeLambdaContext())
    [item] = scan(aws["dynamodb"])
    assert "not valid base64" in item["error"]
    day = item["pk"].removeprefix("REJECTED#")
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        main(["--table", TABLE, "--since", day, "--until", day, "--apply"])
    assert "1 rejected bodies: 1 rejected" in out.getvalue()
    assert not [i for i in scan(aws["dynamodb"]) if i["pk"].startswith("TASK#")]


def test_a_compressed_rejected_body_replays_from_its_exact_bytes(
    aws: dict[str, Any], app_module: Any
) -> None:
    """A body kept gzip-compressed (its text form would not fit the item) is replayed whole."""
    import gzip

    body = event_bytes("umedia/transcode")
    day = "2026-11-02"
    aws["dynamodb"].put_item(
        TableName=TABLE,
        Item={
            "pk": {"S": f"REJECTED#{day}"},
            "sk": {"S": f"{day}T10:00:00.000000Z#req-gz"},
            "route": {"S": "POST /callbacks/umedia/transcode"},
            "error": {"S": "old parser bug"},
            "body": {"B": gzip.compress(body)},
            "body_encoding": {"S": "gzip"},
            "received_at": {"S": f"{day}T10:00:00.000000Z"},
            "request_id": {"S": "req-gz"},
        },
    )
    assert "would store: umedia transcode task 1" in run()
    assert "stored: umedia transcode task 1" in run("--apply")
    from media_callbacks.storage import readable

    [result] = [i for i in scan(aws["dynamodb"]) if i["pk"] == "TASK#umedia#1"]
    assert readable(result)["payload"] == body.decode()


def test_replay_judges_with_the_thresholds_the_settings_validate(
    aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """MODERATION_THRESHOLDS reaches a replay through media_callbacks.settings, as it reaches the
    functions: porn turned off, a porn frame at 0.99 is stored unflagged."""
    reject_as_an_older_version_did(
        aws, event_bytes("umedia/moderation"), "POST /callbacks/umedia/moderation", "2026-11-02"
    )
    monkeypatch.setenv("MODERATION_THRESHOLDS", '{"porn": {"review": null, "block": null}}')
    assert "1 rejected bodies: 1 stored" in run("--apply")
    [result] = [i for i in scan(aws["dynamodb"]) if i["sk"] == "RESULT#moderation"]
    assert result["flagged"] is False


def test_replay_refuses_malformed_thresholds_as_a_cold_start_does(
    aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MODERATION_THRESHOLDS", '{"porn": {"block": 2}}')
    with pytest.raises(SystemExit) as exited:
        main(["--table", TABLE])
    assert exited.value.code == 2
    assert "MODERATION_THRESHOLDS is malformed: porn.block" in capsys.readouterr().err
