"""Evidence: the frames of a flagged result kept in S3 before the vendor's URLs expire (issue 13).

For each flagged finding (suggestion review or block) of one result revision, the frame is
fetched (media_callbacks.fetch: hostile URLs refused) and stored at
`evidence/<vendor>/<task_id>/<revision>/<n>.<ext>`, n being the finding's index, with its source
URL, sha256, content type and fetch time as object metadata. A task id whose percent-encoded form
is over 256 bytes is `sha256-<hex>` there (media_callbacks.keys), so every key fits S3's 1024.
The result item then records, per finding, `{"key", "sha256"}` or `{"reason"}` in `evidence`,
with `evidence_prefix` (an s3:// URI), for that revision only: a new revision starts without
either (storage), so it gets its own. A revision whose evidence is recorded is not fetched again
(a retried batch, or the stream record of the recording itself).

One frame never fails the record: whatever goes wrong fetching it is its reason, and so is S3
refusing that one object (`s3 <code>`: its key, metadata, size or checksum; retrying cannot
help). Anything else S3 or the table (its gateway, media_callbacks.storage) answers (throttling,
5xx, access denied, no answer) fails the record, which the event source mapping retries and
finally dead-letters.

The record must fit the item, which the callback's write may have filled to about 392 KiB of
DynamoDB's 400 KB: when the table refuses it as too large, the sha256s are dropped (each object
keeps its sha256 in its metadata and S3 checked the body against it), then the list becomes a
summary, `{"kept": ["<n>.<ext>", ...], "missing": {"<reason>": [n, ...]}}` (names under
`evidence_prefix`; about 1 KB for 100 findings).
"""

from __future__ import annotations

import base64
import datetime
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from botocore.exceptions import ClientError

from media_callbacks.fetch import Fetched, Refused, fetch
from media_callbacks.keys import evidence_prefix as prefix
from media_callbacks.observability import logger
from media_callbacks.storage import ItemTooLarge, ResultsTable

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
              "image/bmp": "bmp", "image/tiff": "tiff", "image/heic": "heic"}  # fmt: skip
FLAGGED = frozenset({"review", "block"})
MAX_METADATA_URL = 1024  # S3 user metadata is at most 2 KB in all
PARALLEL_FETCHES = 8  # 100 findings that each time out take 125 s, not 1000
# S3's answers about one object itself: that frame's reason, since retrying cannot change them
OBJECT_REFUSED = frozenset({"KeyTooLongError", "MetadataTooLarge", "EntityTooLarge",
                            "InvalidDigest", "BadDigest", "InvalidArgument"})  # fmt: skip

Fetcher = Callable[..., Fetched]


def extension(content_type: str) -> str:
    return EXTENSIONS.get(content_type) or quote(content_type.removeprefix("image/"), safe="")


