"""Where one cold CallbackFunction start goes, stage by stage: run by bench/run.py.

    python -S bench/split.py <event.json>

Prints one JSON line {stage: milliseconds}, in order. The stages import in the order the
handler would, so each figure is what that stage adds on top of the ones before.
"""

from __future__ import annotations

import time

START = time.monotonic()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

stages: list[tuple[str, float]] = []


def mark(name: str) -> None:
    stages.append((name, time.monotonic()))


import botocore.session  # noqa: E402, F401

mark("botocore import")
from aws_lambda_powertools.logging import Logger  # noqa: E402, F401

mark("Powertools Logger")
from aws_lambda_powertools.event_handler import APIGatewayRestResolver  # noqa: E402, F401

mark("Powertools event handler")
import pydantic  # noqa: E402, F401

mark("pydantic import")
from callback_handler import app  # noqa: E402

mark("our modules, models, settings")
with open(sys.argv[1], encoding="utf-8") as handle:
    event = json.load(handle)
_ = app.root.get().verifier.client
mark("Secrets Manager client")
app.root.get().verifier._keys_at("AWSCURRENT")
mark("GetSecretValue")
_ = app.root.get().store.client
mark("DynamoDB client")
from child import Context  # noqa: E402 (bench/child.py: the same stand-in Lambda context)

status = app.lambda_handler(event, Context())["statusCode"]
mark("first callback (parse, models, UpdateItem, log)")
report, previous = {}, START
for name, at in stages:
    report[name] = round((at - previous) * 1000, 1)
    previous = at
report["total after interpreter start"] = round((previous - START) * 1000, 1)
sys.stderr.write(json.dumps({"status": status, "stages": report}) + "\n")
sys.stderr.flush()
os._exit(0)
