"""What callbacks cost, from public list prices, template.yaml and our own code.

    make cost        (prints the tables docs/DEPLOY.md shows; a test holds the two equal)

Prices: AWS's public on-demand list prices for us-east-1 as of 2026-11, without free tiers or
savings plans; other regions differ by up to about 30%. Everything else is read or measured:
- from template.yaml: the memory size, each function's tracing mode, the table's indexes and
  their projections, the log groups' class, the API's access log format, the alarms;
- from our code: the item (and index entries) each vendor's example callback under events/
  becomes, written as the callback function writes it; the log line and metric line of a
  callback; the custom metrics the functions can write (observability.METRICS);
- from the bench (bench/figures.json, kept by `BENCH_KEEP_FIGURES=1 make bench` from the REPORT
  lines of the deployed local stack): the billed duration of a warm and of a cold callback.
TRAFFIC names the only assumptions, what the traffic is like: change them and run it again.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import statistics
import sys
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "bench" / "figures.json"

PRICES: dict[str, float] = {  # USD, us-east-1
    "api_rest_per_million": 3.50,  # API Gateway REST API, first 333 million a month
    "lambda_requests_per_million": 0.20,
    "lambda_arm64_gb_second": 0.0000133334,
    "dynamodb_write_unit_per_million": 0.625,  # on-demand
    "dynamodb_gb_month": 0.25,  # standard table class storage
    "pitr_gb_month": 0.20,  # point-in-time recovery
    "sns_publish_per_million": 0.50,
    "s3_put_per_thousand": 0.005,
    "xray_traces_per_million": 5.00,  # recorded
    "secret_month": 0.40,
    "secrets_calls_per_10k": 0.05,
    "kms_key_month": 1.00,
    "alarm_month": 0.10,  # standard resolution
    "dashboard_month": 3.00,
    "metric_month": 0.30,  # custom metric, first 10,000
}

LOGS_INGEST_PER_GB = {"STANDARD": 0.50, "INFREQUENT_ACCESS": 0.25}  # by log group class

TRAFFIC: dict[str, float] = {
    "flagged_share": 0.01,  # callbacks whose result is flagged (an alert and evidence each)
    "cold_share": 0.01,  # callbacks that start a new container (bursty senders: more)
}
MONTHS = (1e6, 10e6, 100e6)  # callbacks in a month, for the monthly table

SECONDS_A_MONTH = 30 * 86400
# Lambda's own sampling for active tracing (not configurable): 1 request a second, then 5%
LAMBDA_RESERVOIR_PER_SECOND, LAMBDA_SAMPLED_SHARE = 1.0, 0.05
# DynamoDB: every write is billed per started KB; storage counts 100 bytes more per item and
# per index entry
WRITE_UNIT_BYTES, STORAGE_OVERHEAD_BYTES = 1024, 100
RECEIVED_AT = "2026-11-23T00:00:00.000000Z"
REQUEST_ID = "c0ffee00-0000-4000-8000-000000000000"  # as long as API Gateway's
# Lambda's text log lines around each invocation (START, END, REPORT), as Lambda writes them
PLATFORM_LINES = (
    f"START RequestId: {REQUEST_ID} Version: 12",
    f"END RequestId: {REQUEST_ID}",
    f"REPORT RequestId: {REQUEST_ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\t"
    "Memory Size: 512 MB\tMax Memory Used: 98 MB\t",
)
# what API Gateway puts in the access log's $context variables for a callback
ACCESS_LOG_VALUES = {
    "requestId": REQUEST_ID,
    "identity.sourceIp": "106.75.220.14",
    "requestTime": "23/Nov/2026:00:00:00 +0000",
    "httpMethod": "POST",
    "resourcePath": "/callbacks/umedia/{kind}",
    "status": "200",
    "responseLength": "92",
    "responseLatency": "31",
    "integration.error": "",
}


def template() -> dict[str, Any]:
    from template_yaml import load_template

    loaded: dict[str, Any] = load_template()
    return loaded


def resources() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = template()["Resources"]
    return found


def default(value: Any) -> Any:
    """A template value at the default parameters: `!If [Condition, a, b]` of a parameter
    compared with `!Equals`, resolved."""
    if not (isinstance(value, dict) and "Fn::If" in value):
        return value
    condition, when_true, when_false = value["Fn::If"]
    ref, wanted = template()["Conditions"][condition]["Fn::Equals"]
    parameter = template()["Parameters"][ref["Ref"]]
    return when_true if str(parameter.get("Default")) == wanted else when_false


# --- the items our code writes --------------------------------------------------------------


class Example(NamedTuple):
    vendor: str
    path: str  # under events/
    flagged: bool
    size: int  # bytes of the item, as DynamoDB counts them
    units: tuple[int, ...]  # write units: the table, then each index the item enters
    index_bytes: int  # bytes of its index entries


def parsed(vendor: str, path: Path) -> Any:
    """The normalised result of one example callback, as the callback function parses it on
    its vendor's route (the kind from the file name when the vendor's routes carry one), or
    None when it is rejected."""
    from media_callbacks.delivery import Delivery
    from media_callbacks.errors import RejectedPayload
    from media_callbacks.ingest import Ingestor
    from media_callbacks.storage import ResultsTable
    from media_callbacks.thresholds import DEFAULT_THRESHOLDS
    from media_callbacks.vendors import VENDORS

    adapter = VENDORS[vendor]
    kinds = [None, *(k for k in adapter.route_kinds if path.stem.startswith(k))]
    ingestor = Ingestor(ResultsTable("cost"), DEFAULT_THRESHOLDS)
    for kind in kinds:
        delivery = Delivery("POST", vendor, kind, sent_body(vendor, path), RECEIVED_AT, REQUEST_ID)
        with contextlib.suppress(RejectedPayload):
            return ingestor.parse(delivery, adapter)
    return None


def sent_body(vendor: str, path: Path) -> bytes:
    """What the vendor posts for an example: the file's bytes, or, for a sender that posts a
    form, a form with the file's JSON in its field, written compactly as senders do."""
    from media_callbacks.vendors import VENDORS

    adapter = VENDORS[vendor]
    if not adapter.form_field:
        return path.read_bytes()
    compact = json.dumps(json.loads(path.read_bytes()), separators=(",", ":"), ensure_ascii=False)
    body: bytes = adapter.body_of(compact.encode())
    return body


