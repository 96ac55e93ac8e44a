"""``make chaos``: fault trials of the sending pipeline, counted at an SMTP sink.

    python -m trials.chaos [--trials 10] [--subscribers 5000] [--lease-seconds 4]
                           [--outage-seconds S] [--parts kill,two,outage]

(from the repository's root; ``make chaos CHAOS_ARGS="..."`` runs it with these options)

1. SIGKILL trials: trial i (seed i) sends the issue to N subscribers, SIGKILLs the real
   ``manage.py db_worker`` when the sink takes a randomly chosen message, starts another
   worker and waits for the send to finish. Every recipient must end with exactly one
   message, except messages in flight at the kill, and those must be among the deliveries
   the application flags as possible duplicates (its report counts them).
2. Two workers on PostgreSQL send the same issue at once: everyone exactly once, both send.
3. The database goes away in the middle of a send (PostgreSQL: a proxy drops every
   connection and refuses new ones; SQLite: another process holds the write lock past the
   busy timeout) and comes back: the same worker process finishes the send.
4. The issue goes through anymail's Mailgun client to a local Mailgun-compatible server
   (``trials.mailgun``, 200 ms a call), 500 readers a call, two calls at once; the worker is
   SIGKILLed in the middle of a call. Nobody is missing, and the only duplicates are the
   batches in flight, flagged.

With DATABASE_URL at PostgreSQL every part runs there (its own databases, dropped after);
otherwise on SQLite files, and part 2 is skipped. Everything lives under ``var/chaos/``; the
summary table goes to stdout, the figures to ``var/chaos/results/chaos-<time>.json``. The
exit status is 1 if any check failed.
"""

import argparse
import json
import os
import shutil
import signal
import sys
import time
from datetime import UTC, datetime

from trials import processes
from trials.chaos import scenarios
from trials.chaos.faults import Loop, RecordingSink
from trials.chaos.stage import DATA, RESULTS, databases_for, make_template
from trials.mailgun import MailgunServer
from trials.processes import ROOT, Proc, git_describe, log

PARTS = ("kill", "two", "outage", "batch")
# The batch-API trial: readers per call (5,000 readers: ten calls) and its lease, long enough
# that a 1,000-reader call on a loaded machine ends within its timeout (half the lease).
BATCH_SIZE = 500
BATCH_LEASE_SECONDS = 10
# Longer than SQLite's busy timeout (20 s in config/settings/base.py), so the worker's
# writes fail with "database is locked" instead of only waiting.
SQLITE_OUTAGE_SECONDS = 25
POSTGRES_OUTAGE_SECONDS = 5


