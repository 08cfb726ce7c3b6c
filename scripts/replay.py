"""Re-run stored rejected callbacks through the current parser, after a fix.

    python scripts/replay.py --table TABLE [--since DAY] [--until DAY] [--apply]

Without --apply nothing is written: each rejected body is parsed and the outcome reported. With
--apply, bodies that parse now are stored exactly as a live callback would be (duplicates and the
failed-after-succeeded rule hold; received_at is the original arrival), and each rejected item is
marked with replayed_at, replay_outcome and replay_error. Items already replayed are skipped
unless --again. Works against AWS (default credentials) or the local emulator (--endpoint-url).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from media_callbacks.aws import CONFIG
from media_callbacks.delivery import Delivery, utc_now
from media_callbacks.errors import RejectedPayload
from media_callbacks.ingest import Ingestor
from media_callbacks.items import stored_bytes
from media_callbacks.settings import ConfigError, Settings, load_settings
from media_callbacks.storage import ItemRefused, ResultsTable, StorageUnavailable

ROUTE_PREFIX = "POST /callbacks/"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def route_target(route: str) -> tuple[str, str | None]:
    """("umedia", "transcode") from "POST /callbacks/umedia/transcode"."""
    if not route.startswith(ROUTE_PREFIX):
        raise ValueError(f"not a callback route: {route!r}")
    parts = route[len(ROUTE_PREFIX) :].split("/")
    return parts[0], parts[1] if len(parts) > 1 else None


def delivery_of(item: dict[str, Any]) -> Delivery:
    vendor, kind = route_target(item["route"])
    raw = stored_bytes(item.get("body") or "", item.get("body_encoding"))
    return Delivery(
        route=item["route"],
        vendor=vendor,
        kind=kind,
        body=raw,
        received_at=item["received_at"],
        request_id=item.get("request_id") or item["sk"],
        content_type=item.get("content_type"),
        source_ip=item.get("source_ip"),
        headers=item.get("headers") or {},
        query=item.get("query") or {},
        problem=item.get("problem"),  # e.g. a body that was not the base64 it claimed
    )


def dry_run(delivery: Delivery, ingestor: Ingestor) -> tuple[str, str | None]:
    try:
        _, result = ingestor.parse(delivery)
    except RejectedPayload as exc:
        return "rejected", exc.error
    return "would store", f"{result.vendor} {result.kind} task {result.task_id}"


def replay(
    store: ResultsTable,
    settings: Settings,
    since: date,
    until: date,
    *,
    apply: bool,
    again: bool,
    out: Any,
) -> Counter[str]:
    ingestor = Ingestor(store, settings.thresholds)
    outcomes: Counter[str] = Counter()
    for n, item in enumerate(store.rejected(since, until), start=1):
        if item.get("replayed_at") and item.get("replay_outcome") != "rejected" and not again:
            outcomes["skipped (already replayed)"] += 1
            continue
        try:
            delivery = delivery_of(item)
        except ValueError as exc:
            outcomes["skipped (not a callback)"] += 1
            print(f"{item['sk']}: skipped: {exc}", file=out)
            continue
        if not apply:
            outcome, detail = dry_run(delivery, ingestor)
        else:
            result = ingestor.ingest(delivery, keep_rejected=False)
            outcome, detail = result.status, result.summary()
            key = {"pk": item["pk"], "sk": item["sk"]}
            store.mark_replayed(key, utc_now(), outcome, result.error)
        outcomes[outcome] += 1
        print(f"{item['sk']} {item['route']}: {outcome}: {detail}", file=out)
        if n % 100 == 0:
            print(f"... {n} rejected bodies read", file=out, flush=True)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python scripts/replay.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--table", default=os.environ.get("TABLE_NAME"), help="results table")
    today = datetime.now(UTC).date()
    parser.add_argument(
        "--since",
        type=date.fromisoformat,
        default=today - timedelta(days=7),
        help="first day (UTC, YYYY-MM-DD; default a week ago)",
    )
    parser.add_argument(
        "--until", type=date.fromisoformat, default=today, help="last day (default today)"
    )
    parser.add_argument("--apply", action="store_true", help="store what parses now")
    parser.add_argument("--again", action="store_true", help="also items already replayed")
    parser.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL"))
    args = parser.parse_args(argv)
    if not args.table:
        parser.error("give --table (or set TABLE_NAME); the stack output ResultsTableName has it")
    if args.since > args.until:
        parser.error("--since is after --until")
    try:  # validated as the functions validate theirs (MODERATION_THRESHOLDS: the thresholds)
        settings = load_settings({**os.environ, "TABLE_NAME": args.table})
    except ConfigError as exc:
        parser.error(str(exc))
    from botocore.session import get_session

    local = bool(args.endpoint_url) and urlsplit(args.endpoint_url).hostname in LOCAL_HOSTS
    session = get_session()
    if local and session.get_credentials() is None:
        session.set_credentials("local", "local")  # the emulator takes any credentials
    client: Any = session.create_client(
        "dynamodb",
        endpoint_url=args.endpoint_url,
        region_name=session.get_config_variable("region") or "us-east-1",
        config=CONFIG,
    )
    mode = "replaying" if args.apply else "dry run (nothing written; --apply stores)"
    print(f"{mode}: rejected bodies of {args.table} from {args.since} to {args.until}")
    try:
        outcomes = replay(
            ResultsTable(args.table, client=client),
            settings,
            args.since,
            args.until,
            apply=args.apply,
            again=args.again,
            out=sys.stdout,
        )
    except (StorageUnavailable, ItemRefused) as exc:
        print(f"cannot read {args.table}: {exc}", file=sys.stderr)
        return 2
    total = sum(outcomes.values())
    summary = ", ".join(f"{count} {name}" for name, count in outcomes.most_common()) or "none"
    print(f"{total} rejected bodies: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
