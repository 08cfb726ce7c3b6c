"""What the form senders bring, built once for all: a form body read field by field as sent
(the JSON inside one field is the payload), and the digest a sender names (MD5, SHA1, SHA256,
SM3), SM3 from the runtime's OpenSSL or, where it lacks SM3, from gmssl."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from media_callbacks import signing
from media_callbacks.body import form_body, form_json, parse_form
from media_callbacks.errors import RejectedPayload
from media_callbacks.signing import hex_digest, sm3_hex

# GB/T 32905's own example, which Aliyun's SM3 page reproduces
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_a_form_is_read_as_sent_and_the_json_in_its_field_is_the_payload() -> None:
    body = b"checksum=ab12&content=%7B%22taskId%22%3A%22t+1%22%2C%22n%22%3A%221%22%7D"
    assert parse_form(body) == {"checksum": "ab12", "content": '{"taskId":"t 1","n":"1"}'}
    assert form_json(body, "content") == {"taskId": "t 1", "n": "1"}


def test_a_form_without_its_json_field_is_rejected_naming_the_field() -> None:
    with pytest.raises(RejectedPayload, match=r"^content: missing; .*fields sent: checksum"):
        form_json(b"checksum=1", "content")


def test_json_that_is_not_json_inside_the_field_is_rejected_naming_the_field() -> None:
    with pytest.raises(RejectedPayload, match=r"^callbackData: not valid JSON"):
        form_json(b"callbackData=%7Bnope", "callbackData")


def test_a_field_sent_twice_or_a_value_that_is_not_utf8_is_rejected() -> None:
    with pytest.raises(RejectedPayload, match="content: form field sent more than once"):
        parse_form(b"content=1&content=2")
    with pytest.raises(RejectedPayload, match="content: not valid UTF-8 once URL-decoded"):
        parse_form(b"content=%FF")
    with pytest.raises(RejectedPayload, match=r"body: not valid UTF-8 \(byte 8\)"):
        parse_form(b"content=\xff")


@given(fields=st.dictionaries(st.text(min_size=1), st.text()))
def test_any_form_a_sender_encodes_reads_back_as_its_fields(fields: dict[str, str]) -> None:
    clean = {k: v for k, v in fields.items() if not _surrogates(k + v)}
    assert parse_form(form_body(clean)) == clean


@given(body=st.binary(max_size=300))
def test_any_bytes_as_a_form_are_fields_or_a_named_rejection(body: bytes) -> None:
    error = None
    try:
        form_json(body, "content")
    except RejectedPayload as exc:
        error = exc.error
    assert error is None or ": " in error, error  # "<field>: <reason>", never another exception


def _surrogates(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def test_each_digest_a_sender_may_name_in_any_case() -> None:
    data = b"abc"
    assert hex_digest("md5", data) == hashlib.md5(data).hexdigest()  # noqa: S324
    assert hex_digest("SHA1", data) == hashlib.sha1(data).hexdigest()  # noqa: S324
    assert hex_digest("Sha256", data) == hashlib.sha256(data).hexdigest()
    assert hex_digest("SM3", data) == SM3_ABC
    assert hex_digest("SHA512", data) is None  # a name no sender documents: never a match


def test_sm3_from_gmssl_where_the_runtimes_openssl_lacks_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(signing, "SM3_IN_OPENSSL", False)
    assert sm3_hex(b"abc") == SM3_ABC
    assert sm3_hex(b"abcd" * 16) == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"  # GB/T 32905 A.2
    )


def test_this_runtimes_openssl_has_sm3() -> None:
    """What the docs say of this project's python3.13: SM3 from OpenSSL, gmssl not imported."""
    assert signing.SM3_IN_OPENSSL
