"""The callback token: constant-time comparison against the current and the previous secret."""

from __future__ import annotations

import hmac
import time
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

CURRENT, PREVIOUS = "AWSCURRENT", "AWSPREVIOUS"


class TokenVerifier:
    """Accepts the secret's AWSCURRENT and AWSPREVIOUS values, so rotation loses no callback.

    Values come from Secrets Manager through Powertools parameters, cached for `max_age`
    seconds; the previous version is only fetched when the current one did not match.
    Locally (no secret configured) a fixed token is used instead.
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
        self._providers: dict[str, SecretsProvider] = {}
        self._no_previous_until = 0.0

    def _provider(self, stage: str) -> SecretsProvider:
        if stage not in self._providers:
            from aws_lambda_powertools.utilities.parameters import SecretsProvider

            if self._client is None:
                from media_callbacks.storage import BOTO_CONFIG

                self._client = boto3.client("secretsmanager", config=BOTO_CONFIG)
            # One provider per stage: the cache key does not include the SDK options.
            self._providers[stage] = SecretsProvider(boto3_client=self._client)
        return self._providers[stage]

    def _secret(self, stage: str) -> str | None:
        value = self._provider(stage).get(
            str(self.secret_id), max_age=self.max_age, VersionStage=stage
        )
        if isinstance(value, bytes):
            value = value.decode()
        return str(value).strip() if value is not None else None

    def _previous(self) -> str | None:
        if time.monotonic() < self._no_previous_until:
            return None
        from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

        try:
            return self._secret(PREVIOUS)
        except GetParameterError:  # never rotated yet: there is no previous version
            self._no_previous_until = time.monotonic() + self.max_age
            return None

    def verify(self, presented: str | None) -> bool:
        if not presented:
            return False
        given = presented.encode()
        if self.secret_id is None:
            return bool(self.static_token) and hmac.compare_digest(
                given, (self.static_token or "").encode()
            )
        current = self._secret(CURRENT)
        if current and hmac.compare_digest(given, current.encode()):
            return True
        previous = self._previous()
        return bool(previous) and hmac.compare_digest(given, (previous or "").encode())
