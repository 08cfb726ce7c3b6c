"""Logger and metrics, created once and shared by every module of a function.

No Powertools Tracer: it imports the X-Ray SDK, about 200 ms of every cold start even with
tracing off. The template keeps Lambda's active tracing, which records each invocation.
"""

from __future__ import annotations

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

SERVICE = "media-callbacks"
NAMESPACE = "MediaCallbacks"


class _Formatter(LambdaPowertoolsFormatter):
    """Powertools' JSON lines without the function's ARN: `function_name` is in every line, and
    the ARN's account, region and alias added about 120 bytes to each (CloudWatch Logs bills
    every byte ingested: docs/DEPLOY.md's cost table)."""

    def append_keys(self, **additional_keys: object) -> None:
        additional_keys.pop("function_arn", None)
        super().append_keys(**additional_keys)


logger = Logger(service=SERVICE, logger_formatter=_Formatter())


# Every custom metric the stack writes, each dimension with every value it takes. CloudWatch
# bills each combination as a metric of its own (0.30 USD a month): a vendor dimension alone
# would make 13 of each, so only what the dashboard or an alarm reads is a dimension; which
# vendor or kind is in the log line of every callback (the dashboard's log table reads it).
# Callbacks is counted by the template's metric filters from the `outcome` field of each
# callback's log line (no metric line of its own); the others are written by `count`.
# scripts/cost.py counts the combinations; tests hold the code and the dashboard to them.
Dimensions = dict[str, tuple[str, ...]]
# counted by the template's metric filters from each callback's log line (its `outcome`)
FROM_LOGS: dict[str, Dimensions] = {
    "Callbacks": {
        "Outcome": (
            "stored", "duplicate", "ignored", "rejected", "queued",
            "unauthorized", "too_large", "unavailable",
        ),
    },
}  # fmt: skip
# written by `count`
WRITTEN: dict[str, Dimensions] = {
    "Alerts": {"Suggestion": ("review", "block")},
    "EvidenceFrames": {"Outcome": ("kept", "missing")},
}
METRICS = FROM_LOGS | WRITTEN


def metric_count() -> int:
    """How many custom metrics the functions can write (each billed every month)."""
    total = 0
    for dimensions in METRICS.values():
        combinations = 1
        for values in dimensions.values():
            combinations *= len(values)
        total += combinations
    return total


def declared(name: str, dimensions: dict[str, str]) -> bool:
    """Whether WRITTEN declares this metric with exactly these dimensions and values."""
    known = WRITTEN.get(name)
    if known is None or set(known) != set(dimensions):
        return False
    return all(value in known[key] for key, value in dimensions.items())


def count(name: str, amount: int = 1, **dimensions: str) -> None:
    """One count with its own dimensions, written at once (several per invocation are fine).
    A metric or value WRITTEN does not declare is logged, never written: a new value must not
    add a billed metric unnoticed."""
    if not declared(name, dimensions):
        logger.warning(f"undeclared metric {name} not written", extra={"dimensions": dimensions})
        return
    if is_metrics_disabled():  # single_metric itself does not look (local run, tests)
        return
    unit = MetricUnit.Count
    with single_metric(name=name, unit=unit, value=amount, namespace=NAMESPACE) as metric:
        metric.add_dimension(name="service", value=SERVICE)
        for key, value in dimensions.items():
            metric.add_dimension(name=key, value=value)