def stored_item(data: Any, result: Any, body: bytes) -> dict[str, Any]:
    """The item the callback's write leaves in the table (first revision)."""
    from media_callbacks.body import canonical_sha256
    from media_callbacks.items import to_dynamodb
    from media_callbacks.storage import fit_item, result_item, result_key

    values = result_item(result, RECEIVED_AT, 0)
    values |= {"request_id": REQUEST_ID, "payload_sha256": canonical_sha256(data)}
    item: dict[str, Any] = {k: v for k, v in fit_item(values, body).items() if v is not None}
    item |= to_dynamodb(result_key(result))["M"]
    return item | {"revision": {"N": "1"}}


def index_entries(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The entry the item makes in each index whose keys it has (projection as declared)."""
    table = resources()["ResultsTable"]["Properties"]
    entries = []
    for index in table["GlobalSecondaryIndexes"]:
        keys = [k["AttributeName"] for k in index["KeySchema"]]
        if not all(k in item for k in keys):
            continue  # a sparse index: no entry, no write
        projection = index["Projection"]
        kept = {"pk", "sk", *keys, *projection.get("NonKeyAttributes", ())}
        if projection["ProjectionType"] == "ALL":
            kept = set(item)
        entries.append({k: v for k, v in item.items() if k in kept})
    return entries


@cache
def examples() -> tuple[Example, ...]:
    """Every example callback under events/ that is stored as a result, as our code stores it."""
    from media_callbacks.items import item_size
    from media_callbacks.vendors import VENDORS

    found = []
    for vendor in VENDORS:
        for path in sorted((ROOT / "events" / vendor).glob("*.json")):
            outcome = parsed(vendor, path)
            if outcome is None:
                continue
            data, result = outcome
            item = stored_item(data, result, sent_body(vendor, path))
            entries = [item_size(e) for e in index_entries(item)]
            units = tuple(math.ceil(n / WRITE_UNIT_BYTES) for n in (item_size(item), *entries))
            relative = str(path.relative_to(ROOT / "events"))
            found.append(
                Example(vendor, relative, result.flagged, item_size(item), units, sum(entries))
            )
    return tuple(found)


def by_traffic(values: dict[bool, list[float]]) -> float:
    """The mean over unflagged and flagged examples, weighted by the flagged share."""
    share = TRAFFIC["flagged_share"]
    return (1 - share) * statistics.mean(values[False]) + share * statistics.mean(values[True])


def split(measure: Any) -> dict[bool, list[float]]:
    out: dict[bool, list[float]] = {False: [], True: []}
    for example in examples():
        out[example.flagged].append(measure(example))
    return out


# --- the lines --------------------------------------------------------------------------------


def figures() -> dict[str, Any]:
    """What the bench measured (bench/figures.json)."""
    loaded: dict[str, Any] = json.loads(FIGURES.read_text())
    return loaded


def memory_gb(name: str = "CallbackFunction") -> float:
    function = resources()[name]["Properties"]
    size = function.get("MemorySize", template()["Globals"]["Function"]["MemorySize"])
    return float(size) / 1024


def billed_ms() -> float:
    measured_at = figures()["memory_mb"]
    if measured_at != round(memory_gb() * 1024):
        raise SystemExit(
            f"bench/figures.json was measured at {measured_at} MB, template.yaml gives "
            f"{memory_gb() * 1024:g}: run BENCH_KEEP_FIGURES=1 make bench"
        )
    measured, share = figures()["callback_billed_ms"], TRAFFIC["cold_share"]
    return float((1 - share) * measured["warm"] + share * measured["cold"])


def traced_functions() -> dict[str, str]:
    """Each function's tracing mode at the default parameters."""
    globals_mode = template()["Globals"]["Function"].get("Tracing", "PassThrough")
    return {
        name: default(r["Properties"].get("Tracing", globals_mode))
        for name, r in resources().items()
        if r["Type"] == "AWS::Serverless::Function"
    }


def traced_per_million(callbacks_a_month: float) -> float:
    """Traces recorded per million callbacks: callbacks (when CallbackFunction is Active: every
    request up to 1 a second, then 5%, traffic spread evenly over the month) and the alert and
    evidence invocations of flagged results (each alone, at their rate)."""
    modes = traced_functions()
    traced = 0.0
    if modes["CallbackFunction"] == "Active":
        rate = callbacks_a_month / SECONDS_A_MONTH
        kept = min(rate, LAMBDA_RESERVOIR_PER_SECOND)
        kept += LAMBDA_SAMPLED_SHARE * max(rate - LAMBDA_RESERVOIR_PER_SECOND, 0.0)
        traced += kept / rate * 1e6
    flagged = TRAFFIC["flagged_share"] * 1e6
    traced += sum(flagged for f in ("AlertFunction", "EvidenceFunction") if modes[f] == "Active")
    return traced


@cache
def callback_log_lines() -> tuple[tuple[str, str], ...]:
    """(log group, line) for one stored callback: the function's JSON log line with the
    Lambda context Powertools adds (the Callbacks metric is counted from it), Lambda's own
    lines unless the template silences them, and the API's access log line."""
    from aws_lambda_powertools.logging import correlation_paths

    from media_callbacks.ingest import Ingestor
    from media_callbacks.observability import logger

    [example] = [e for e in examples() if e.path == "umedia/transcode.json"]
    _, result = parsed(example.vendor, ROOT / "events" / example.path)
    os.environ["_X_AMZN_TRACE_ID"] = "Root=1-6743f2a1-0123456789abcdef01234567;Sampled=0"
    out = io.StringIO()
    handler = logger.registered_handler
    previous = handler.setStream(out)  # type: ignore[attr-defined]
    try:
        # as CallbackFunction's handler is decorated, with no other state than a callback's
        logged = logger.inject_lambda_context(
            lambda _e, _c: Ingestor._stored(result, "stored"),
            correlation_id_path=correlation_paths.API_GATEWAY_REST,
            clear_state=True,
        )
        for _ in range(2):  # the second: a warm invocation's line (`cold_start` false)
            out.seek(0)
            out.truncate()
            logged({"requestContext": {"requestId": REQUEST_ID}}, LambdaContext(memory_gb()))  # type: ignore[no-untyped-call]
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]
    lines = [*out.getvalue().splitlines()]
    if system_log_level() != "WARN":
        lines += PLATFORM_LINES
    logged_lines = [("CallbackFunctionLogGroup", line) for line in lines]
    return (*logged_lines, ("ApiAccessLogGroup", access_log_line()))


