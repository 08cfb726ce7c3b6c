"""EvidenceFunction's composition root: the collector with its S3 and DynamoDB clients, built
from validated settings in one place; tests pass their own pieces."""

from __future__ import annotations

from media_callbacks import aws
from media_callbacks.evidence import Collector, Fetcher
from media_callbacks.fetch import fetch
from media_callbacks.settings import Settings


def build(config: Settings, *, fetcher: Fetcher = fetch) -> Collector:
    assert config.evidence_bucket is not None  # noqa: S101 (settings.require checked it)
    return Collector(
        bucket=config.evidence_bucket,
        table=config.table_name,
        s3=aws.client("s3"),
        dynamodb=aws.client("dynamodb"),
        fetcher=fetcher,
        allow_loopback=config.evidence_allow_loopback,
    )
