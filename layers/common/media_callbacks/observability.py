"""Logger and metrics, created once and shared by every module of a function.

No Powertools Tracer: it imports the X-Ray SDK, about 200 ms of every cold start even with
tracing off. The template keeps Lambda's active tracing, which records each invocation.
"""

from __future__ import annotations

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

SERVICE = "media-callbacks"
NAMESPACE = "MediaCallbacks"

logger = Logger(service=SERVICE)


def count(name: str, amount: int = 1, **dimensions: str) -> None:
    """One count with its own dimensions, written at once (several per invocation are fine)."""
    if is_metrics_disabled():  # single_metric itself does not look (local run, tests)
        return
    unit = MetricUnit.Count
    with single_metric(name=name, unit=unit, value=amount, namespace=NAMESPACE) as metric:
        metric.add_dimension(name="service", value=SERVICE)
        for key, value in dimensions.items():
            metric.add_dimension(name=key, value=value)
