"""One composition root per function: its objects built in one place, once per container.

Each handler module validates its settings at import (a bad environment fails the cold start)
and hands a `build` function to a `Root`; the objects are built on first use (or during a
SnapStart init), and tests replace them with `override` instead of reloading modules.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Root[S]:
    def __init__(self, build: Callable[[], S]) -> None:
        self._build = build
        self._built: S | None = None
        self._lock = threading.Lock()  # the local run calls handlers from several threads

    def get(self) -> S:
        """The function's objects, built on the first call."""
        if self._built is None:
            with self._lock:
                if self._built is None:
                    self._built = self._build()
        return self._built

    def override(self, services: S) -> None:
        """Use these objects instead (tests: fakes, other clients)."""
        self._built = services
