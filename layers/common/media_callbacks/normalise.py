"""Vendor payload -> CallbackResult: parse with the vendor's model, then normalise."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from media_callbacks import payloads as p
from media_callbacks.errors import RejectedPayload
from media_callbacks.results import (
    MAX_FINDINGS,
    UMEDIA_KINDS,
    CallbackResult,
    Finding,
    Moderation,
)
from media_callbacks.thresholds import SUGGESTION_RANK, Level, judge, level_for, strongest

CTYUN_REVIEW_EVENT = "AIContentReviewComplete"


def describe(exc: ValidationError) -> str:
    """'field.path: reason' for every problem pydantic found, joined by '; '."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def _parse[M: BaseModel](model: type[M], data: dict[str, Any], kind: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RejectedPayload(describe(exc), kind=kind) from None


def infer_umedia_kind(data: dict[str, Any]) -> str:
    """The first rule that matches; see README "Kind inference"."""
    if "invalid_image_list" in data:
        return "moderation"
    if "image_list" in data:
        return "snapshot"
    for key in ("dest_video_name", "dest_video_url"):
        value = data.get(key)
        if isinstance(value, str) and value.strip().lower().endswith(".m3u8"):
            return "slice"
    if any(
        key in data for key in ("dest_video_url", "dest_video_name", "width", "height", "file_size")
    ):
        return "transcode"
    raise RejectedPayload(
        "cannot tell the kind of this UMedia callback from its fields (no invalid_image_list, "
        "image_list, dest_video_url, dest_video_name, width, height or file_size): "
        "post it to /callbacks/umedia/{kind} with kind transcode, snapshot, slice or moderation"
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


def _moderation(findings: list[Finding], thresholds: dict[str, Level]) -> Moderation:
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


def _finding(
    thresholds: dict[str, Level],
    *,
    category: str,
    label: str | None,
    score: float | None,
    image_url: str | None,
    vendor_review: bool | None = None,
) -> Finding:
    suggestion = judge(level_for(thresholds, category), score, vendor_review)
    return Finding(
        category=category,
        label=label,
        score=score,
        image_url=image_url,
        vendor_review=vendor_review,
        suggestion=suggestion,
    )


def check_route(vendor: str, kind: str | None) -> None:
    """The route's kind, checked before the body is read."""
    if vendor == "umedia" and kind is not None and kind not in UMEDIA_KINDS:
        raise RejectedPayload(
            f"kind: unknown UMedia kind {kind[:40]!r}; use one of {', '.join(UMEDIA_KINDS)}"
        )


# --- UMedia ----------------------------------------------------------------------------------


def normalise_umedia(
    kind: str | None, data: dict[str, Any], thresholds: dict[str, Level]
) -> CallbackResult:
    check_route("umedia", kind)
    if kind is None:
        kind = infer_umedia_kind(data)
    common: dict[str, Any]
    result: dict[str, Any]
    moderation = None
    if kind == "transcode":
        t = _parse(p.UMediaTranscode, data, kind)
        common, result = (
            _umedia_common(t),
            t.model_dump(
                include={
                    "dest_video_name",
                    "dest_video_url",
                    "duration",
                    "file_size",
                    "width",
                    "height",
                }
            ),
        )
    elif kind == "slice":
        s = _parse(p.UMediaSlice, data, kind)
        common = _umedia_common(s)
        result = s.model_dump(include={"dest_video_name", "dest_video_url", "duration"})
    elif kind == "snapshot":
        sn = _parse(p.UMediaSnapshot, data, kind)
        common = _umedia_common(sn)
        urls = [img.image_url for img in sn.image_list or [] if img.image_url]
        result = {"image_count": sn.image_count, "image_urls": urls}
    else:
        m = _parse(p.UMediaModeration, data, kind)
        common = _umedia_common(m)
        findings = []
        for image in m.invalid_image_list or []:
            label = image.label
            category = (
                p.UMEDIA_LABELS.get(label, str(label)) if isinstance(label, int) else label.lower()
            )
            if category == "normal":
                continue
            findings.append(
                _finding(
                    thresholds,
                    category=category,
                    label=category,
                    score=image.rate,
                    image_url=image.name,
                    vendor_review=image.review,
                )
            )
        result = {"image_count": m.image_count, "flagged_image_count": len(findings)}
        moderation = _moderation(findings, thresholds)
    return CallbackResult.model_validate(
        {"vendor": "umedia", "kind": kind, "result": result, "moderation": moderation, **common}
    )


def _umedia_common(payload: p.UMediaPayload) -> dict[str, Any]:
    return {
        "task_id": payload.task_id,
        "status": "succeeded" if payload.retcode == 0 else "failed",
        "message": payload.message,
        "source_url": payload.src_url,
    }


# --- CTyun -----------------------------------------------------------------------------------


CTYUN_EVENTS: dict[str, tuple[str, type[p.CtyunEvent]]] = {
    CTYUN_REVIEW_EVENT: ("moderation", p.CtyunContentReview),
    "TranscodeComplete": ("transcode", p.CtyunTranscodeComplete),
    "SnapshotComplete": ("snapshot", p.CtyunSnapshotComplete),
}


def normalise_ctyun(data: dict[str, Any], thresholds: dict[str, Level]) -> CallbackResult:
    """AIContentReviewComplete, TranscodeComplete and SnapshotComplete in full; any other event
    as kind `event`. On demand (videoID) and workflow (workflowId) shapes alike."""
    envelope = _parse(p.CtyunEvent, data, "event")
    kind, model = CTYUN_EVENTS.get(envelope.event_type, ("event", p.CtyunEvent))
    event = _parse(model, data, kind) if model is not p.CtyunEvent else envelope
    task_id = event.task_id or event.video_id or event.workflow_id
    if not task_id:
        raise RejectedPayload(
            f"taskId: Field required (or videoID or workflowId) for event {event.event_type!r}",
            kind=kind,
        )
    common: dict[str, Any] = {
        "vendor": "ctyun",
        "kind": kind,
        "task_id": task_id,
        "message": event.task_message,
        "source_url": event.original_file_url,
        "event_time": event.event_time,
        "video_id": event.video_id,
    }
    result: dict[str, Any] = {"event_type": event.event_type, "workflow_id": event.workflow_id}
    if isinstance(event, p.CtyunContentReview):
        return _ctyun_review(event, thresholds, common, result)
    if isinstance(event, p.CtyunTranscodeComplete):
        outputs = [
            {
                "format": out.format,
                "size": out.size,
                "bitrate": out.bitrate,
                "duration": out.duration,
                "url": out.transcode_file_url,
                "streams": out.stream_info or [],
            }
            for out in event.transcode_info or []
        ]
        first = outputs[0] if outputs else {}
        result |= {
            "outputs": outputs,
            "dest_video_url": first.get("url"),
            "duration": first.get("duration"),
            "file_size": first.get("size"),
        }
    elif isinstance(event, p.CtyunSnapshotComplete):
        snapshots: list[dict[str, Any]] = [
            {
                "type": shot.snapshot_type,
                "urls": expand_snapshot_urls(shot.snapshot_regular, shot.time_list),
                "web_vtt_url": shot.web_vtt_url,
            }
            for shot in event.snapshot_info or []
        ]
        urls = [url for shot in snapshots for url in shot["urls"]][:MAX_URLS]
        total = sum(
            snapshot_count(shot.snapshot_regular, shot.time_list)
            for shot in event.snapshot_info or []
        )
        result |= {"snapshots": snapshots, "image_urls": urls, "image_count": total}
    # events without a parsed status: none means it happened; anything unknown counts as failed
    status = event.status if event.status in ("succeeded", "failed") else None
    if status is None:
        status = "succeeded" if event.status is None else "failed"
    return CallbackResult.model_validate({**common, "status": status, "result": result})


MAX_URLS = 1000  # expanded snapshot URLs kept per result; `image_count` counts them all


def snapshot_count(regular: str | None, times: list[str] | None) -> int:
    if not regular:
        return 0
    return len(times or []) if "{time}" in regular else 1


def expand_snapshot_urls(regular: str | None, times: list[str] | None) -> list[str]:
    """`{time}` in the URL pattern, once per time point (the first MAX_URLS: a pattern of some
    KiB times 20,000 points would otherwise take hundreds of MB)."""
    if not regular:
        return []
    if "{time}" not in regular:
        return [regular]
    return [regular.replace("{time}", t) for t in (times or [])[:MAX_URLS]]


def _ctyun_sections(info: p.CtyunReviewInfo) -> dict[str, p.CtyunSection]:
    """The porn and terrorism sections, and any other that has a section's shape."""
    sections = {
        name: section
        for name, section in (("porn", info.porn), ("terrorism", info.terrorism))
        if section is not None
    }
    for name, raw in (info.model_extra or {}).items():
        try:  # other review sections are judged the same way when they have that shape
            sections[name] = p.CtyunSection.model_validate(raw)
        except ValidationError:
            continue
    return sections


def _ctyun_review(
    event: p.CtyunContentReview,
    thresholds: dict[str, Level],
    common: dict[str, Any],
    result: dict[str, Any],
) -> CallbackResult:
    info = event.review
    sections = _ctyun_sections(info) if info is not None else {}
    snapshot_urls: list[str] = []
    if info is not None and info.snapshot is not None:
        snapshot_urls = expand_snapshot_urls(
            info.snapshot.ai_snapshot_regular, info.snapshot.ai_time_list
        )
    findings: list[Finding] = []
    summary: dict[str, Any] = {}
    for name, section in sections.items():
        main = section.output.label if section.output else None
        summary[name] = {"status": section.status, "label": main}
        if section.output is None or main is None or main.lower() == "normal":
            continue
        category = "terrorism" if name == "terrorism" else main.lower()
        segments = section.output.segment_set or []
        if not segments:
            findings.append(
                _finding(thresholds, category=category, label=main, score=None, image_url=None)
            )
        for seg in segments:
            score = None if seg.confidence is None else seg.confidence / 100
            findings.append(
                _finding(
                    thresholds,
                    category=category,
                    label=seg.label or main,
                    score=score,
                    image_url=seg.url,
                )
            )
    result |= {"snapshot_urls": snapshot_urls, "sections": summary}
    return CallbackResult.model_validate(
        {
            **common,
            "status": event.status,
            "result": result,
            "moderation": _moderation(findings, thresholds),
        }
    )


def normalise(
    vendor: str, kind: str | None, data: Any, thresholds: dict[str, Level]
) -> CallbackResult:
    if not isinstance(data, dict):
        raise RejectedPayload(f"body: expected a JSON object, got {type(data).__name__}")
    if vendor == "umedia":
        return normalise_umedia(kind, data, thresholds)
    return normalise_ctyun(data, thresholds)
