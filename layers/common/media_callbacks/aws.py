"""AWS clients: botocore, one session and one client per service per process.

boto3 is not imported by the functions: `import boto3` pulls in s3transfer (boto3.compat), which
measured about 100 ms of every cold start here for nothing these functions use
(docs/PERFORMANCE.md). botocore alone gives the same clients, retries and endpoints.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from botocore.config import Config
from botocore.session import Session

# The SDK retries throttling and 5XX itself (standard mode); a callback then fails fast.
# Client-side parameter validation is off: the service validates every request anyway, and
# botocore's pure-Python walk over each item was a quarter of a warm callback's CPU.
ATTEMPTS, CONNECT_SECONDS, READ_SECONDS = 2, 1, 2
CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": ATTEMPTS},
    connect_timeout=CONNECT_SECONDS,
    read_timeout=READ_SECONDS,
    parameter_validation=False,
)


def worst_case_seconds() -> float:
    """The longest one AWS call can take with its retries: every attempt timing out, plus
    standard mode's backoff (at most 2 ** (attempt - 1) seconds after each failed attempt).

    A callback may make three in a row (the secret at a cold start, the table, the retry queue)
    and must still answer before API Gateway's 29 s integration timeout, or the body is lost
    with a 504; the template's test holds CallbackFunction's timeout between the two.
    """
    backoff: float = sum(2 ** (attempt - 1) for attempt in range(1, ATTEMPTS))
    return ATTEMPTS * (CONNECT_SECONDS + READ_SECONDS) + backoff


_clients: dict[str, Any] = {}
_session: list[Session] = []
# Lambda runs one invocation at a time per process, but the local run and the tests call
# several handlers from threads, and a botocore session is not safe for concurrent use.
_lock = threading.Lock()


def session() -> Session:
    """The process's one botocore session: its loader caches the endpoint and model data.

    (`botocore.session.get_session()` makes a new session on every call, and a client from a
    fresh session loads all of that again: about 100 ms per client, measured in make bench.)
    """
    if not _session:
        _session.append(Session())
    return _session[0]


def client(service: str) -> Any:
    """The process's client for `service` (region, credentials, AWS_ENDPOINT_URL from the env)."""
    found = _clients.get(service)
    if found is None:
        with _lock:
            found = _clients.get(service)
            if found is None:
                found = _clients[service] = session().create_client(service, config=CONFIG)
    return found


def reset() -> None:
    """Forget the session and clients (tests: each one is a new container)."""
    _clients.clear()
    _session.clear()


def snapshotting() -> bool:
    """True during a SnapStart init: work done now is in the snapshot every cold start restores."""
    return os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start"


def error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))