def expires_at(url: str) -> float | None:
    """When a signed frame URL stops working, if it says: `Expires`/`e` (unix seconds: Alibaba
    OSS, Qiniu), `t` (hex unix seconds: Tencent), `X-Amz-Date` plus `X-Amz-Expires`. None for
    a URL that says nothing or cannot be parsed (the fetcher gives that one its reason)."""
    try:
        query = {k.lower(): v[0] for k, v in parse_qs(urlsplit(url).query).items() if v}
    except ValueError:
        return None
    for name in ("expires", "e"):
        if _digits(query.get(name, "")):
            return float(query[name])
    stamp = query.get("t", "")
    if 6 <= len(stamp) <= 10 and all(c in "0123456789abcdef" for c in stamp.lower()):
        return float(int(stamp, 16))
    signed, lasting = query.get("x-amz-date", ""), query.get("x-amz-expires", "")
    if _digits(lasting):
        try:
            start = datetime.datetime.strptime(signed, "%Y%m%dT%H%M%SZ").replace(
                tzinfo=datetime.UTC
            )
        except ValueError:
            return None
        return start.timestamp() + int(lasting)
    return None


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()  # "²".isdigit() too, which int() refuses


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Collector:
    """Fetches and stores one result revision's frames and records them on the item."""

    def __init__(
        self,
        *,
        table: ResultsTable,
        bucket: str,
        s3: Any,
        fetcher: Fetcher = fetch,
        allow_loopback: bool = False,
        clock: Callable[[], str] = _now,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.table, self.bucket, self.s3 = table, bucket, s3
        self.fetcher, self.allow_loopback, self.clock, self.now = (
            fetcher,
            allow_loopback,
            clock,
            now,
        )

    def collect(self, image: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        """The outcome per finding, recorded on the item; None when this revision already has
        its evidence (or is no longer the item's revision)."""
        key = {"pk": image["pk"], "sk": image["sk"]}
        revision = int(image["revision"])
        if self.table.evidence_recorded(key, revision):
            return None
        folder = prefix(str(image["vendor"]), str(image["task_id"]), revision)
        findings = (image.get("moderation") or {}).get("findings") or []
        with ThreadPoolExecutor(PARALLEL_FETCHES) as pool:
            outcomes = list(pool.map(self._keep, [folder] * len(findings), range(len(findings)),
                                     findings))  # fmt: skip
        self._record(key, revision, f"s3://{self.bucket}/{folder}", outcomes)
        return outcomes

    def _keep(self, folder: str, n: int, finding: dict[str, Any]) -> dict[str, Any]:
        if finding.get("suggestion") not in FLAGGED:
            return {"reason": "not flagged"}
        url = finding.get("image_url")
        if not url:
            return {"reason": "no frame URL"}
        expiry = expires_at(url)
        if expiry is not None and expiry < self.now():
            return {"reason": "expired"}
        try:
            frame = self.fetcher(url, allow_loopback=self.allow_loopback)
        except Refused as refused:
            return {"reason": refused.reason}
        except Exception:  # a fetcher bug must not cost the revision's other frames
            logger.exception("fetching one frame failed", extra={"url": url[:200]})
            return {"reason": "fetch failed"}
        return self._store(f"{folder}{n}.{extension(frame.content_type)}", url, frame)

    def _store(self, key: str, url: str, frame: Fetched) -> dict[str, Any]:
        source = quote(url, safe=":/?#[]@!$&'()*+,;=%", errors="replace")[:MAX_METADATA_URL]
        try:
            self.s3.put_object(
                Bucket=self.bucket, Key=key, Body=frame.body, ContentType=frame.content_type,
                ChecksumSHA256=_b64_sha256(frame.sha256),
                Metadata={"source-url": source, "sha256": frame.sha256, "fetched-at": self.clock()},
            )  # fmt: skip
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code not in OBJECT_REFUSED:
                raise  # an outage or a permission: the record is retried
            return {"reason": f"s3 {code}"}
        return {"key": key, "sha256": frame.sha256}

    def _record(
        self, key: dict[str, str], revision: int, uri: str, outcomes: list[dict[str, Any]]
    ) -> None:
        """The outcomes on the item, in the first form the item has room for."""
        for form, evidence in _forms(outcomes):
            try:
                recorded = self.table.record_evidence(key, revision, uri, evidence)
            except ItemTooLarge:
                if form == "summary":
                    raise
                continue
            if recorded and form != "as is":
                logger.warning(f"evidence recorded {form}: the item is near its size limit")
            return


def _forms(outcomes: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """The record, then smaller ones: without sha256s, then a summary."""
    kept = [o["key"].rpartition("/")[2] for o in outcomes if "key" in o]
    missing: dict[str, list[int]] = {}
    for n, outcome in enumerate(outcomes):
        if "reason" in outcome:
            missing.setdefault(outcome["reason"], []).append(n)
    return [
        ("as is", outcomes),
        ("without sha256s", [{k: v for k, v in o.items() if k != "sha256"} for o in outcomes]),
        ("summary", {"kept": kept, "missing": missing}),
    ]


def _b64_sha256(hex_digest: str) -> str:
    """S3 checks the body against this: a frame is stored exactly as fetched."""
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()
