"""The local emulator's guard lets through one web origin only: its own, from which the review
desk's page (served by the emulated API) signs in and calls the API (docs/LOCAL.md)."""

from __future__ import annotations

import pytest

from local_stack.guard import refusal

HOST = "127.0.0.1:4566"


def test_the_emulators_own_page_reaches_it() -> None:
    environ = {
        "HTTP_HOST": HOST,
        "HTTP_ORIGIN": f"http://{HOST}",
        "HTTP_SEC_FETCH_SITE": "same-origin",
    }
    assert refusal(environ) is None
    assert refusal({"HTTP_HOST": HOST, "HTTP_ORIGIN": f"http://{HOST}"}) is None


@pytest.mark.parametrize(
    ("origin", "site"),
    [
        ("https://evil.example", "cross-site"),
        ("http://127.0.0.1:8080", "same-site"),  # another port of this machine: another origin
        ("http://localhost:4566", "cross-site"),  # another host name of it
        (f"https://{HOST}", "cross-site"),
        (f"http://{HOST}", "cross-site"),  # a forged Origin the browser contradicts
        ("null", "cross-site"),
    ],
)
def test_every_other_origin_is_refused(origin: str, site: str) -> None:
    environ = {"HTTP_HOST": HOST, "HTTP_ORIGIN": origin, "HTTP_SEC_FETCH_SITE": site}
    assert refusal(environ) is not None


def test_a_rebound_host_with_its_own_origin_is_still_refused() -> None:
    host = "attacker.example:4566"
    environ = {
        "HTTP_HOST": host,
        "HTTP_ORIGIN": f"http://{host}",
        "HTTP_SEC_FETCH_SITE": "same-origin",
    }
    assert refusal(environ) is not None
