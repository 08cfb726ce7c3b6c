"""The local stack redeployed and broken, on a stack of this module's own: a change to the layer
alone reaches the functions after `sam deploy` (the alias `live` gets a new version), and a
callback that arrived while the table was gone is stored once it is back (the retry queue)."""

from __future__ import annotations

import json
import shutil
import time
import uuid
from pathlib import Path

import pytest

from helpers import event_json
from inprocess.template import table_definition
from local_stack import deploy

from .conftest import ROOT, LocalRun

pytestmark = pytest.mark.e2e

EMPTY_BODY_ERROR = "body: empty; expected a JSON object"
MARK = " (layer redeployed)"


def changed_layer_copy(target: Path) -> Path:
    """The project's template, layer and functions under `target`, the layer's message for an
    empty body changed: a layer-only change."""
    shutil.copy(ROOT / "template.yaml", target / "template.yaml")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "layers", target / "layers", ignore=ignore)
    shutil.copytree(ROOT / "functions", target / "functions", ignore=ignore)
    body = target / "layers" / "common" / "media_callbacks" / "body.py"
    text = body.read_text(encoding="utf-8")
    assert EMPTY_BODY_ERROR in text
    body.write_text(text.replace(EMPTY_BODY_ERROR, EMPTY_BODY_ERROR + MARK), encoding="utf-8")
    return target


def test_a_layer_only_change_is_served_after_a_redeploy(
    own_local_run: LocalRun, tmp_path: Path
) -> None:
    status, answer = own_local_run.post("/callbacks/umedia/transcode", b"")
    assert (status, answer["error"]) == (400, EMPTY_BODY_ERROR)
    root = changed_layer_copy(tmp_path)
    template = deploy.build(print, root=root, work=root / ".aws-sam" / "local")
    deploy.deploy(template, own_local_run.emulator, PublicBaseUrls=own_local_run.api)
    status, answer = own_local_run.post("/callbacks/umedia/transcode", b"")
    assert (status, answer["error"]) == (400, EMPTY_BODY_ERROR + MARK)


def test_a_callback_queued_while_the_table_is_gone_is_stored_once_it_is_back(
    own_local_run: LocalRun,
) -> None:
    dynamodb, table = own_local_run.client("dynamodb"), own_local_run.table
    dynamodb.delete_table(TableName=table)
    payload = event_json("umedia/transcode")
    payload["task_id"] = f"queued-{uuid.uuid4().hex[:8]}"
    status, answer = own_local_run.post("/callbacks/umedia/transcode", json.dumps(payload).encode())
    assert (status, answer["status"]) == (202, "queued")
    dynamodb.create_table(**table_definition(table))
    key = {"pk": {"S": f"TASK#umedia#{payload['task_id']}"}, "sk": {"S": "RESULT#transcode"}}
    deadline, item = time.monotonic() + 120, None  # the consumer's backoff starts at 30 s
    while item is None and time.monotonic() < deadline:
        item = dynamodb.get_item(TableName=table, Key=key).get("Item")
        time.sleep(1)
    assert item is not None, "the queued callback was not stored once the table was back"
    assert item["status"] == {"S": "succeeded"}