def arguments():
    parser = argparse.ArgumentParser(
        prog="python -m trials.chaos", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--trials", type=int, default=10, help="SIGKILL trials (default 10)")
    parser.add_argument(
        "--subscribers", type=int, default=5000, help="subscribers the issue goes to (default 5000)"
    )
    parser.add_argument(
        "--lease-seconds",
        type=int,
        default=4,
        help="NEWSLETTER_LEASE_SECONDS for the workers (default 4)",
    )
    parser.add_argument(
        "--outage-seconds",
        type=float,
        default=None,
        help=f"how long the database is away (default "
        f"{POSTGRES_OUTAGE_SECONDS} on PostgreSQL, {SQLITE_OUTAGE_SECONDS} on "
        "SQLite)",
    )
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help="which parts to run (default: kill,two,outage,batch)",
    )
    options = parser.parse_args()
    options.parts = [part for part in options.parts.split(",") if part]
    unknown = set(options.parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    if options.subscribers < 10:
        parser.error("--subscribers must be at least 10")
    return options


def main():
    options = arguments()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    processes.begin("chaos", DATA)
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    databases = databases_for(os.environ.get("DATABASE_URL", ""))
    outage_s = options.outage_seconds or (
        POSTGRES_OUTAGE_SECONDS if databases.kind == "PostgreSQL" else SQLITE_OUTAGE_SECONDS
    )
    started = time.monotonic()
    loop = Loop()
    sink = RecordingSink(loop)
    results = {
        "meta": {
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": git_describe(),
            "database": databases.kind,
            "subscribers": options.subscribers,
            "lease_seconds": options.lease_seconds,
            "cpus": os.cpu_count(),
        },
        "kill": [],
        "two_workers": None,
        "outage": None,
        "batch_api": None,
        "errors": [],
    }
    try:
        template = "template"
        make_template(databases, template, options.subscribers, sink.port)
        results["meta"]["setup_s"] = round(time.monotonic() - started, 1)

        def attempt(label, function, *args):
            try:
                return function(*args)
            except Exception as error:
                log(f"{label} failed: {error}")
                results["errors"].append(f"{label}: {error}")
                return {"ok": False, "problems": [str(error)]}

        if "kill" in options.parts:
            for trial in range(1, options.trials + 1):
                figures = attempt(
                    f"kill trial {trial}",
                    scenarios.kill_trial,
                    trial,
                    databases,
                    template,
                    sink,
                    options.lease_seconds,
                )
                figures.setdefault("trial", trial)
                results["kill"].append(figures)
                log(f"trial {trial}: {summary(figures)}")
        if "two" in options.parts:
            results["two_workers"] = attempt(
                "two workers",
                scenarios.two_workers,
                databases,
                template,
                sink,
                options.lease_seconds,
            )
            log(f"two workers: {summary(results['two_workers'])}")
        if "outage" in options.parts:
            results["outage"] = attempt(
                "outage",
                scenarios.outage,
                databases,
                template,
                sink,
                options.lease_seconds,
                outage_s,
            )
            log(f"outage: {summary(results['outage'])}")
        if "batch" in options.parts:
            with MailgunServer(delay=0.2, keep="count") as mailgun:
                results["batch_api"] = attempt(
                    "batch API",
                    scenarios.batch_api_trial,
                    databases,
                    template,
                    mailgun,
                    BATCH_LEASE_SECONDS,
                    BATCH_SIZE,
                )
            log(f"batch API: {summary(results['batch_api'])}")
    finally:
        Proc.stop_all()
        sink.stop()
        loop.stop()
        if hasattr(databases, "drop_all"):
            databases.drop_all()
    results["meta"]["total_s"] = round(time.monotonic() - started, 1)
    ok = all_ok(results)
    results["ok"] = ok
    print_table(results)
    path = RESULTS / f"chaos-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nFigures: {path.relative_to(ROOT)}")
    print("All checks passed." if ok else "FAILED: see the problems above.")
    return 0 if ok else 1


def summary(figures):
    if figures.get("skipped"):
        return f"skipped: {figures['skipped']}"
    if not figures.get("ok"):
        return "FAIL: " + "; ".join(figures.get("problems", []))
    return (
        f"PASS: {figures.get('subscribers', 0):,} subscribers, missing "
        f"{figures.get('missing')}, duplicates {figures.get('duplicates')}, flagged "
        f"{figures.get('flagged')}"
    )


def all_ok(results):
    parts = [*results["kill"], results["two_workers"], results["outage"], results["batch_api"]]
    return not results["errors"] and all(part.get("ok") for part in parts if part)


