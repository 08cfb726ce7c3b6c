"""The background loop shared by the local event source mappings."""

from __future__ import annotations

import threading


class Poller:
    """Calls `run_once` until it finds nothing, waits `interval`, again; until `stop`.

    An error is printed (once while it repeats) and polling goes on, as Lambda's managed pollers
    keep going.
    """

    name = "poller"

    def run_once(self) -> int:
        raise NotImplementedError

    def start(self, interval: float = 0.2) -> None:
        self._stop = threading.Event()

        def loop() -> None:
            last_error = ""
            while not self._stop.is_set():
                try:
                    while self.run_once():
                        pass
                    last_error = ""
                except Exception as exc:
                    error = f"{self.name}: {type(exc).__name__}: {exc}"
                    if error != last_error:  # once per outage, not five times a second
                        print(error, flush=True)
                    last_error = error
                self._stop.wait(interval)

        self._thread = threading.Thread(target=loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if hasattr(self, "_stop"):
            self._stop.set()
            self._thread.join(timeout=5)
