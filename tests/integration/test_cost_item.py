"""`make cost` prices the item the callback function really stores (moto in-process)."""

from __future__ import annotations

from typing import Any

import cost
from harness import TABLE, Invoke
from helpers import callback_event, event_bytes


def test_the_item_priced_is_the_item_the_callback_function_stores(
    invoke: Invoke, aws: dict[str, Any]
) -> None:
    """Same attributes, same size but for the request id and time of the two requests."""
    from media_callbacks.items import item_size

    body = event_bytes("umedia/transcode")
    assert invoke(callback_event("/callbacks/umedia/transcode", body))[0] == 200
    key = {"pk": {"S": "TASK#umedia#1"}, "sk": {"S": "RESULT#transcode"}}
    item = aws["dynamodb"].get_item(TableName=TABLE, Key=key)["Item"]
    [example] = [e for e in cost.examples() if e.path == "umedia/transcode.json"]
    data, result = cost.parsed("umedia", cost.ROOT / "events" / example.path)
    priced = cost.stored_item(data, result, body)
    assert set(priced) == set(item)
    differs = {"request_id", "received_at", "payload_sha256", "payload"}
    assert {k: v for k, v in priced.items() if k not in differs} == {
        k: {t: (str(x) if t == "N" else x) for t, x in v.items()}
        for k, v in item.items()
        if k not in differs
    }
    assert abs(item_size(item) - example.size) <= len(item["request_id"]["S"])
