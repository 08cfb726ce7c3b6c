"""Vendor payload -> CallbackResult: the vendor's adapter (media_callbacks.vendors) checks the
route and parses; then, once for every vendor, its raw findings are judged against the
thresholds."""

from typing import Any

from media_callbacks.errors import RejectedPayload
from media_callbacks.results import MAX_FINDINGS, CallbackResult, Finding, Moderation, RawFinding
from media_callbacks.thresholds import SUGGESTION_RANK, Level, judge, level_for, strongest
from media_callbacks.vendors import Adapter, resolve


def known(vendor_id: str) -> Adapter:
    """The vendor's adapter; RejectedPayload for an id no vendor has."""
    found = resolve(vendor_id)
    if found is None:
        raise RejectedPayload(f"vendor: unknown vendor {vendor_id[:40]!r}")
    return found


def normalise(
    vendor_id: str, kind: str | None, data: Any, thresholds: dict[str, Level]
) -> CallbackResult:
    """By the vendor's id (tests, the bench): its adapter checks the route, then
    `normalise_with`."""
    vendor = known(vendor_id)
    vendor.check_route(kind)
    return normalise_with(vendor, kind, data, thresholds)


def normalise_with(
    vendor: Adapter, kind: str | None, data: Any, thresholds: dict[str, Level]
) -> CallbackResult:
    """A body on a route the vendor's adapter has checked: parsed, then judged."""
    if not isinstance(data, dict):
        raise RejectedPayload(f"body: expected a JSON object, got {type(data).__name__}")
    parsed = vendor.parse(kind, data)
    if parsed.findings is None:
        return parsed.result
    return parsed.result._replace(moderation=moderation(parsed.findings, thresholds))


def moderation(raw: list[RawFinding], thresholds: dict[str, Level]) -> Moderation:
    """The vendor's findings judged: each against its category's level, then summed up."""
    findings = [finding(found, thresholds) for found in raw]
    counted = [f for f in findings if f.suggestion != "pass"]
    scores = [f.score for f in counted if f.score is not None]
    return Moderation(
        findings=_kept(findings),
        finding_count=len(findings),
        suggestion=strongest([f.suggestion for f in findings]),
        categories=sorted({f.category for f in counted}),
        max_score=max(scores) if scores else None,
        thresholds=thresholds,
    )


def finding(raw: RawFinding, thresholds: dict[str, Level]) -> Finding:
    suggestion = judge(level_for(thresholds, raw.category), raw.score, raw.vendor_review)
    return Finding(
        category=raw.category,
        label=raw.label,
        score=raw.score,
        image_url=raw.image_url,
        vendor_review=raw.vendor_review,
        suggestion=suggestion,
        time=raw.time,
    )


def _strongest_first(finding: Finding) -> tuple[int, float]:
    return -SUGGESTION_RANK[finding.suggestion], -(finding.score or 0.0)


def _kept(findings: list[Finding]) -> list[Finding]:
    """At most MAX_FINDINGS, the strongest, in the vendor's order (an alert stays deliverable)."""
    if len(findings) <= MAX_FINDINGS:
        return findings
    keep = set(
        sorted(range(len(findings)), key=lambda i: _strongest_first(findings[i]))[:MAX_FINDINGS]
    )
    return [f for i, f in enumerate(findings) if i in keep]
