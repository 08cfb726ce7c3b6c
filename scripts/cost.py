"""What one million callbacks cost, from public list prices and this stack's own figures.

    make cost        (prints the markdown table docs/DEPLOY.md shows; a test holds the two equal)

Prices: AWS's public on-demand list prices for us-east-1 as of 2026-11, without free tiers or
savings plans; other regions differ by up to about 30%. The stack's figures come from the code:
the memory size from template.yaml, the DynamoDB write units of each vendor's example callback
(events/) stored by our own code (item and index sizes), the alarms the template defines.
The rest are assumptions, named below: change them to your traffic and run it again.
"""

from __future__ import annotations

import math
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

PRICES = {  # USD, us-east-1
    "api_rest_per_million": 3.50,  # API Gateway REST API, first 333 million a month
    "lambda_requests_per_million": 0.20,
    "lambda_arm64_gb_second": 0.0000133334,
    "dynamodb_write_unit_per_million": 0.625,  # on-demand
    "dynamodb_gb_month": 0.25,  # standard table class storage
    "pitr_gb_month": 0.20,  # point-in-time recovery
    "sns_publish_per_million": 0.50,
    "logs_ingest_per_gb": 0.50,
    "xray_traces_per_million": 5.00,  # recorded
    "secret_month": 0.40,
    "secrets_calls_per_10k": 0.05,
    "kms_key_month": 1.00,
    "alarm_month": 0.10,  # standard resolution
    "dashboard_month": 3.00,
    "metric_month": 0.30,  # custom metric, first 10,000
}

ASSUMED = {
    "warm_billed_ms": 20,  # handler about 2 ms plus one DynamoDB UpdateItem
    "cold_share": 0.01,  # callbacks that start a new container (bursty senders: more)
    "cold_billed_ms": 700,  # init and first callback, billed since 2025 (PERFORMANCE.md)
    "flagged_share": 0.01,  # callbacks that raise an alert (one alert invocation each)
    "log_bytes": 1500,  # our log line, Lambda's platform lines, the API access log line
    "traced_share": 1.0,  # X-Ray's default rule samples 1 request/s, then 5%: all at low rates
    "custom_metrics": 40,  # Callbacks by vendor, kind and outcome; Alerts by vendor, suggestion
}

FIXTURES = {
    "umedia": ("umedia/transcode.json", "transcode"),
    "ctyun": ("ctyun/ai-content-review.json", None),
    "uai-censor": ("uai-censor/moderation.json", None),
    "tencent": ("tencent/review-audio-video-complete.json", None),
}
GSI_KEYS = ("pk", "sk")


def template() -> dict[str, Any]:
    from template_yaml import load_template

    loaded: dict[str, Any] = load_template()
    return loaded


def stored(vendor: str, path: str, kind: str | None, table: dict[str, Any]) -> tuple[int, int]:
    """Write units (table plus indexes) and item bytes of this example, as our code stores it."""
    from media_callbacks.body import canonical_sha256, parse_json
    from media_callbacks.items import item_size, to_dynamodb
    from media_callbacks.normalise import normalise
    from media_callbacks.storage import fit_item, result_item
    from media_callbacks.thresholds import DEFAULT_THRESHOLDS

    body = (ROOT / "events" / path).read_bytes()
    data = parse_json(body)
    result = normalise(vendor, kind, data, DEFAULT_THRESHOLDS)
    values = result_item(result, "2026-11-23T00:00:00.000000Z", 0)
    values |= {"request_id": "r" * 36, "payload_sha256": canonical_sha256(data)}
    item = {k: v for k, v in fit_item(values, body).items() if v is not None}
    item |= to_dynamodb({"pk": f"TASK#{vendor}#{result.task_id}", "sk": "RESULT#x"})["M"]
    item["revision"] = {"N": "1"}
    size = item_size(item)
    units = math.ceil(size / 1024)
    for index in table["GlobalSecondaryIndexes"]:
        key = [k["AttributeName"] for k in index["KeySchema"]]
        if key[0] not in item:
            continue  # not in the index: no index write
        kept = (*GSI_KEYS, *key, *index["Projection"].get("NonKeyAttributes", ()))
        units += math.ceil(item_size({k: v for k, v in item.items() if k in kept}) / 1024)
    return units, size