def number(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def print_table(results):
    columns = (
        "check",
        "database",
        "subscribers",
        "killed after",
        "missing",
        "duplicates",
        "flagged",
        "resumed",
        "done",
        "total",
        "result",
    )
    rows = []
    totals = {"subscribers": 0, "missing": 0, "duplicates": 0, "flagged": 0}
    for figures in results["kill"]:
        for key in totals:
            totals[key] += figures.get(key) or 0
        rows.append(
            (
                f"SIGKILL trial {figures['trial']} (seed {figures['trial']})",
                figures.get("database"),
                number(figures.get("subscribers")),
                number(figures.get("killed_after")),
                number(figures.get("missing")),
                number(figures.get("duplicates")),
                number(figures.get("flagged")),
                seconds(figures.get("first_message_after_restart_s")),
                seconds(figures.get("resume_s")),
                seconds(figures.get("total_s")),
                result(figures),
            )
        )
    if results["kill"]:
        kills = results["kill"]
        rows.append(
            (
                f"SIGKILL, all {len(kills)} trials",
                results["meta"]["database"],
                number(totals["subscribers"]),
                "",
                number(totals["missing"]),
                number(totals["duplicates"]),
                number(totals["flagged"]),
                "",
                "",
                "",
                "PASS" if all(f.get("ok") for f in kills) else "FAIL",
            )
        )
    two = results["two_workers"]
    if two:
        if two.get("skipped"):
            rows.append(
                (
                    "two workers at once",
                    "-",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    f"skipped: {two['skipped'].split(' (')[0]}",
                )
            )
        else:
            by = two.get("sent_by_worker", {})
            rows.append(
                (
                    "two workers at once",
                    two.get("database"),
                    number(two.get("subscribers")),
                    "",
                    number(two.get("missing")),
                    number(two.get("duplicates")),
                    number(two.get("flagged")),
                    "",
                    "",
                    seconds(two.get("total_s")),
                    result(two),
                )
            )
            rows.append((f"  sent by worker a / b: {number(by.get('a'))} / {number(by.get('b'))}",))
    down = results["outage"]
    if down:
        rows.append(
            (
                f"database away {number(down.get('outage_s'))} s mid-send",
                down.get("database"),
                number(down.get("subscribers")),
                "",
                number(down.get("missing")),
                number(down.get("duplicates")),
                number(down.get("flagged")),
                seconds(down.get("first_message_after_s")),
                seconds(down.get("done_after_s")),
                seconds(down.get("total_s")),
                result(down),
            )
        )
        if down.get("fault"):
            rows.append(
                (
                    f"  {down['fault']}; at message {number(down.get('outage_at_message'))}"
                    f", {number(down.get('sent_during_outage'))} sent while away, same "
                    f"worker process to the end: "
                    f"{'yes' if down.get('worker_survived') else 'NO'}",
                )
            )
    batched = results["batch_api"]
    if batched:
        rows.append(
            (
                f"SIGKILL mid batch API call ({number(batched.get('batch_size'))} a call, "
                f"{number(batched.get('batch_calls'))} at once)",
                batched.get("database"),
                number(batched.get("subscribers")),
                number(batched.get("killed_after")),
                number(batched.get("missing")),
                number(batched.get("duplicates")),
                number(batched.get("flagged")),
                "",
                seconds(batched.get("resume_s")),
                seconds(batched.get("total_s")),
                result(batched),
            )
        )
    table_rows = [row for row in rows if not row[0].startswith("  ")]
    widths = [max(len(str(row[i])) for row in [columns, *table_rows]) for i in range(len(columns))]
    meta = results["meta"]
    print(
        f"\nFault trials: {meta['database']}, {meta['subscribers']:,} subscribers, lease "
        f"{meta['lease_seconds']} s, set-up {number(meta.get('setup_s'))} s, whole run "
        f"{number(meta.get('total_s'))} s ({meta['commit']})"
    )
    print("  ".join(str(c).ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in rows:
        if row[0].startswith("  "):
            print(row[0])
        else:
            print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    print(
        "killed after: messages at the sink when the worker died; flagged: deliveries the "
        "app reports as possibly sent twice;\nresumed / done: from the restart (SIGKILL) or "
        "the database's return (outage) to the next message / to the campaign marked sent"
    )
    for label, figures in [
        *((f"trial {f['trial']}", f) for f in results["kill"]),
        ("two workers", two),
        ("outage", down),
        ("batch API", batched),
    ]:
        for problem in (figures or {}).get("problems", []):
            print(f"  {label}: {problem}")


def seconds(value):
    return "-" if value is None else f"{value:.1f} s"


def result(figures):
    return "PASS" if figures.get("ok") else "FAIL"


if __name__ == "__main__":
    sys.exit(main())
