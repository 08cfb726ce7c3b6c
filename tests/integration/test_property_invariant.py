"""The invariant as a property: any bytes a sender can produce, on every callback route, through
the real handler on moto. For an authenticated request of at most 256 KiB the answer is
  200 and the body is a stored result (GET /tasks shows it, payload byte for byte), or
  400 and the raw body is a rejected item (found by its rejection id, byte for byte),
and with the table down, 202 and the body waits in the retry queue, byte for byte.

`make test` runs a bounded, repeatable budget (FUZZ_EXAMPLES, default 150 per property);
`make fuzz` runs a larger random one and prints how many bodies it tried.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote, quote_from_bytes

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import TABLE, Invoke, function, refuse
from helpers import EVENTS, callback_event
from inprocess.apigw import proxy_event
from inprocess.queue import QueueMapping
from inprocess.template import queue_mapping
from media_callbacks.items import stored_bytes
from media_callbacks.storage import readable
from media_callbacks.vendors import VENDORS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
RANDOM = os.environ.get("FUZZ_RANDOM", "") == "1"  # make fuzz: a new random run each time
MAX_BODY = 256 * 1024
ROUTES = (
    *(f"/callbacks/{v.id}" for v in VENDORS.values() if v.bare_route),
    *(f"/callbacks/{v.id}/{kind}" for v in VENDORS.values() for kind in v.route_kinds),
    "/callbacks/umedia/%E2%9C%93",  # an unknown kind
)


def _route(path: Path) -> str:
    """The route a vendor would post this fixture to (its folder is the vendor id)."""
    vendor, kind = VENDORS[path.parent.name], path.stem.split("-")[0]
    if kind in vendor.route_kinds:
        return f"/callbacks/{vendor.id}/{kind}"
    return f"/callbacks/{vendor.id}"


FIXTURES = [
    (_route(p), json.loads(p.read_bytes()))
    for p in sorted(EVENTS.glob("*/*.json"))
    if p.parent.name in VENDORS
]

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- JSON text, hostile where JSON and its readers disagree --------------------------------------

SURROGATES = st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "\ud83d", "\ud83d\ude00"])
TEXT = st.one_of(
    st.text(max_size=30),
    st.lists(st.one_of(st.text(max_size=5), SURROGATES), max_size=5).map("".join),
    st.sampled_from(["", " ", "  http:// a.b/c .mp4 ", "SUCCESS", "FAIL", "0", "1", "normal"]),
)
ODD_NUMBERS = st.sampled_from(
    ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400", "-0", "0e0", "1E+125",
     "9" * 39, "7" * 5000, "1." + "0" * 400, "123456789012345678901234567890.123456789"]
)  # fmt: skip
LEAVES = st.one_of(
    st.sampled_from(["null", "true", "false"]),
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    ODD_NUMBERS,
    TEXT.map(json.dumps),  # ensure_ascii: lone surrogates become \\udxxx escapes
    TEXT.map(lambda s: json.dumps(s, ensure_ascii=False).encode("utf-8", "replace").decode()),
)


def _array(items: list[str]) -> str:
    return "[" + ",".join(items) + "]"


def _object(pairs: list[tuple[str, str]]) -> str:
    return "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in pairs) + "}"


JSON_TEXT = st.recursive(
    LEAVES,
    lambda kids: st.one_of(
        st.lists(kids, max_size=6).map(_array),
        st.lists(st.tuples(st.one_of(st.just(""), TEXT), kids), max_size=6).map(_object),
    ),
    max_leaves=30,
)
DEEP = st.tuples(st.integers(1, 5000), st.sampled_from(["[]", "{}"])).map(
    lambda t: '{"a":' * t[0] + "1" + "}" * t[0] if t[1] == "{}" else "[" * t[0] + "]" * t[0]
)

PLACEHOLDER = "\u0000fuzz-placeholder\u0000"


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def vendor_shaped(draw: st.DrawFn) -> tuple[str, bytes]:
    """A vendor fixture on its own route, with one value anywhere in it replaced by hostile
    JSON text, or a hostile extra field added (which a lenient reader should store)."""
    route, fixture = draw(st.sampled_from(FIXTURES))
    fixture = json.loads(json.dumps(fixture))
    if draw(st.booleans()):
        target = fixture
        path: tuple[Any, ...] = (draw(TEXT),)
    else:
        path = draw(st.sampled_from(_paths(fixture)))
        target = fixture
        for step in path[:-1]:
            target = target[step]
    target[path[-1]] = PLACEHOLDER
    fragment = draw(st.one_of(JSON_TEXT, DEEP))
    text = json.dumps(fixture).replace(json.dumps(PLACEHOLDER), fragment)
    prefix = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b" \n"]))
    body = prefix + text.encode("utf-8", "surrogatepass")
    return route, VENDORS[route.split("/")[2]].body_of(body)  # a form sender: in its field


FORM_ROUTES = [f"/callbacks/{v.id}" for v in VENDORS.values() if v.form_field]
FORM_VALUES = st.one_of(
    st.binary(max_size=40).map(lambda b: quote_from_bytes(b, safe="")),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),  # raw, unescaped
    JSON_TEXT.map(lambda t: quote(t.encode("utf-8", "surrogatepass"), safe="")),
    st.sampled_from(["", "=", "%", "%zz", "%ED%A0%80", "+", "&&"]),
)


@st.composite
def hostile_form(draw: st.DrawFn) -> tuple[str, bytes]:
    """A form body as a sloppy or hostile sender writes it: any fields (the JSON one among them
    or not, twice or not), values escaped or raw, any bytes once decoded."""
    route = draw(st.sampled_from(FORM_ROUTES))
    names = [VENDORS[route.split("/")[2]].form_field or "", "checksum", "signature", "secretId"]
    name = st.one_of(st.sampled_from(names), FORM_VALUES)
    pairs = draw(st.lists(st.tuples(name, FORM_VALUES), max_size=5))
    text = "&".join(f"{k}={v}" for k, v in pairs)
    return route, text.encode("utf-8", "surrogatepass")


def _padded(n: int) -> bytes:
    return b'{"retcode":0,"task_id":"big","message":"' + b"x" * n + b'"}'


ANY_ROUTE = st.sampled_from(ROUTES)
REQUESTS = st.one_of(
    vendor_shaped(),
    hostile_form(),
    st.tuples(ANY_ROUTE, st.binary(max_size=3000)),
    st.tuples(ANY_ROUTE, JSON_TEXT.map(str.encode)),
    st.tuples(ANY_ROUTE, DEEP.map(str.encode)),
    st.tuples(st.just("/callbacks/umedia/transcode"), st.integers(1, 260 * 1024).map(_padded)),
)


# --- what a vendor and an operator can see ------------------------------------------------


def rejected_body(aws: dict[str, Any], rejection_id: str) -> bytes:
    from media_callbacks.items import from_dynamodb

    key = {"pk": {"S": f"REJECTED#{rejection_id[:10]}"}, "sk": {"S": rejection_id}}
    item = aws["dynamodb"].get_item(TableName=TABLE, Key=key).get("Item")
    assert item is not None, f"no rejected item {rejection_id}"
    plain = from_dynamodb(item)
    return stored_bytes(plain["body"], plain.get("body_encoding"))


def check_kept(invoke: Invoke, aws: dict[str, Any], route: str, body: bytes) -> str:
    status, answer = invoke(callback_event(route, body))
    if len(body) > MAX_BODY:
        assert (status, answer) == (413, {"status": "too_large"})
        return "413"
    assert status in (200, 400), (status, answer)
    if status == 400:
        assert answer["status"] == "rejected"
        assert answer["error"]
        assert rejected_body(aws, answer["rejection_id"]) == body
        return "400"
    assert answer["status"] in ("stored", "duplicate", "ignored"), answer
    path = f"/tasks/{answer['vendor']}/{quote(answer['task_id'], safe='')}"
    found, listing = invoke(proxy_event("GET", path))
    assert found == 200, listing
    kinds = {r["kind"]: r for r in listing["results"]}
    assert answer["kind"] in kinds, (answer, list(kinds))
    if answer["status"] == "stored":
        assert kinds[answer["kind"]]["payload"].encode() == body
    return f"200 {answer['status']}"


def test_any_body_on_any_route_is_stored_or_rejected_with_its_bytes(
    invoke: Invoke, aws: dict[str, Any]
) -> None:
    tried: Counter[str] = Counter()

    @FUZZ
    @given(request=REQUESTS)
    def run(request: tuple[str, bytes]) -> None:
        tried[check_kept(invoke, aws, *request)] += 1
        progress(tried)

    run()
    report("stored or rejected", tried)


def test_with_the_table_down_any_body_is_queued_then_kept_when_it_is_back(
    invoke: Invoke, aws: dict[str, Any], app_module: ModuleType
) -> None:
    """202 with the body byte for byte in the retry queue; once the table answers, the retry
    function takes it (stored, duplicate, ignored or rejected), and nothing is left to fail."""
    from media_callbacks.retry import decode

    retries = retry_mapping(aws)
    queued: Counter[str] = Counter()

    @FUZZ
    @given(request=REQUESTS.filter(lambda r: len(r[1]) <= MAX_BODY))
    def run(request: tuple[str, bytes]) -> None:
        route, body = request
        _, undo = refuse(
            "dynamodb",
            ("UpdateItem", "PutItem"),
            "InternalServerError",
            app_module.root.get().store.client,
        )
        try:
            event = callback_event(route, body)
            status, answer = invoke(event)
        finally:
            undo()
        assert (status, answer["status"]) == (202, "queued"), answer
        [message] = peek(aws, "retry_queue")
        assert decode(message["Body"]).body == body
        assert retries.run_once() == 1
        assert peek(aws, "retry_queue") == []
        assert peek(aws, "retry_dlq") == []
        kept = with_request_id(aws, answer["request_id"])
        for item in kept:  # stored or rejected by the retry: the bytes as sent
            if item["pk"].startswith("REJECTED#"):
                assert stored_bytes(item["body"], item.get("body_encoding")) == body
            else:
                assert readable(item)["payload"].encode() == body
        queued["202 queued, then taken"] += 1
        progress(queued)

    run()
    report("queued while the table is down", queued)


def retry_mapping(aws: dict[str, Any]) -> QueueMapping:
    """IngestRetryFunction behind its SQS event source mapping."""
    return QueueMapping(
        sqs_client=aws["sqs"],
        queue_url=aws["retry_queue"],
        handler=function("IngestRetryFunction").lambda_handler,
        mapping=queue_mapping(),
    )


def with_request_id(aws: dict[str, Any], request_id: str) -> list[dict[str, Any]]:
    from media_callbacks.items import from_dynamodb

    page = aws["dynamodb"].scan(
        TableName=TABLE,
        FilterExpression="request_id = :r",
        ExpressionAttributeValues={":r": {"S": request_id}},
    )
    return [from_dynamodb(item) for item in page["Items"]]


def peek(aws: dict[str, Any], queue: str) -> list[dict[str, Any]]:
    response = aws["sqs"].receive_message(
        QueueUrl=aws[queue], MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return list(response.get("Messages", []))


def progress(outcomes: Counter[str]) -> None:
    total = sum(outcomes.values())
    if total % 500 == 0:
        print(f"fuzz: {total} bodies so far", flush=True)


def report(what: str, outcomes: Counter[str]) -> None:
    """One line for `make fuzz` (shown with -s): how many bodies, by answer; 0 violations, since
    hypothesis stops at the first one."""
    total = sum(outcomes.values())
    detail = ", ".join(f"{n} {name}" for name, n in sorted(outcomes.items()))
    print(f"\nfuzz ({what}): {total} bodies tried ({detail}); 0 violations")
    assert total > 0
