"""The callback token: constant-time comparison against the current and the previous secret."""

from __future__ import annotations

import hmac
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from media_callbacks import aws

CURRENT, PREVIOUS = "AWSCURRENT", "AWSPREVIOUS"
NO_VERSION = ("ResourceNotFoundException", "InvalidRequestException")


class SecretUnavailable(Exception):
    """Secrets Manager did not answer (after the SDK's retries): the caller should retry."""


class TokenVerifier:
    """Accepts the secret's AWSCURRENT and AWSPREVIOUS values, so rotation loses no callback.

    Each stage's value is cached for `max_age` seconds per container (absence of a previous
    version too); the previous one is only fetched when the current one did not match.
    Locally a fixed token can stand in for the secret.

    Not Powertools parameters: its package imports boto3, and with it s3transfer, on every
    cold start (docs/PERFORMANCE.md); this is the same cache on the function's botocore client.
    """

    def __init__(
        self,
        *,
        secret_id: str | None,
        static_token: str | None = None,
        max_age: int = 300,
        client: Any = None,
    ) -> None:
        self.secret_id = secret_id
        self.static_token = static_token
        self.max_age = max_age
        self._client = client
        self._cache: dict[str, tuple[str | None, float]] = {}

    @property
    def client(self) -> Any:
        """The client given at construction (tests), else the process's shared one."""
        return self._client if self._client is not None else aws.client("secretsmanager")

    def _secret(self, stage: str) -> str | None:
        now = time.monotonic()
        cached = self._cache.get(stage)
        if cached and cached[1] > now:
            return cached[0]
        try:
            response = self.client.get_secret_value(SecretId=self.secret_id, VersionStage=stage)
            value: str | None = str(response.get("SecretString", "")).strip() or None
        except ClientError as exc:
            if stage == PREVIOUS and aws.error_code(exc) in NO_VERSION:
                value = None  # never rotated yet: there is no previous version
            else:
                raise SecretUnavailable(f"{stage}: {aws.error_code(exc)}") from exc
        except BotoCoreError as exc:
            raise SecretUnavailable(f"{stage}: {type(exc).__name__}") from exc
        self._cache[stage] = (value, now + self.max_age)
        return value

    def verify(self, presented: str | None) -> bool:
        if not isinstance(presented, str) or not presented:
            return False
        given = presented.encode("utf-8", "surrogatepass")  # a lone surrogate matches nothing
        if self.secret_id is None:
            expected = (self.static_token or "").encode()
            return bool(expected) and hmac.compare_digest(given, expected)
        for stage in (CURRENT, PREVIOUS):
            value = self._secret(stage)
            if value and hmac.compare_digest(given, value.encode()):
                return True
        return False
