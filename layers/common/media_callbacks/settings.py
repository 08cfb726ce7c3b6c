"""The functions' configuration, read from the environment and validated once at cold start."""

import os
from collections.abc import Mapping
from functools import cached_property
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from media_callbacks.thresholds import Level, ThresholdsError, parse_thresholds

MAX_BODY_BYTES = 256 * 1024


class ConfigError(RuntimeError):
    """The environment is not usable; the message names the variable and the reason."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str = Field(min_length=3)
    callback_token_secret: str | None = None
    callback_token: str | None = Field(default=None, repr=False)
    callback_keys: str | None = Field(default=None, repr=False)
    token_cache_seconds: int = Field(default=300, ge=0)
    retention_days: int = Field(default=0, ge=0)
    max_body_bytes: int = Field(default=MAX_BODY_BYTES, gt=0)
    ingest_queue_url: str | None = None
    retry_backoff_seconds: float = Field(default=30, ge=0)
    alert_topic_arn: str | None = None
    moderation_thresholds: str | None = None
    evidence_bucket: str | None = None
    # local run only: the evidence fetcher may reach 127.0.0.1 (`make run` sets it, the template
    # never does; every other refused range stays refused)
    evidence_allow_loopback: bool = False
    # the event holds the token: Powertools' own event logging stays off, and this logs a
    # redacted copy of each event instead
    log_event: bool = False
    # the review desk (docs/REVIEW.md): its user pool's app client, the decisions' topic
    user_pool_client_id: str | None = None
    reviewer_group: str = Field(default="reviewers", min_length=1)
    decision_topic_arn: str | None = None

    @cached_property
    def thresholds(self) -> dict[str, Level]:
        """MODERATION_THRESHOLDS merged onto the defaults (ThresholdsError when malformed)."""
        return parse_thresholds(self.moderation_thresholds)

    def require(self, *fields: str) -> Self:
        """These settings, or ConfigError naming each missing variable (a function's own)."""
        missing = [ENV[name] for name in fields if not getattr(self, name)]
        if missing:
            raise ConfigError(f"invalid configuration: set {', '.join(missing)}")
        return self

    def require_token_source(self) -> None:
        """The callback API needs a token; the other functions do not."""
        if not (self.callback_token_secret or self.callback_token or self.callback_keys):
            raise ConfigError(
                "invalid configuration: set CALLBACK_TOKEN_SECRET (AWS) or CALLBACK_TOKEN / "
                "CALLBACK_KEYS (local)"
            )


ENV = {
    "table_name": "TABLE_NAME",
    "callback_token_secret": "CALLBACK_TOKEN_SECRET",
    "callback_token": "CALLBACK_TOKEN",
    "callback_keys": "CALLBACK_KEYS",
    "token_cache_seconds": "CALLBACK_TOKEN_CACHE_SECONDS",
    "retention_days": "RETENTION_DAYS",
    "max_body_bytes": "MAX_BODY_BYTES",
    "ingest_queue_url": "INGEST_QUEUE_URL",
    "retry_backoff_seconds": "RETRY_BACKOFF_SECONDS",
    "alert_topic_arn": "ALERT_TOPIC_ARN",
    "moderation_thresholds": "MODERATION_THRESHOLDS",
    "evidence_bucket": "EVIDENCE_BUCKET",
    "evidence_allow_loopback": "EVIDENCE_ALLOW_LOOPBACK",
    "log_event": "POWERTOOLS_LOGGER_LOG_EVENT",
    "user_pool_client_id": "USER_POOL_CLIENT_ID",
    "reviewer_group": "REVIEWER_GROUP",
    "decision_topic_arn": "DECISION_TOPIC_ARN",
}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    values: dict[str, object] = {
        field: env[name] for field, name in ENV.items() if env.get(name, "").strip()
    }
    try:
        settings = Settings.model_validate(values)
        _ = settings.thresholds  # a malformed MODERATION_THRESHOLDS fails at cold start too
        return settings
    except ThresholdsError as exc:
        raise ConfigError(str(exc)) from None
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False, include_input=False):
            name = ENV.get(str(err["loc"][0]), "environment") if err["loc"] else "environment"
            problems.append(f"{name}: {err['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
