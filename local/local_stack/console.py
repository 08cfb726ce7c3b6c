"""What `make run` prints: a line per callback and per alert, read from the functions' logs in
the emulator's CloudWatch Logs, with every control character escaped so that a task id cannot
start or forge a line."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

# C0 and C1 controls, line and paragraph separators, and bidirectional overrides: none that a
# vendor's text holds may start a new console line or reorder one.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
POLL_SECONDS = 0.5


def escaped(line: str) -> str:
    """`line` with every control character as a visible escape (\\n, \\x1b, \\u2028)."""
    return _CONTROL.sub(lambda m: json.dumps(m.group())[1:-1], line)


def console(line: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"{stamp} {escaped(line)}", flush=True)


def log_line(prefix: str, message: str) -> str | None:
    """The console line for one log event of a function: its JSON log's message (a callback's
    outcome, an alert), else nothing (START/END lines, metrics)."""
    if not message.startswith("{"):
        return None
    try:
        record = json.loads(message)
    except ValueError:
        return None
    text = record.get("message") if isinstance(record, dict) else None
    if not isinstance(text, str) or record.get("level") not in ("INFO", "WARNING", "ERROR"):
        return None
    if prefix and text.startswith(prefix.strip().lower() + " "):  # `alert [block] ...`
        text = text[len(prefix) :]
    return f"{prefix}{text}"


class LogTail:
    """Follows the log groups of the functions and prints a console line per log message."""

    def __init__(self, logs: Any, groups: dict[str, str], out: Callable[[str], None] = console):
        self.logs, self.groups, self.out = logs, groups, out
        start = int(time.time() * 1000) - 1000
        self.since = dict.fromkeys(groups, start)
        self.seen: dict[str, set[str]] = {group: set() for group in groups}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="log-tail", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            for group, prefix in self.groups.items():
                self._follow(group, prefix)

    def _follow(self, group: str, prefix: str) -> None:
        try:
            found = self.logs.filter_log_events(logGroupName=group, startTime=self.since[group])
        except Exception:
            return
        events = sorted(found.get("events", []), key=lambda e: int(e.get("timestamp", 0)))
        fresh = [e for e in events if _identity(e) not in self.seen[group]]
        for event in fresh:
            line = log_line(prefix, str(event.get("message", "")))
            if line:
                self.out(line)
        if events:  # the next poll starts at the newest millisecond, which may hold more
            newest = int(events[-1].get("timestamp", 0))
            self.seen[group] = {
                _identity(e) for e in events if int(e.get("timestamp", 0)) == newest
            }
            self.since[group] = newest


def _identity(event: dict[str, Any]) -> str:
    """An event's id where the service gives one (the emulator gives none), else its stream,
    time and text."""
    found = event.get("eventId")
    if found:
        return str(found)
    return f"{event.get('logStreamName')}|{event.get('timestamp')}|{event.get('message')}"
