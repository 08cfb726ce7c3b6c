"""The vendors the receiver serves: each one explicit `Adapter`, declared by its own module.

An adapter module (`media_callbacks.vendors.<module>`) holds its vendor's payload models and
parser and exports `ADAPTER`: the vendor's id, its routes and kinds, its answer shape, its
parser (payload -> normalised result and raw findings; judging against thresholds happens
once, after parsing: media_callbacks.normalise) and its authentication, a scheme of
media_callbacks.signing. The registry below names each vendor's module and imports none of
them: an adapter is imported the first time its vendor calls, so a cold start loads only the
adapter it serves. Adding a vendor is one line in MODULES, its module, its fixtures and tests,
and its route in template.yaml, and touches no other vendor.

Adapter modules do without `from __future__ import annotations`: pydantic would evaluate each
string annotation when it creates a model class, about 1.5 ms of an adapter's first import.
"""

import importlib
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import Any, NamedTuple
from urllib.parse import quote_plus

from media_callbacks.body import form_json, parse_json
from media_callbacks.errors import RejectedPayload
from media_callbacks.results import Parsed
from media_callbacks.signing import TOKEN, Scheme

Parser = Callable[[str | None, dict[str, Any]], Parsed]  # (the route's kind, the body)

# vendor id -> its adapter module (under media_callbacks.vendors), in the order docs list them
MODULES = {
    "umedia": "umedia",
    "ctyun": "ctyun",
    "uai-censor": "uai_censor",
    "tencent": "tencent",
    "alibaba": "alibaba",
    "volcengine": "volcengine",
    "qiniu": "qiniu",
    "aliyun-green": "aliyun_green",
    "yidun": "yidun",
    "shumei": "shumei",
    "huawei-vod": "huawei_vod",
    "huawei-moderation": "huawei_moderation",
    "baidu": "baidu",
}


class Adapter(NamedTuple):  # a dataclass costs ~1 ms of cold start
    id: str
    name: str  # as errors and docs name it
    parse: Parser
    auth: Scheme = TOKEN  # a scheme of media_callbacks.signing; the token is the fallback
    route_kinds: tuple[str, ...] = ()  # kinds of POST /callbacks/<id>/{kind}; () = no such route
    bare_route: bool = True  # POST /callbacks/<id>
    # Keys added to a 2xx answer, by the route's kind and the outcome's status (UCloud reads
    # {"RetCode": 0, "Message": ...}, Yidun {"code": 200, "msg": "ok"}); None: the contract's.
    answer: Callable[[str | None, str], dict[str, Any]] | None = None
    # A sender that posts a form (application/x-www-form-urlencoded) with its JSON inside one
    # field names that field: the field's JSON is the payload parsed, the raw body is stored.
    form_field: str | None = None
    route_auth: tuple[tuple[str, Scheme], ...] = ()  # (kind, scheme): a route's own scheme

    def on_route(self, kind: str | None) -> "Adapter":
        """The adapter as the route of `kind` authenticates (Baidu's VCR route is unsigned
        while its VOD route is signed); itself when the route has no scheme of its own."""
        for route_kind, scheme in self.route_auth:
            if route_kind == kind:
                return self._replace(auth=scheme)
        return self

    @property
    def paths(self) -> tuple[str, ...]:
        """The API resource paths of this vendor's routes."""
        kinds = (f"/callbacks/{self.id}/{{kind}}",) if self.route_kinds else ()
        return kinds + ((f"/callbacks/{self.id}",) if self.bare_route else ())

    def read(self, body: bytes) -> Any:
        """The payload in the body: its JSON, or the JSON inside the form field (RejectedPayload
        naming what is wrong)."""
        return form_json(body, self.form_field) if self.form_field else parse_json(body)

    def body_of(self, payload: bytes) -> bytes:
        """The body this sender posts for a JSON payload (before its scheme signs it): the
        JSON itself, or a form with the JSON in its field (tests, `make send`, the bench)."""
        if not self.form_field:
            return payload
        return f"{quote_plus(self.form_field)}=".encode() + quote_plus(payload).encode()

    def answer_keys(self, kind: str | None, status: str) -> dict[str, Any]:
        """What this sender reads in a 2xx answer, besides the contract's keys."""
        return self.answer(kind, status) if self.answer is not None else {}

    def check_route(self, kind: str | None) -> None:
        """The route's kind, checked before the body is read."""
        if kind is None and not self.bare_route:
            routes = " or ".join(f"/callbacks/{self.id}/{k}" for k in self.route_kinds)
            raise RejectedPayload(f"kind: {self.name} callbacks need a kind in the path: {routes}")
        if kind is not None and kind not in self.route_kinds:
            if not self.route_kinds:
                raise RejectedPayload(f"kind: {self.name} callbacks take no kind in the path")
            raise RejectedPayload(
                f"kind: unknown {self.name} kind {kind[:40]!r}; "
                f"use one of {', '.join(self.route_kinds)}"
            )


@cache
def _load(module: str) -> Adapter:
    """The adapter a module exports, imported on first use."""
    adapter = importlib.import_module(f"media_callbacks.vendors.{module}").ADAPTER
    if not isinstance(adapter, Adapter):
        raise TypeError(f"media_callbacks.vendors.{module}.ADAPTER is not an Adapter")
    return adapter


class Registry(Mapping[str, Adapter]):
    """Vendor id -> adapter; knowing an id imports nothing, reading its adapter imports it."""

    def __getitem__(self, vendor_id: str) -> Adapter:
        return _load(MODULES[vendor_id])

    def __contains__(self, vendor_id: object) -> bool:
        return vendor_id in MODULES

    def __iter__(self) -> Iterator[str]:
        return iter(MODULES)

    def __len__(self) -> int:
        return len(MODULES)


VENDORS = Registry()


def resolve(vendor_id: str) -> Adapter | None:
    """The vendor's adapter, or None for an id no vendor has."""
    return VENDORS[vendor_id] if vendor_id in MODULES else None
