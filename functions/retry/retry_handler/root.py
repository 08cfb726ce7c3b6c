"""IngestRetryFunction's composition root: the store, the ingestion (without a fallback: a
failure retries the record) and the queue, built from validated settings in one place."""

from collections.abc import Mapping
from typing import NamedTuple

from media_callbacks.ingest import Ingestor
from media_callbacks.retry import RetryQueue
from media_callbacks.settings import Settings, load_settings
from media_callbacks.storage import ResultsTable


class Services(NamedTuple):  # a dataclass costs ~1 ms of cold start
    config: Settings
    store: ResultsTable
    ingestor: Ingestor
    queue: RetryQueue


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """This function's settings from the environment (default: the process's), validated:
    ConfigError names each variable that is missing or wrong."""
    return load_settings(environ).require("ingest_queue_url")


def build(config: Settings, *, store: ResultsTable | None = None) -> Services:
    assert config.ingest_queue_url is not None  # noqa: S101 (settings.require checked it)
    store = store or ResultsTable(config.table_name, retention_days=config.retention_days)
    return Services(
        config=config,
        store=store,
        ingestor=Ingestor(store, config.thresholds),  # no fallback: a failure retries the record
        queue=RetryQueue(config.ingest_queue_url),
    )