class LambdaContext(NamedTuple):
    """What Lambda passes the handler, with names as long as CloudFormation's."""

    memory: float
    function_name: str = "media-callbacks-prod-CallbackFunction-AbCdEfGh1234"
    aws_request_id: str = REQUEST_ID

    @property
    def memory_limit_in_mb(self) -> int:
        return int(self.memory * 1024)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}:live"


def system_log_level() -> str:
    """The level of Lambda's own log lines at the default parameters (INFO: START, END and
    REPORT of every invocation)."""
    config = template()["Globals"]["Function"].get("LoggingConfig", {})
    return str(default(config.get("SystemLogLevel", "INFO")))


def access_log_line() -> str:
    """The API's access log line for a callback, from the template's format."""
    api = resources()["CallbackApi"]["Properties"]
    text = api["AccessLogSetting"]["Format"].replace("\n", "").replace(" ", "")
    return re.sub(r"\$context\.([\w.]+)", lambda m: ACCESS_LOG_VALUES[m.group(1)], text)


def log_cost_per_million() -> tuple[int, float]:
    """(bytes per callback, USD per million) by each line's log group class."""
    total_bytes, usd = 0, 0.0
    for group, line in callback_log_lines():
        size = len(line.encode())
        kind = resources()[group]["Properties"].get("LogGroupClass", "STANDARD")
        total_bytes += size
        usd += size * 1e6 / 1024**3 * LOGS_INGEST_PER_GB[kind]
    return total_bytes, usd


