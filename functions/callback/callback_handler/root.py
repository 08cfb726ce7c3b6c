"""CallbackFunction's composition root: every object it uses, built from validated settings in
one place; tests pass their own pieces."""

from collections.abc import Mapping
from typing import NamedTuple

from media_callbacks.auth import Authenticator
from media_callbacks.ingest import Ingestor
from media_callbacks.retry import RetryQueue
from media_callbacks.settings import Settings, load_settings
from media_callbacks.storage import ResultsTable


class Services(NamedTuple):  # a dataclass costs ~1 ms of cold start
    config: Settings
    store: ResultsTable
    verifier: Authenticator
    ingestor: Ingestor
    retry_queue: RetryQueue | None


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """This function's settings from the environment (default: the process's), validated:
    ConfigError names each variable that is missing or wrong."""
    config = load_settings(environ)
    config.require_token_source()
    return config


def build(
    config: Settings,
    *,
    store: ResultsTable | None = None,
    verifier: Authenticator | None = None,
    retry_queue: RetryQueue | None = None,
) -> Services:
    store = store or ResultsTable(config.table_name, retention_days=config.retention_days)
    if retry_queue is None and config.ingest_queue_url:
        retry_queue = RetryQueue(config.ingest_queue_url)
    verifier = verifier or Authenticator(
        secret_id=config.callback_token_secret,
        static_token=config.callback_token,
        static_keys=config.callback_keys,
        max_age=config.token_cache_seconds,
    )
    ingestor = Ingestor(store, config.thresholds, fallback=retry_queue)
    return Services(config, store, verifier, ingestor, retry_queue)
