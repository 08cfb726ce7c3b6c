"""The vendors the receiver serves, each an adapter module of its own, registered here.

An adapter module (`media_callbacks.vendors.<module>`) holds its vendor's payload models and
normaliser and exposes `normalise(kind, data, thresholds) -> CallbackResult`. It is imported
the first time its vendor calls, so a cold start loads only the adapter it serves. The routes
below are what the template's API, the local run and the docs follow; adding a vendor is one
line here, its module, its fixtures and its route in template.yaml, and touches no other vendor.

Adapter modules do without `from __future__ import annotations`: pydantic would evaluate each
string annotation when it creates a model class, about 1.5 ms of an adapter's first import.
"""

import importlib
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, NamedTuple, cast

if TYPE_CHECKING:
    from media_callbacks.signing import Scheme


class Vendor(NamedTuple):  # a dataclass costs ~1 ms of cold start
    id: str
    name: str  # as errors and docs name it
    module: str
    route_kinds: tuple[str, ...] = ()  # kinds of POST /callbacks/<id>/{kind}; () = no such route
    bare_route: bool = True  # POST /callbacks/<id>
    retcode_answer: bool = False  # UCloud reads {"RetCode": 0, "Message": ...} in a 2xx answer
    signed: bool = False  # the adapter has a signature scheme (configured, valid): signing.py

    @property
    def paths(self) -> tuple[str, ...]:
        """The API resource paths of this vendor's routes."""
        kinds = (f"/callbacks/{self.id}/{{kind}}",) if self.route_kinds else ()
        return kinds + ((f"/callbacks/{self.id}",) if self.bare_route else ())


VENDORS: dict[str, Vendor] = {
    vendor.id: vendor
    for vendor in (
        Vendor(
            "umedia",
            "UMedia",
            "umedia",
            route_kinds=("transcode", "snapshot", "slice", "moderation"),
        ),
        Vendor("ctyun", "CTyun", "ctyun"),
        Vendor("uai-censor", "UAI-Censor", "uai_censor", retcode_answer=True),
        Vendor("tencent", "Tencent VOD", "tencent"),
        Vendor("alibaba", "Alibaba Cloud VOD", "alibaba", signed=True),
        Vendor("volcengine", "Volcengine VOD", "volcengine", signed=True),
        Vendor(
            "qiniu", "Qiniu", "qiniu", route_kinds=("pfop", "censor"), bare_route=False, signed=True
        ),
    )
}


def vendor(vendor_id: str) -> Vendor | None:
    return VENDORS.get(vendor_id)


@cache
def adapter(vendor_id: str) -> ModuleType:
    """The vendor's adapter module, imported on first use."""
    return importlib.import_module(f"media_callbacks.vendors.{VENDORS[vendor_id].module}")


def scheme(vendor_id: str) -> "Scheme | None":
    """The vendor's signature scheme (its adapter module), or None for a token-only vendor."""
    return cast("Scheme", adapter(vendor_id)) if VENDORS[vendor_id].signed else None
