"""How a raw body is kept in an item: the exact bytes back whatever the form; text whenever it
fits (the contract's `payload` is the raw body as received), gzip only when it does not."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from helpers import ROOT
from media_callbacks.items import stored_body, stored_bytes


@given(raw=st.binary(max_size=4096), room=st.integers(min_value=0, max_value=8192))
def test_any_bytes_come_back_exactly_from_whatever_form_they_are_kept_in(
    raw: bytes, room: int
) -> None:
    value, encoding = stored_body(raw, room)
    assert stored_bytes(value, encoding) == raw


@given(text=st.text(max_size=2048))
def test_text_that_fits_is_kept_as_the_text_it_is(text: str) -> None:
    raw = text.encode()
    assert stored_body(raw, room=len(raw)) == (text, "utf-8")


def test_gzip_only_when_the_text_does_not_fit_and_base64_for_bytes_that_are_not_utf8() -> None:
    raw = (ROOT / "events/ctyun/ai-content-review.json").read_bytes()
    assert stored_body(raw, room=len(raw)) == (raw.decode(), "utf-8")
    assert stored_body(raw, room=len(raw) - 1)[1] == "gzip"
    assert stored_body(b"\xff" * 10, room=100) == ("/////////////w==", "base64")