def write_units() -> float:
    return by_traffic(split(lambda e: sum(e.units)))


def stored_gb() -> float:
    """GB a million callbacks keep: items and index entries, with DynamoDB's 100 bytes each."""

    def kept(e: Example) -> float:
        return e.size + e.index_bytes + STORAGE_OVERHEAD_BYTES * len(e.units)

    return by_traffic(split(kept)) * 1e6 / 1024**3


def flagged_extras() -> float:
    """Per flagged result, besides its callback: the alert (an invocation, its idempotency
    record written twice, the SNS publish) and the evidence (an invocation, an S3 PUT per
    frame, the evidence written on the item: at least the item's write units again)."""
    p = PRICES
    frames = statistics.mean(frame_counts())
    item_units = statistics.mean(e.units[0] for e in examples() if e.flagged)
    return (
        2 * p["lambda_requests_per_million"] / 1e6
        + (2 + item_units) * p["dynamodb_write_unit_per_million"] / 1e6
        + p["sns_publish_per_million"] / 1e6
        + frames * p["s3_put_per_thousand"] / 1e3
    )


def frame_counts() -> list[int]:
    """Frames kept per flagged example: its findings with an image URL."""
    counts = []
    for example in examples():
        if example.flagged:
            _, result = parsed(example.vendor, ROOT / "events" / example.path)
            findings = result.moderation.findings if result.moderation else ()
            counts.append(sum(1 for f in findings if getattr(f, "image_url", None)))
    return counts


def unit_ranges() -> str:
    found = split(lambda e: sum(e.units))
    return ", ".join(
        f"{label} {min(found[flag]):g} to {max(found[flag]):g}"
        for label, flag in (("unflagged", False), ("flagged", True))
    )