def per_million() -> list[tuple[str, str, float]]:
    loaded = template()
    memory_gb = loaded["Globals"]["Function"]["MemorySize"] / 1024
    table = loaded["Resources"]["ResultsTable"]["Properties"]
    found = {v: stored(v, *fixture, table) for v, fixture in FIXTURES.items()}
    units = {v: n for v, (n, _) in found.items()}
    median_units = statistics.median(units.values())
    storage_gb = statistics.median(size for _, size in found.values()) * 1e6 / 1024**3
    a, p = ASSUMED, PRICES
    billed_s = (
        (1 - a["cold_share"]) * a["warm_billed_ms"] + a["cold_share"] * a["cold_billed_ms"]
    ) / 1000
    invocations = 1 + a["flagged_share"]
    log_gb = a["log_bytes"] * 1e6 / 1024**3
    by_vendor = ", ".join(f"{v} {n}" for v, n in units.items())
    return [
        ("API Gateway (REST)", "1 million requests", p["api_rest_per_million"]),
        ("Lambda requests", f"{invocations:g} million invocations (alerts included)",
         invocations * p["lambda_requests_per_million"]),
        ("Lambda compute (arm64)",
         f"{billed_s * 1000:.0f} ms billed on average x {memory_gb:g} GB x 1 million",
         billed_s * memory_gb * 1e6 * p["lambda_arm64_gb_second"]),
        ("DynamoDB writes", f"{median_units:g} write units per callback, table and indexes "
         f"(examples: {by_vendor})", median_units * p["dynamodb_write_unit_per_million"]),
        ("DynamoDB storage, each month kept",
         f"{storage_gb:.2f} GB of results, point-in-time recovery on (`RetentionDays` ends it)",
         storage_gb * (p["dynamodb_gb_month"] + p["pitr_gb_month"])),
        ("SNS", f"{a['flagged_share'] * 1e6:,.0f} alerts published",
         a["flagged_share"] * p["sns_publish_per_million"]),
        ("CloudWatch Logs", f"{a['log_bytes']} bytes per callback ingested ({log_gb:.2f} GB)",
         log_gb * p["logs_ingest_per_gb"]),
        ("X-Ray", f"{a['traced_share']:.0%} of callbacks traced",
         a["traced_share"] * p["xray_traces_per_million"]),
        ("Secrets Manager calls", "one GetSecretValue per new container",
         a["cold_share"] * 1e6 / 1e4 * p["secrets_calls_per_10k"]),
        ("SQS", "only while the table is unavailable (retry queue)", 0.0),
    ]  # fmt: skip


def monthly() -> list[tuple[str, float]]:
    resources = template()["Resources"]
    alarms = sum(1 for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm")
    metrics = ASSUMED["custom_metrics"]
    p = PRICES
    return [
        ("callback secret", p["secret_month"]),
        ("KMS key of the ops alarm topic", p["kms_key_month"]),
        (f"{alarms} alarms", alarms * p["alarm_month"]),
        ("dashboard", p["dashboard_month"]),
        (f"about {metrics} custom metrics", metrics * p["metric_month"]),
    ]  # fmt: skip


def report() -> str:
    rows = per_million()
    lines = ["| per million callbacks | how | USD |", "|---|---|---|"]
    lines += [f"| {name} | {how} | {usd:.2f} |" for name, how, usd in rows]
    lines.append(f"| **total** | | **{sum(usd for _, _, usd in rows):.2f}** |")
    fixed = monthly()
    lines += ["", "| every month, whatever the traffic | USD |", "|---|---|"]
    lines += [f"| {name} | {usd:.2f} |" for name, usd in fixed]
    lines.append(f"| **total** | **{sum(usd for _, usd in fixed):.2f}** |")
    return "\n".join(lines)


def main() -> int:
    print(report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
