"""Frames as reviewers see them: the evidence bucket's objects behind presigned GET URLs that
last at most 5 minutes. Reviewers have no other way to the bucket (docs/REVIEW.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from media_callbacks import keys

FRAME_SECONDS = 300  # the contract: presigned frame URLs of at most 5 minutes
MAX_LISTED = 1000  # one ListObjectsV2 page: earlier revisions' frames of one task


def frame_key(evidence: Any, prefix: str | None, n: int) -> tuple[str | None, str | None]:
    """(object key, None) of finding n's frame, or (None, why it was not kept)."""
    if isinstance(evidence, list):
        if n >= len(evidence):
            return None, "not kept yet"
        outcome = evidence[n] or {}
        return outcome.get("key"), outcome.get("reason") if "key" not in outcome else None
    if isinstance(evidence, dict) and prefix:  # the summary form of a full item
        folder = urlsplit(prefix).path.lstrip("/")
        for name in evidence.get("kept", []):
            if str(name).partition(".")[0] == str(n):
                return f"{folder}{name}", None
        for reason, numbers in (evidence.get("missing") or {}).items():
            if n in numbers:
                return None, str(reason)
    return None, "not kept yet"


class Frames:
    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    def url(self, key: str) -> str:
        """A presigned GET of one object of the evidence bucket (no call to S3)."""
        return str(
            self.s3.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=FRAME_SECONDS
            )
        )

    def origin(self) -> str:
        """The scheme and host frames are served from (the page's content security policy)."""
        parts = urlsplit(self.url("evidence/"))
        return f"{parts.scheme}://{parts.netloc}"

    def of(self, moderation: dict[str, Any], item: dict[str, Any]) -> list[dict[str, Any]]:
        """Every finding of a result with its frame's URL (or why there is none)."""
        evidence, prefix = item.get("evidence"), item.get("evidence_prefix")
        frames = []
        for n, finding in enumerate(moderation.get("findings", [])):
            key, reason = frame_key(evidence, prefix, n)
            frames.append(
                {
                    "n": n,
                    "category": finding.get("category"),
                    "label": finding.get("label"),
                    "score": finding.get("score"),
                    "suggestion": finding.get("suggestion"),
                    "vendor_review": finding.get("vendor_review"),
                    "time": finding.get("time"),
                    "image_url": finding.get("image_url"),
                    "frame_url": self.url(key) if key else None,
                    "missing": reason,
                }
            )
        return frames

    def earlier(self, vendor: str, task_id: str, revision: int) -> list[dict[str, Any]]:
        """Frames kept of the task's earlier revisions, newest revision first: the table keeps
        only the current revision, its evidence folders stay."""
        folder = keys.evidence_prefix(vendor, task_id, 0).rsplit("0/", 1)[0]
        listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=folder, MaxKeys=MAX_LISTED)
        by_revision: dict[int, list[dict[str, Any]]] = {}
        for obj in listed.get("Contents", []):
            number, _, name = obj["Key"][len(folder) :].partition("/")
            if number.isdigit() and int(number) != revision and name:
                by_revision.setdefault(int(number), []).append(
                    {"name": name, "frame_url": self.url(obj["Key"])}
                )
        return [
            {"revision": number, "frames": sorted(found, key=lambda f: f["name"])}
            for number, found in sorted(by_revision.items(), reverse=True)
        ]
