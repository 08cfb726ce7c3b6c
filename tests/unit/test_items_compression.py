"""How a raw body is kept in an item: exact bytes back whatever the form, gzip where it pays."""

from __future__ import annotations

import gzip
import json

from hypothesis import given
from hypothesis import strategies as st

from helpers import ROOT
from media_callbacks.items import stored_body, stored_bytes
from media_callbacks.storage import GZIP_SAVING


@given(raw=st.binary(max_size=4096), room=st.integers(min_value=0, max_value=8192))
def test_any_bytes_come_back_exactly_from_whatever_form_they_are_kept_in(
    raw: bytes, room: int
) -> None:
    for saving in (None, GZIP_SAVING):
        value, encoding = stored_body(raw, room, gzip_saving=saving)
        assert stored_bytes(value, encoding) == raw


@given(text=st.text(max_size=2048))
def test_gzip_is_chosen_only_when_it_saves_a_quarter_or_the_text_does_not_fit(text: str) -> None:
    raw = text.encode()
    value, encoding = stored_body(raw, room=len(raw), gzip_saving=GZIP_SAVING)
    packed = len(gzip.compress(raw, compresslevel=6, mtime=0))
    if encoding == "gzip":
        assert len(value) == packed <= 0.75 * len(raw)
    else:
        assert (value, encoding) == (text, "utf-8")
        assert packed > 0.75 * len(raw)


def test_every_example_callback_of_300_bytes_and_more_is_kept_compressed() -> None:
    """The vendors' JSON shrinks by 28 to 71%: the saving that takes results under 1 KB."""
    for path in sorted(ROOT.glob("events/*/*.json")):
        raw = path.read_bytes()
        if path.parent.name in ("apigw", "sqs", "stream") or len(raw) < 300:
            continue
        json.loads(raw)  # a callback body, not an event envelope
        value, encoding = stored_body(raw, room=400 * 1024, gzip_saving=GZIP_SAVING)
        assert encoding == "gzip", path
        assert len(value) <= (1 - GZIP_SAVING) * len(raw), path


def test_without_a_saving_asked_for_text_is_kept_while_it_fits() -> None:
    raw = (ROOT / "events/ctyun/ai-content-review.json").read_bytes()
    assert stored_body(raw, room=len(raw)) == (raw.decode(), "utf-8")  # a rejected body
    assert stored_body(raw, room=len(raw) - 1)[1] == "gzip"
    assert stored_body(b"\xff" * 10, room=100) == ("/////////////w==", "base64")
