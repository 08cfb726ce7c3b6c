"""Who may post a callback: the vendor's declared signature scheme when the secret sets its
signing key, else the token, each checked in constant time against the current and the previous
secret (the schemes themselves: media_callbacks.signing).

The secret is either the token as plain text (every vendor shares it) or a JSON object:
`{"token": "...", "tokens": {"<vendor id>": "..."}, "<vendor id>": {<signing keys>}}`; a vendor's
own token, when set, replaces the shared one for that vendor, so a leaked UMedia URL opens no
other route. A signed vendor's section (e.g. `"alibaba": {"auth_key": "..."}`) is read by its
vendor's declared scheme (media_callbacks.signing).
"""

import json
import time
from collections.abc import Iterator
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from media_callbacks import aws
from media_callbacks.signing import TOKEN, CallbackKeys, Scheme, SignedRequest

CURRENT, PREVIOUS = "AWSCURRENT", "AWSPREVIOUS"
NO_VERSION = ("ResourceNotFoundException", "InvalidRequestException")


class SecretUnavailable(Exception):
    """Secrets Manager did not answer (after the SDK's retries), or the secret is malformed: the
    caller should retry (503), and the operator sees an error log and the API's 5XX alarm."""


class Sender(Protocol):
    """Who claims to send: the vendor's id and its declared scheme (a vendor's adapter is one)."""

    @property
    def id(self) -> str: ...

    @property
    def auth(self) -> Scheme: ...


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


class Authenticator:
    """Authenticates a callback by its vendor's scheme (the token or a signature) against the
    secret: its AWSCURRENT and AWSPREVIOUS values, so rotation loses no callback.

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

    def _keys_at(self, stage: str) -> CallbackKeys | None:
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
        self, sender: Sender, request: SignedRequest, now: float | None = None
    ) -> bool:
        """The sender's declared scheme when the current secret configures it (the current or
        the previous key then verifies it: rotation loses no callback; a token is then not
        enough), else the token (the current's or the previous's)."""
        scheme = self._scheme(sender)
        if not scheme.presented(request):
            return False
        now = time.time() if now is None else now
        return any(scheme.valid(request, key, now) for key in self._keys(scheme, sender.id))

    def _scheme(self, sender: Sender) -> Scheme:
        """The declared scheme if the current version of the secret sets its key, else the
        token (a signature scheme applies once configured: the secret's content says when)."""
        declared = sender.auth
        if not declared.signature:
            return declared
        current = self._version(CURRENT)
        configured = current is not None and declared.configured(declared.key(current, sender.id))
        return declared if configured else TOKEN

    def _keys(self, scheme: Scheme, vendor: str) -> Iterator[Any]:
        """The scheme's key in the current version, then in the previous (read only if asked)."""
        for stage in (CURRENT, PREVIOUS):
            keys = self._version(stage)
            key = scheme.key(keys, vendor) if keys is not None else None
            if scheme.configured(key):
                yield key

    def _version(self, stage: str) -> CallbackKeys | None:
        """The secret's version at `stage` (locally: one version, the current)."""
        if self.secret_id is None:
            return self._static if stage == CURRENT else None
        return self._keys_at(stage)
