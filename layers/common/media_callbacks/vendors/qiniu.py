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

import base64
import hashlib
import hmac
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field

from media_callbacks.results import CallbackResult, Finding
from media_callbacks.signing import SignedRequest, same, text_key
from media_callbacks.thresholds import Level
from media_callbacks.vendors.base import (
    Count,
    Number,
    Payload,
    TaskId,
    Text,
    Url,
    blank_to_none,
    finding,
    lower_text,
    moderation,
    parse,
    vendor_flagged,
)

FORM = "application/x-www-form-urlencoded"
OCTET_STREAM = "application/octet-stream"
SCENE_CATEGORIES = {"pulp": "porn", "terror": "terrorism", "politician": "politics"}
PULP_LABELS = {"pulp": "porn", "porn": "porn", "sexy": "sexy"}
QINIU_HEADER = "X-Qiniu-"

# --- authentication ---------------------------------------------------------------------------


def configured(section: Any) -> bool:
    return (
        text_key(section, "access_key") is not None and text_key(section, "secret_key") is not None
    )


def valid(request: SignedRequest, section: Any, now: float) -> bool:
    """`Qiniu AK:sign` over a body it covers, or `QBox AK:sign`, for the configured access key
    and one of the public URLs of this route (neither scheme carries a timestamp)."""
    scheme, _, credentials = (request.header("authorization") or "").strip().partition(" ")
    access_key, _, presented = credentials.strip().partition(":")
    secret_key = text_key(section, "secret_key")
    if secret_key is None or access_key != text_key(section, "access_key"):
        return False
    if scheme == "Qiniu" and covers_body(request):
        signer = qiniu_signature
    elif scheme == "QBox":
        signer = qbox_signature
    else:
        return False
    return any(same(signer(request, url, secret_key), presented) for url in request.urls())


def covers_body(request: SignedRequest) -> bool:
    """Whether a `Qiniu` signature covers this request's body: Qiniu's SDKs leave it out for
    `application/octet-stream` and without a Content-Type, and such a signature would then
    authorise any body (our routes read JSON: a genuine callback is never sent so)."""
    return request.header("content-type") not in (None, "", OCTET_STREAM)


def canonical(name: str) -> str:
    """`x-qiniu-aaa` as Qiniu's SDKs sign it: `X-Qiniu-Aaa`."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def qiniu_signature(request: SignedRequest, url: str, secret_key: str) -> str:
    parts = urlsplit(url)
    content_type = request.header("content-type")
    data = f"{request.method.upper()} {parts.path or '/'}"
    data += (f"?{parts.query}" if parts.query else "") + f"\nHost: {parts.netloc}"
    if content_type:
        data += f"\nContent-Type: {content_type}"
    qiniu = {canonical(k): v for k, v in request.headers.items()}
    for name in sorted(n for n in qiniu if n.startswith(QINIU_HEADER) and n != QINIU_HEADER):
        data += f"\n{name}: {qiniu[name]}"
    signed = (data + "\n\n").encode()
    if request.body and content_type and content_type != OCTET_STREAM:
        signed += request.body
    return _hmac(secret_key, signed)


def qbox_signature(request: SignedRequest, url: str, secret_key: str) -> str:
    """As Qiniu's SDKs check it: the path and query, and the body only when it is a form. Over
    a JSON body it proves what a URL token proves, and can be replayed with any body
    (docs/DEPLOY.md); that is why signature headers are never stored."""
    parts = urlsplit(url)
    data = (parts.path + (f"?{parts.query}" if parts.query else "") + "\n").encode()
    if request.body and request.header("content-type") == FORM:
        data += request.body
    return _hmac(secret_key, data)


def _hmac(secret_key: str, data: bytes) -> str:
    digest = hmac.new(secret_key.encode(), data, hashlib.sha1).digest()
    return base64.urlsafe_b64encode(digest).decode()


def sign(url: str, body: bytes, section: Any, now: float) -> dict[str, str]:
    """The `Authorization` header Qiniu would send for this URL and JSON body (send.py, tests)."""
    request = SignedRequest("POST", "", "", {"content-type": "application/json"}, body, ())
    access_key = text_key(section, "access_key") or ""
    signature = qiniu_signature(request, url, text_key(section, "secret_key") or "")
    return {"Authorization": f"Qiniu {access_key}:{signature}"}


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


def _scene_findings(name: str, scene: Scene, thresholds: dict[str, Level]) -> list[Finding]:
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
        finding(
            thresholds,
            category=_category(name, detail.label),
            label=detail.label,
            score=detail.score,
            image_url=cut.uri,
            vendor_review=vendor_flagged(detail.suggestion or cut.suggestion or scene.suggestion),
        )
        for cut, detail in found
    ]


def _censor(data: dict[str, Any], thresholds: dict[str, Level]) -> dict[str, Any]:
    job = parse(Censor, data, "moderation")
    outer = job.result or Verdict()
    verdict = outer.result if outer.scenes is None and outer.result is not None else outer
    scenes = verdict.scenes or {}
    findings = [f for name, s in scenes.items() for f in _scene_findings(name, s, thresholds)]
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
        "moderation": moderation(findings, thresholds) if finished else None,
    }


def normalise(
    kind: str | None, data: dict[str, Any], thresholds: dict[str, Level]
) -> CallbackResult:
    fields = _censor(data, thresholds) if kind == "censor" else _pfop(data)
    return CallbackResult.of({"vendor": "qiniu", "source_url": None, **fields})