def per_million(callbacks_a_month: float = 1e6) -> list[tuple[str, str, float]]:
    a, p = TRAFFIC, PRICES
    gb = memory_gb()
    log_bytes, log_usd = log_cost_per_million()
    traced = traced_per_million(callbacks_a_month)
    storage = stored_gb()
    units = write_units()
    return [
        ("API Gateway (REST)", "1 million requests", p["api_rest_per_million"]),
        ("Lambda requests", "1 million callbacks", p["lambda_requests_per_million"]),
        ("Lambda compute (arm64)",
         f"{billed_ms():.1f} ms billed on average (bench: warm and {a['cold_share']:.0%} cold)"
         f" x {gb:g} GB x 1 million", billed_ms() / 1000 * gb * 1e6 * p["lambda_arm64_gb_second"]),
        ("DynamoDB writes", f"{units:.2f} write units per callback, table and index entries "
         f"({len(examples())} examples under events/: {unit_ranges()})",
         units * p["dynamodb_write_unit_per_million"]),
        ("DynamoDB storage, each month kept",
         f"{storage:.2f} GB of items and index entries, point-in-time recovery on "
         "(`RetentionDays` ends it)", storage * (p["dynamodb_gb_month"] + p["pitr_gb_month"])),
        ("Flagged results", f"{a['flagged_share']:.0%}: an alert (SNS, idempotency record) and "
         f"evidence ({statistics.mean(frame_counts()):.1f} frames to S3, recorded on the item); "
         "their compute is not priced: it waits on the vendors' frame servers",
         a["flagged_share"] * 1e6 * flagged_extras()),
        ("CloudWatch Logs", f"{log_bytes} bytes per callback (the function's and the access "
         "log's lines, the latter at the infrequent-access price)", log_usd),
        ("X-Ray", f"{traced:,.0f} traces (`EnableTracing`: functions "
         f"{traced_functions()['CallbackFunction']})", traced / 1e6 * p["xray_traces_per_million"]),
        ("Secrets Manager calls", "one GetSecretValue per new container",
         a["cold_share"] * 1e6 / 1e4 * p["secrets_calls_per_10k"]),
        ("SQS", "only while the table is unavailable (retry queue)", 0.0),
    ]  # fmt: skip


def monthly() -> list[tuple[str, float]]:
    from media_callbacks.observability import metric_count

    alarms = sum(1 for r in resources().values() if r["Type"] == "AWS::CloudWatch::Alarm")
    dashboards = sum(1 for r in resources().values() if r["Type"] == "AWS::CloudWatch::Dashboard")
    metrics = metric_count()
    p = PRICES
    return [
        ("callback secret", p["secret_month"]),
        ("KMS key of the ops alarm topic", p["kms_key_month"]),
        (f"{alarms} alarms", alarms * p["alarm_month"]),
        (f"{dashboards} dashboard", dashboards * p["dashboard_month"]),
        (f"{metrics} custom metrics (observability.METRICS)", metrics * p["metric_month"]),
    ]  # fmt: skip


def months() -> list[tuple[str, float, float, float]]:
    """(callbacks, traffic, fixed, total) for a month of each volume."""
    fixed = sum(usd for _, usd in monthly())
    rows = []
    for callbacks in MONTHS:
        traffic = sum(usd for _, _, usd in per_million(callbacks)) * callbacks / 1e6
        rows.append((f"{callbacks / 1e6:g} million", traffic, fixed, traffic + fixed))
    return rows


def report() -> str:
    rows = per_million()
    lines = ["| per million callbacks | how | USD |", "|---|---|---|"]
    lines += [f"| {name} | {how} | {usd:.2f} |" for name, how, usd in rows]
    lines.append(f"| **total** | | **{sum(usd for _, _, usd in rows):.2f}** |")
    fixed = monthly()
    lines += ["", "| every month, whatever the traffic | USD |", "|---|---|"]
    lines += [f"| {name} | {usd:.2f} |" for name, usd in fixed]
    lines.append(f"| **total** | **{sum(usd for _, usd in fixed):.2f}** |")
    lines += ["", "| a month of | traffic | fixed | USD |", "|---|---|---|---|"]
    lines += [f"| {n} callbacks | {t:.2f} | {f:.2f} | **{s:.2f}** |" for n, t, f, s in months()]
    return "\n".join(lines)


def main() -> int:
    print(report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
