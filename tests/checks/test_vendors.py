"""The vendor registry: routes the template, the local run and the handler agree on, and adapters
loaded only for the vendor a cold start serves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from helpers import ROOT
from import_roots import pythonpath
from inprocess.apigw import resources
from inprocess.template import load_template
from media_callbacks.signing import (
    ALIYUN_GREEN_CHECKSUM,
    BAIDU_VOD,
    HUAWEI_MODERATION,
    HUAWEI_VOD,
    QINIU_OR_QBOX,
    TOKEN,
    XVOD_BODY,
    XVOD_URL,
    YIDUN_SIGNATURE,
)
from media_callbacks.vendors import VENDORS

TEMPLATE = load_template()


def callback_events() -> set[str]:
    events = TEMPLATE["Resources"]["CallbackFunction"]["Properties"]["Events"]
    return {
        e["Properties"]["Path"]
        for e in events.values()
        if e["Type"] == "Api" and e["Properties"]["Path"].startswith("/callbacks/")
    }


def test_the_template_serves_exactly_the_registered_routes() -> None:
    registered = {path for v in VENDORS.values() for path in v.paths}
    assert callback_events() == registered
    local = {"/" + "/".join(r) for r in resources() if r[0] == "callbacks"}
    assert local == registered


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_every_vendor_has_fixtures_and_a_docs_section(vendor: str) -> None:
    assert list((ROOT / "events" / vendor).glob("*.json")), f"no fixtures in events/{vendor}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in VENDORS[vendor].paths:
        assert path.replace("{kind}", "") in readme


def imported_adapters(code: str) -> list[str]:
    """Which vendor adapters a fresh interpreter has imported after running `code`."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join((pythonpath(), str(ROOT / "tests"))),
        "TABLE_NAME": "media-callbacks",
        "CALLBACK_TOKEN": "t",
        "CALLBACK_TOKEN_SECRET": "",
    }
    probe = (
        code + "\nimport sys, json\n"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if m.startswith('media_callbacks.vendors.') and m != 'media_callbacks.vendors.base')))"
    )
    done = subprocess.run(  # noqa: S603 (this interpreter, our own probe)
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    found: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_a_cold_start_loads_no_adapter_and_a_callback_only_its_own() -> None:
    assert imported_adapters("import callback_handler.app") == []
    serve: Any = (
        "import callback_handler.app\n"
        "from media_callbacks.normalise import normalise\n"
        "from media_callbacks.thresholds import DEFAULT_THRESHOLDS\n"
        "from helpers import event_json\n"
        "normalise('umedia', 'transcode', event_json('umedia/transcode'), DEFAULT_THRESHOLDS)"
    )
    assert imported_adapters(serve) == ["media_callbacks.vendors.umedia"]


def test_knowing_the_vendors_imports_no_adapter() -> None:
    """Given the registry, when its ids are listed and looked up, then no adapter is loaded."""
    probe = "from media_callbacks.vendors import VENDORS\nassert 'qiniu' in VENDORS, list(VENDORS)"
    assert imported_adapters(probe) == []


def test_every_adapter_declares_its_id_and_its_scheme() -> None:
    """Each adapter module's ADAPTER is the vendor it is registered as, with its scheme."""
    assert [VENDORS[vendor_id].id for vendor_id in VENDORS] == list(VENDORS)
    schemes = {vendor_id: VENDORS[vendor_id].auth for vendor_id in VENDORS}
    signed = {
        "alibaba": XVOD_URL,
        "volcengine": XVOD_BODY,
        "qiniu": QINIU_OR_QBOX,
        "aliyun-green": ALIYUN_GREEN_CHECKSUM,
        "yidun": YIDUN_SIGNATURE,
        "huawei-vod": HUAWEI_VOD,
        "huawei-moderation": HUAWEI_MODERATION,
        "baidu": BAIDU_VOD,
    }
    assert schemes == {vendor_id: signed.get(vendor_id, TOKEN) for vendor_id in VENDORS}


@pytest.mark.parametrize(
    "module", ["callback_handler.app", "alert_handler.app", "retry_handler.app"]
)
def test_a_cold_start_freezes_what_it_built_and_leaves_the_collector_on(module: str) -> None:
    """Each app.py turns the cyclic collector off while it imports, then freezes the cold
    start's objects and turns it back on (docs/PERFORMANCE.md)."""
    env = {
        **os.environ,
        "PYTHONPATH": pythonpath(),
        "TABLE_NAME": "media-callbacks", "CALLBACK_TOKEN": "t", "CALLBACK_TOKEN_SECRET": "",
        "ALERT_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:t",
        "INGEST_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
        "AWS_DEFAULT_REGION": "us-east-1",
    }  # fmt: skip
    probe = f"import gc, {module}\nprint(gc.isenabled(), gc.get_freeze_count())"
    done = subprocess.run(  # noqa: S603 (this interpreter, our own probe)
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    enabled, frozen = done.stdout.split()
    assert enabled == "True"
    assert int(frozen) > 10_000  # the libraries' and our modules' objects
