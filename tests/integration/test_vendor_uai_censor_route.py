"""UAI-Censor's route through CallbackFunction: the answer carries UCloud's RetCode."""

from __future__ import annotations

from typing import Any

from harness import Invoke
from helpers import callback_event, event_bytes


def test_the_answer_carries_ucloud_retcode(invoke: Invoke, aws: Any) -> None:
    body = event_bytes("uai-censor/moderation")
    status, answer = invoke(callback_event("/callbacks/uai-censor", body))
    assert status == 200
    assert answer == {
        "status": "stored",
        "vendor": "uai-censor",
        "kind": "moderation",
        "task_id": "censor-vid-20260302-0001",
        "flagged": True,
        "RetCode": 0,
        "Message": "stored",
    }
    status, answer = invoke(callback_event("/callbacks/uai-censor", body))
    assert (status, answer["status"], answer["RetCode"]) == (200, "duplicate", 0)
    status, answer = invoke(callback_event("/callbacks/uai-censor", b"{bad"))
    assert status == 400
    assert "RetCode" not in answer  # only 2xx answers carry it, as the contract says
    status, _ = invoke(callback_event("/callbacks/uai-censor/moderation", body))
    assert status == 400  # UAI-Censor has no kind route
