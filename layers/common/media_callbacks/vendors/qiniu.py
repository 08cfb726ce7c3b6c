"""Qiniu (vendor-docs/qiniu.md): persistent-processing notify on POST /callbacks/qiniu/pfop (kind
transcode: job and item codes 0..4, failed items with their error) and video censor v3 on POST
/callbacks/qiniu/censor (kind moderation: pulp, terror, politician and other scenes, cuts with
offsets and frame URLs, scores 0..1; `suggestion` and `scenes` directly in `result` or one
level down in `result.result`).

Authentication: when the secret's `"qiniu": {"access_key": ..., "secret_key": ...}` is set, the
`Authorization` header: `Qiniu AK:sign` (HMAC-SHA1 over method, path and query, host, content
type, X-Qiniu-* headers and body; counted only when it covers the body, so not for
`application/octet-stream` or without a Content-Type) or the legacy `QBox AK:sign` (path and
query, and a form body: over a JSON body it is worth a URL token, no more), for one of the
public URLs of this route. Else the token.
"""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from media_callbacks.results import Parsed, RawFinding
from media_callbacks.signing import QINIU_OR_QBOX
from media_callbacks.vendors import Adapter
from media_callbacks.vendors.base import (
    Count,
    Number,
    Payload,
    TaskId,
    Text,
    Url,
    blank_to_none,
    lower_text,
    parse,
    parsed,
    vendor_flagged,
)

SCENE_CATEGORIES = {"pulp": "porn", "terror": "terrorism", "politician": "politics"}
PULP_LABELS = {"pulp": "porn", "porn": "porn", "sexy": "sexy"}

# --- pfop notify ------------------------------------------------------------------------------

Code = Annotated[int | None, Field(ge=0, le=4), BeforeValidator(blank_to_none)]


class PfopItem(Payload):
    cmd: Text = None
    code: Code = None
    desc: Text = None
    error: Text = None
    hash: Text = None
    key: Text = None


class Pfop(Payload):
    id: TaskId
    pipeline: Text = None
    code: Annotated[int, Field(ge=0, le=4), BeforeValidator(blank_to_none)]
    desc: Text = None
    reqid: Text = None
    input_bucket: Text = Field(default=None, alias="inputBucket")
    input_key: Text = Field(default=None, alias="inputKey")
    items: list[PfopItem] | None = None


def _pfop(data: dict[str, Any]) -> dict[str, Any]:
    job = parse(Pfop, data, "transcode")
    items = [item.model_dump() for item in job.items or []]
    done = [item for item in items if item["code"] == 0 and item["key"]]
    return {
        "kind": "transcode",
        "task_id": job.id,
        "status": "succeeded" if job.code == 0 else "failed",
        "message": job.desc,
        "result": {
            "code": job.code,
            "pipeline": job.pipeline,
            "reqid": job.reqid,
            "input_bucket": job.input_bucket,
            "input_key": job.input_key,
            "items": items,
            "failed_item_count": sum(1 for item in items if item["code"] not in (0, None)),
            "dest_key": done[0]["key"] if done else None,
        },
    }


# --- video censor v3 --------------------------------------------------------------------------

Suggestion = Annotated[str | None, BeforeValidator(lower_text)]


class Detail(Payload):
    suggestion: Suggestion = None
    label: Text = None
    score: Number = Field(default=None, ge=0, le=1)


class Cut(Payload):
    suggestion: Suggestion = None
    offset: Number = Field(default=None, ge=0)
    uri: Url = None
    details: list[Detail] | None = None


class Scene(Payload):
    suggestion: Suggestion = None
    cuts: list[Cut] | None = None


class Verdict(Payload):
    code: Count = None
    message: Text = None
    suggestion: Suggestion = None
    scenes: dict[str, Scene] | None = None
    result: "Verdict | None" = None  # the synchronous API's shape, one level down


class Source(Payload):
    uri: Url = None


class CensorRequest(Payload):
    data: Source | None = None


class Censor(Payload):
    id: TaskId
    status: Annotated[str | None, BeforeValidator(blank_to_none)] = None
    request: CensorRequest | None = None
    result: Verdict | None = None
    created_at: Text = None
    updated_at: Text = None


def _category(scene: str, label: str | None) -> str:
    if scene == "pulp":
        return PULP_LABELS.get((label or "pulp").lower(), (label or "pulp").lower())
    return SCENE_CATEGORIES.get(scene, scene.lower())


def _scene_findings(name: str, scene: Scene) -> list[RawFinding]:
    """A finding per cut detail that is not `normal`; a flagged scene without one is one
    finding without a score."""
    found = [
        (cut, detail)
        for cut in scene.cuts or []
        for detail in (cut.details or [Detail(suggestion=cut.suggestion)])
        if (detail.label or "").lower() != "normal"
        and (detail.label or vendor_flagged(detail.suggestion or cut.suggestion))
    ]
    if not found and vendor_flagged(scene.suggestion):
        found = [(Cut(), Detail(suggestion=scene.suggestion))]
    return [
        RawFinding(
            category=_category(name, detail.label),
            label=detail.label,
            score=detail.score,
            image_url=cut.uri,
            vendor_review=vendor_flagged(detail.suggestion or cut.suggestion or scene.suggestion),
        )
        for cut, detail in found
    ]


def _censor(data: dict[str, Any]) -> dict[str, Any]:
    job = parse(Censor, data, "moderation")
    outer = job.result or Verdict()
    verdict = outer.result if outer.scenes is None and outer.result is not None else outer
    scenes = verdict.scenes or {}
    findings = [f for name, s in scenes.items() for f in _scene_findings(name, s)]
    finished = (job.status or "").upper() == "FINISHED" and outer.code in (None, 200)
    return {
        "kind": "moderation",
        "task_id": job.id,
        "status": "succeeded" if finished else "failed",
        "message": outer.message,
        "source_url": job.request.data.uri if job.request and job.request.data else None,
        "event_time": job.updated_at,
        "result": {
            "job_status": job.status,
            "code": outer.code,
            "vendor_suggestion": verdict.suggestion,
            "scenes": {
                name: {"suggestion": s.suggestion, "cut_count": len(s.cuts or [])}
                for name, s in scenes.items()
            },
            "created_at": job.created_at,
        },
        "findings": findings if finished else None,
    }


def parse_payload(kind: str | None, data: dict[str, Any]) -> Parsed:
    fields = _censor(data) if kind == "censor" else _pfop(data)
    return parsed({"vendor": "qiniu", "source_url": None, **fields})


ADAPTER = Adapter(
    "qiniu",
    "Qiniu",
    parse_payload,
    auth=QINIU_OR_QBOX,
    route_kinds=("pfop", "censor"),
    bare_route=False,
)
