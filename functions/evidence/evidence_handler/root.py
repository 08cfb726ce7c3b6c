"""EvidenceFunction's composition root: the collector with the table's gateway and S3, built
from validated settings in one place; tests pass their own pieces."""

from __future__ import annotations

from collections.abc import Mapping

from media_callbacks import aws
from media_callbacks.evidence import Collector, Fetcher
from media_callbacks.fetch import fetch
from media_callbacks.settings import Settings, load_settings
from media_callbacks.storage import ResultsTable


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """This function's settings from the environment (default: the process's), validated:
    ConfigError names each variable that is missing or wrong."""
    return load_settings(environ).require("evidence_bucket")


def build(config: Settings, *, fetcher: Fetcher = fetch) -> Collector:
    assert config.evidence_bucket is not None  # noqa: S101 (settings.require checked it)
    return Collector(
        table=ResultsTable(config.table_name),
        bucket=config.evidence_bucket,
        s3=aws.client("s3"),
        fetcher=fetcher,
        allow_loopback=config.evidence_allow_loopback,
    )
