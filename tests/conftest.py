"""Shared by every tier; needs nothing. Tiers: tests/unit (nothing), tests/integration (moto
in-process), tests/e2e (the local stack), tests/checks (template, docs, build)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Everything the function logs, formatted exactly as CloudWatch would receive it."""
    from media_callbacks.observability import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    yield stream
    logger._logger.removeHandler(handler)
