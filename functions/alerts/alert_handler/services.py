"""AlertFunction's composition root: the SNS client, the topic and the alert ledger, built from
validated settings in one place; tests pass their own pieces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from media_callbacks import aws
from media_callbacks.ledger import AlertLedger
from media_callbacks.settings import Settings


@dataclass(frozen=True)
class Services:
    topic_arn: str
    sns: Any
    ledger: AlertLedger


def build(config: Settings, *, sns: Any = None, ledger: AlertLedger | None = None) -> Services:
    assert config.alert_topic_arn is not None  # noqa: S101 (settings.require checked it)
    return Services(
        topic_arn=config.alert_topic_arn,
        sns=sns or aws.client("sns"),
        ledger=ledger or AlertLedger(config.table_name),
    )
