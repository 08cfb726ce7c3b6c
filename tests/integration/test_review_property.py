"""The review desk reads outside input too (a decision's body, the queue's query): whatever a
client sends, the answer is a 2xx or a 4xx with a JSON error, never a 5xx, and only a valid
decision on the current revision writes an audit entry (hypothesis, a repeatable budget)."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import TABLE, scan
from integration.review_setup import Desk

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)  # fmt: skip
DECISION_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "decision": st.sampled_from(["confirm", "clear", "CONFIRM", ""]) | VALUES,
        "revision": st.sampled_from([1, 2, 0, -1, "1", 1.0, True]) | VALUES,
        "note": st.text(max_size=30) | VALUES,
        "extra": VALUES,
    },
).map(lambda d: json.dumps(d).encode())
BODIES = st.binary(max_size=300) | DECISION_LIKE


def entries(desk: Desk) -> list[dict[str, Any]]:
    return [i for i in scan(desk.aws["dynamodb"]) if i["pk"].startswith("DECISION#")]


@pytest.fixture
def desk(aws: dict[str, Any]) -> Desk:
    """One flagged result; hypothesis runs every example of a test on this one stack."""
    setup = Desk(aws)
    setup.flag("1")
    return setup


@FUZZ
@given(body=BODIES)
def test_any_decision_body_is_answered_and_only_a_valid_one_is_stored(
    desk: Desk, body: bytes
) -> None:
    for entry in entries(desk):  # each example starts undecided
        key = {"pk": {"S": entry["pk"]}, "sk": {"S": entry["sk"]}}
        desk.aws["dynamodb"].delete_item(TableName=TABLE, Key=key)
    status, answer, _ = desk.call("POST", "/review/tasks/umedia/1/decision", body=body)
    assert status in (200, 400, 409), (status, answer)
    stored = entries(desk)
    if status == 200:
        assert answer["status"] == "decided"
        assert [e["decision"] for e in stored] == [json.loads(body)["decision"]]
    else:
        assert answer["status"] in ("rejected", "conflict")
        assert answer["error"]
        assert stored == []


QUERIES = st.dictionaries(
    st.sampled_from(["suggestion", "vendor", "category", "since", "until", "cursor", "limit", "x"]),
    st.text(max_size=40),
    max_size=4,
)


@FUZZ
@given(query=QUERIES)
def test_any_queue_query_is_answered_200_or_400(desk: Desk, query: dict[str, str]) -> None:
    status, answer, _ = desk.call("GET", "/review/queue", query=urlencode(query))
    assert status in (200, 400), (status, answer)
    if status == 400:
        assert answer["status"] == "rejected"
        assert answer["error"]
    else:
        assert isinstance(answer["items"], list)
