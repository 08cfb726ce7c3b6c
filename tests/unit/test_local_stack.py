"""The local run's own parts that need no emulator: the port check, the console lines, the
stack's outputs as the local API serves them."""

from __future__ import annotations

import socket

import pytest

from local_stack.console import LogTail, log_line
from local_stack.emulator import free_port
from local_stack.stack import local_api, localised


def test_a_port_someone_listens_on_is_one_line_naming_the_variable() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as refused:
            free_port(port, "PORT")
    assert str(refused.value) == (
        f"port {port} (PORT) is in use on 127.0.0.1: stop what uses it, or run "
        "`PORT=<another port> make run` (0 picks a free one)"
    )


def test_port_zero_picks_a_free_port() -> None:
    assert free_port(0, "PORT") > 0


@pytest.mark.parametrize(
    ("prefix", "message", "line"),
    [
        ("", '{"level":"INFO","message":"stored umedia transcode task 1"}',
         "stored umedia transcode task 1"),
        ("ALERT ", '{"level":"INFO","message":"alert [block] porn 0.99 umedia task 1"}',
         "ALERT [block] porn 0.99 umedia task 1"),
        ("", "START RequestId: 1 Version: 1", None),
        ("", '{"_aws": {"CloudWatchMetrics": []}}', None),
        ("", '{"level":"DEBUG","message":"x"}', None),
        ("", "{not json", None),
    ],
)  # fmt: skip
def test_the_console_shows_the_functions_messages_only(
    prefix: str, message: str, line: str | None
) -> None:
    assert log_line(prefix, message) == line


def test_a_log_event_is_printed_once_even_without_an_event_id() -> None:
    """The emulator's log events carry no eventId; each poll starts at the newest millisecond."""
    events = [
        {"timestamp": 5, "logStreamName": "s", "message": '{"level":"INFO","message":"a"}'},
        {"timestamp": 5, "logStreamName": "s", "message": '{"level":"INFO","message":"b"}'},
    ]

    class Logs:
        def filter_log_events(self, **_: object) -> dict[str, object]:
            return {"events": events}

    printed: list[str] = []
    tail = LogTail(Logs(), {"group": ""}, printed.append)
    tail._follow("group", "")
    tail._follow("group", "")
    assert printed == ["a", "b"]


def test_the_outputs_urls_are_the_local_apis() -> None:
    outputs = {
        "CallbackBaseUrl": "https://abc123.execute-api.us-east-1.amazonaws.com/v1",
        "UMediaTranscodeCallbackUrl": (
            "https://abc123.execute-api.us-east-1.amazonaws.com/v1/callbacks/umedia/transcode"
        ),
        "ResultsTableName": "media-callbacks-local-ResultsTable-1",
    }
    api = local_api("http://127.0.0.1:4566", outputs)
    assert api == "http://127.0.0.1:4566/_aws/execute-api/abc123/v1"
    assert localised(outputs, api) == {
        "CallbackBaseUrl": api,
        "UMediaTranscodeCallbackUrl": f"{api}/callbacks/umedia/transcode",
        "ResultsTableName": "media-callbacks-local-ResultsTable-1",
    }
