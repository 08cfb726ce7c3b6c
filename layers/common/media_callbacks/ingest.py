"""One callback, from raw body to stored item and answer. Knows nothing of API Gateway."""

from typing import Any, Literal, NamedTuple, Protocol

from media_callbacks.body import canonical_sha256
from media_callbacks.delivery import Delivery
from media_callbacks.errors import RejectedPayload
from media_callbacks.normalise import known, normalise_with
from media_callbacks.observability import logger
from media_callbacks.results import CallbackResult
from media_callbacks.storage import ItemRefused, ResultsTable, StorageUnavailable, WriteStatus
from media_callbacks.thresholds import Level
from media_callbacks.vendors import Adapter

OutcomeStatus = Literal["stored", "duplicate", "ignored", "rejected", "queued"]
# Each callback's outcome is logged once, as the `outcome` field of one log line: the template's
# metric filters count the Callbacks metric by it (observability.METRICS declares the values).


class Outcome(NamedTuple):
    """What became of one callback; the HTTP layer alone turns it into a status code."""

    status: OutcomeStatus
    vendor: str
    kind: str | None
    task_id: str | None = None
    flagged: bool = False
    error: str | None = None
    rejection_id: str | None = None
    request_id: str | None = None

    def summary(self) -> str:
        """`umedia transcode task 1`, or the error."""
        return self.error or f"{self.vendor} {self.kind} task {self.task_id}"


class Fallback(Protocol):
    """Where a callback goes when the table does not answer (the retry queue)."""

    def put(self, delivery: Delivery) -> str: ...


class Ingestor:
    def __init__(
        self, store: ResultsTable, thresholds: dict[str, Level], fallback: Fallback | None = None
    ) -> None:
        self.store = store
        self.thresholds = thresholds
        self.fallback = fallback

    def ingest(
        self,
        delivery: Delivery,
        vendor: Adapter | None = None,
        *,
        keep_rejected: bool = True,
        problem: str | None = None,
    ) -> Outcome:
        """Store the callback; a body that cannot be stored is kept as a rejected item, unless
        `keep_rejected` is false (a replay of a body that is already kept). `vendor`: the
        delivery's vendor as the caller resolved it (else it is resolved here, once). `problem`
        (or the delivery's own): the request itself is broken (the body is rejected with that
        error).
        When the table does not answer, the request goes to the fallback queue (202), with its
        problem, or StorageUnavailable rises."""
        if problem is not None:
            delivery = delivery._replace(problem=problem)
        try:
            if delivery.problem is not None:
                return self.reject(delivery, delivery.problem, delivery.kind)
            return self._ingest(delivery, vendor, keep_rejected)
        except StorageUnavailable:
            if self.fallback is None:
                raise
            message_id = self.fallback.put(delivery)  # QueueUnavailable: nothing was written
        logger.warning(
            f"table unavailable: {delivery.route} queued for retry",
            extra={
                "outcome": "queued",
                "vendor": delivery.vendor,
                "kind": delivery.kind,
                "message_id": message_id,
            },
        )
        return Outcome("queued", delivery.vendor, delivery.kind, request_id=delivery.request_id)

    def parse(
        self, delivery: Delivery, vendor: Adapter | None = None
    ) -> tuple[Any, CallbackResult]:
        """The route's vendor and kind, the body's JSON and its normalised result. Raises
        RejectedPayload and nothing else, whatever the bytes: a parser bug rejects the body,
        kept for replay."""
        try:
            vendor = vendor or known(delivery.vendor)
            vendor.check_route(delivery.kind)
            data = vendor.read(delivery.body)
            return data, normalise_with(vendor, delivery.kind, data, self.thresholds)
        except RejectedPayload:
            raise
        except RecursionError:
            raise RejectedPayload("body: nested too deeply to read", kind=delivery.kind) from None
        except Exception as exc:
            logger.exception("unexpected error while parsing a callback")
            raise RejectedPayload(
                f"internal error while parsing ({type(exc).__name__}); the body is kept for "
                "replay after a fix",
                kind=delivery.kind,
            ) from None

    def _ingest(self, delivery: Delivery, vendor: Adapter | None, keep_rejected: bool) -> Outcome:
        """Stored, or rejected with the body kept: whatever fails after the token check short of
        the table being unavailable (StorageUnavailable: the caller queues it)."""
        kind = delivery.kind
        try:
            data, result = self.parse(delivery, vendor)
            kind = result.kind
            outcome = self.store.put_result(
                result,
                body=delivery.body,
                payload_sha256=canonical_sha256(data),
                received_at=delivery.received_at,
                request_id=delivery.request_id,
            )
        except RejectedPayload as exc:
            error, kind = exc.error, exc.kind or kind
        except ItemRefused as exc:
            error = f"the table refused the result: {exc}"
        except StorageUnavailable:
            raise
        except Exception as exc:  # hashing, marshalling: a bug here must not lose the body either
            logger.exception("unexpected error while storing a callback")
            error = f"internal error while storing ({type(exc).__name__}); the body is kept"
        else:
            return self._stored(result, outcome.status)
        if not keep_rejected:
            return Outcome("rejected", delivery.vendor, kind, error=error)
        return self.reject(delivery, error, kind)

    @staticmethod
    def _stored(result: CallbackResult, status: WriteStatus) -> Outcome:
        logger.info(
            f"{status} {result.vendor} {result.kind} task {result.task_id}",
            extra={
                "outcome": status,
                "vendor": result.vendor,
                "kind": result.kind,
                "task_id": result.task_id,
                "status": result.status,
                "flagged": result.flagged,
            },
        )
        return Outcome(status, result.vendor, result.kind, result.task_id, result.flagged)

    def reject(self, delivery: Delivery, error: str, kind: str | None) -> Outcome:
        """Store the body as received; the outcome carries the rejection's id."""
        rejection_id = self.store.put_rejected(delivery, error, kind)
        logger.warning(
            f"rejected {delivery.route}: {error}",
            extra={
                "outcome": "rejected",
                "vendor": delivery.vendor,
                "kind": kind,
                "rejection_id": rejection_id,
                "error": error,
            },
        )
        return Outcome("rejected", delivery.vendor, kind, error=error, rejection_id=rejection_id)
