"""Who may post a callback: the vendor's signature when its signing key is set, else the token,
each compared in constant time against the current and the previous secret.

The secret is either the token as plain text (every vendor shares it) or a JSON object:
`{"token": "...", "tokens": {"<vendor id>": "..."}, "<vendor id>": {<signing keys>}}`; a vendor's
own token, when set, replaces the shared one for that vendor, so a leaked UMedia URL opens no
other route. A signed vendor's section (e.g. `"alibaba": {"auth_key": "..."}`) is read by its
adapter's scheme (media_callbacks.signing).
"""

import hmac
import json
import time
from typing import Any, NamedTuple

from botocore.exceptions import BotoCoreError, ClientError

from media_callbacks import aws
from media_callbacks.signing import Scheme, SignedRequest

CURRENT, PREVIOUS = "AWSCURRENT", "AWSPREVIOUS"
NO_VERSION = ("ResourceNotFoundException", "InvalidRequestException")


class SecretUnavailable(Exception):
    """Secrets Manager did not answer (after the SDK's retries), or the secret is malformed: the
    caller should retry (503), and the operator sees an error log and the API's 5XX alarm."""


class CallbackKeys(NamedTuple):
    """What one version of the callback secret holds (a NamedTuple: a dataclass costs about a
    millisecond of every cold start to build)."""

    token: str | None = None
    tokens: dict[str, str] = {}  # noqa: RUF012 (never mutated)
    other: dict[str, Any] = {}  # noqa: RUF012

    def token_for(self, vendor: str) -> str | None:
        return self.tokens.get(vendor) or self.token


def parse_keys(text: str | None) -> CallbackKeys | None:
    """The secret's text as keys; None when empty. ValueError names what is malformed."""
    text = (text or "").strip()
    if not text:
        return None
    if not text.startswith("{"):
        return CallbackKeys(token=text)
    try:
        data = json.loads(text)
    except ValueError:
        raise ValueError("the callback secret starts with { but is not valid JSON") from None
    token, tokens = data.pop("token", None), data.pop("tokens", None) or {}
    if token is not None and not isinstance(token, str):
        raise ValueError("the callback secret's token must be a string")
    if not isinstance(tokens, dict) or not all(isinstance(v, str) and v for v in tokens.values()):
        raise ValueError('the callback secret\'s tokens must be {"<vendor id>": "<token>"}')
    return CallbackKeys(token=token or None, tokens=tokens, other=data)


class TokenVerifier:
    """Accepts the secret's AWSCURRENT and AWSPREVIOUS values, so rotation loses no callback.

    Each stage's value is cached for `max_age` seconds per container (absence of a previous
    version too); the previous one is only fetched when the current one did not match.
    Locally a fixed token (CALLBACK_TOKEN) and keys (CALLBACK_KEYS, the JSON form) can stand in
    for the secret.

    Not Powertools parameters: its package imports boto3, and with it s3transfer, on every
    cold start (docs/PERFORMANCE.md); this is the same cache on the function's botocore client.
    """

    def __init__(
        self,
        *,
        secret_id: str | None,
        static_token: str | None = None,
        static_keys: str | None = None,
        max_age: int = 300,
        client: Any = None,
    ) -> None:
        self.secret_id = secret_id
        self._static = self._local_keys(static_token, static_keys) if secret_id is None else None
        self.max_age = max_age
        self._client = client
        self._cache: dict[str, tuple[CallbackKeys | None, float]] = {}

    @staticmethod
    def _local_keys(token: str | None, keys: str | None) -> CallbackKeys | None:
        parsed = parse_keys(keys) or CallbackKeys()
        return CallbackKeys(token=parsed.token or token, tokens=parsed.tokens, other=parsed.other)

    @property
    def client(self) -> Any:
        """The client given at construction (tests), else the process's shared one."""
        return self._client if self._client is not None else aws.client("secretsmanager")

    def _fetch(self, stage: str) -> str | None:
        try:
            response = self.client.get_secret_value(SecretId=self.secret_id, VersionStage=stage)
            return str(response.get("SecretString", ""))
        except ClientError as exc:
            if stage == PREVIOUS and aws.error_code(exc) in NO_VERSION:
                return None  # never rotated yet: there is no previous version
            raise SecretUnavailable(f"{stage}: {aws.error_code(exc)}") from exc
        except BotoCoreError as exc:
            raise SecretUnavailable(f"{stage}: {type(exc).__name__}") from exc

    def _keys(self, stage: str) -> CallbackKeys | None:
        now = time.monotonic()
        cached = self._cache.get(stage)
        if cached and cached[1] > now:
            return cached[0]
        try:
            keys = parse_keys(self._fetch(stage))
        except ValueError as exc:
            raise SecretUnavailable(f"{stage}: {exc}") from None
        self._cache[stage] = (keys, now + self.max_age)
        return keys

    def authenticate(
        self,
        vendor: str,
        token: str | None,
        request: SignedRequest | None = None,
        scheme: Scheme | None = None,
        now: float | None = None,
    ) -> bool:
        """The signature when the current secret sets the vendor's signing key (the current
        or the previous key verifies it: rotation loses no callback; a token is then not
        enough), else the token."""
        if scheme is None or request is None:
            return self.verify(token, vendor)
        current = self._section(CURRENT, vendor)
        if not scheme.configured(current):
            return self.verify(token, vendor)
        now = time.time() if now is None else now
        if scheme.valid(request, current, now):
            return True
        previous = self._section(PREVIOUS, vendor)
        return scheme.configured(previous) and scheme.valid(request, previous, now)

    def _section(self, stage: str, vendor: str) -> Any:
        """The vendor's own section of the secret's version at `stage` (locally: one version)."""
        if self.secret_id is None:
            keys = self._static if stage == CURRENT else None
        else:
            keys = self._keys(stage)
        return keys.other.get(vendor) if keys else None

    def verify(self, presented: str | None, vendor: str) -> bool:
        if not isinstance(presented, str) or not presented:
            return False
        given = presented.encode("utf-8", "surrogatepass")  # a lone surrogate matches nothing
        if self.secret_id is None:
            return _matches(given, self._static, vendor)
        return any(_matches(given, self._keys(stage), vendor) for stage in (CURRENT, PREVIOUS))


def _matches(given: bytes, keys: CallbackKeys | None, vendor: str) -> bool:
    expected = keys.token_for(vendor) if keys else None
    return bool(expected) and hmac.compare_digest(given, str(expected).encode())
