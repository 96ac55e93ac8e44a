"""``make bench``: reader pages, sending, the snapshot, the import, the issue report and the
long tail (uncached pages beside bakerydemo's), measured in one run.

    python -m trials.bench      (from the repository's root; ``make bench`` runs it)

Sets up its own data and services on 127.0.0.1 (under ``var/bench/``), prints one table and
writes the same figures to ``var/bench/results/bench-<time>.json`` (also ``latest.json``).
A MISS is reported, never an error: this is a benchmark, not a test.

Environment: the BENCH_* variables listed in docs/benchmarks.md ("Options"), e.g. BENCH_PARTS
(e.g. "pages,send", "admin" or "batch") and BENCH_FULL=1 (also a 100,000-subscriber send).
"""

import argparse
import datetime
import json
import os
import shutil
import signal
import sys
import time

from trials import processes
from trials.bench import (
    admin,
    batch,
    csv_import,
    invalidation,
    issue_report,
    longtail,
    pages,
    relay,
    report,
    scale,
    sending,
)
from trials.bench.stage import DATA, RESULTS, django_env, prepare
from trials.processes import STARTED, Proc, free_port, log, machine
from trials.project import checkpoint, probe
from trials.services import SmtpSink, ensure_smtp_sink, ensure_wrk

PARTS = (
    "pages",
    "send",
    "snapshot",
    "import",
    "report",
    "admin",
    "longtail",
    "batch",
    "relay",
    "scale",
    "invalidation",
)


def env_int(name, default):
    return int(os.environ.get(name, default))


def load_average():
    return "load {:.1f} {:.1f} {:.1f}".format(*processes.load_average())


def part_snapshot(template, results):
    """On the seeded database itself: the builds are rolled back, and the email renditions
    the first one makes are kept, as an editor's preview would leave them before a send."""
    runs = env_int("BENCH_SNAPSHOT_RUNS", 7)
    log(f"build_snapshot: the first build, then {runs} more (each rolled back)")
    results["snapshot"] = probe(django_env(template), "snapshot", str(runs), str(DATA / "message"))
    checkpoint(template)


def part_send(template, results, full):
    if not (DATA / "message" / "message.html").exists():
        part_snapshot(template, results)  # the ceiling sends the issue's own HTML and text
    n = env_int("BENCH_SEND", 10000)
    sink = SmtpSink(free_port())
    try:
        log(f"smtplib ceiling, {n:,} messages")
        runs = [sending.ceiling(sink, n, DATA / "message")]
        pipeline = {str(n): sending.send(template, n, sink)}
        log(f"smtplib ceiling again, {n:,} messages")
        runs.append(sending.ceiling(sink, n, DATA / "message"))
        pipeline["100000"] = sending.send(template, 100000, sink) if full else None
    finally:
        sink.stop()
    results["sending"] = {
        "ceiling": {
            "rate": round(sum(r["rate"] for r in runs) / len(runs), 1),
            "runs": runs,
            "message_bytes": runs[0]["message_bytes"],
        },
        "pipeline": pipeline,
    }
    return DATA / f"send-{n}.sqlite3"


def part_pages(db, results):
    """Pages on the database the send left (today's issue is in the archive, and its tracked
    links give the click redirect a real token)."""
    env = django_env(db)
    paths = probe(env, "urls")
    missing = [key for key, path in paths.items() if not path]
    if missing:
        log(f"no page for {', '.join(missing)}: left out")
    paths = {key: path for key, path in paths.items() if path}
    log("SQL queries and CPU per uncached page (Django test Client)")
    results["queries"] = pages.query_counts(env, paths)
    options = pages.settings_from_env()
    log(
        "gunicorn: cached and uncached servers; wrk {threads} threads, {connections} "
        "connections, {seconds}s per page".format(**options)
    )
    click = probe(env, "click_url")
    if not click["path"]:
        log(f"click redirect left out: {click['reason']}")
        results["meta"]["click_left_out"] = click["reason"]
    results["pages"] = pages.measure(
        env, ensure_wrk(), paths, **options, click=click if click["path"] else None
    )
    results["meta"]["pages_setup"] = (
        "gunicorn -w {workers} sync, wrk -t{threads} -c{connections} -d{seconds}s".format(**options)
    )


def part_longtail(template, results):
    """Uncached article and home beside bakerydemo's blog page (trials.bench.longtail)."""
    env = django_env(template)
    results["longtail"] = longtail.measure(env, ensure_wrk(), probe(env, "urls"))


def main():
    # No options: the settings are the environment variables above; --help shows them.
    parser = argparse.ArgumentParser(
        prog="python -m trials.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.parse_args()
    processes.begin("bench", DATA)
    full = os.environ.get("BENCH_FULL", "") not in ("", "0")
    at_scale = os.environ.get("BENCH_SCALE", "") not in ("", "0")
    parts = [p for p in os.environ.get("BENCH_PARTS", ",".join(PARTS)).split(",") if p]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started_at = datetime.datetime.now(datetime.UTC)
    results = {
        "meta": {
            **machine(),
            "started": started_at.isoformat(timespec="seconds"),
            "load_at_start": load_average(),
            "full": full,
            "scale": at_scale,
            "parts": parts,
            "pages_setup": "",
        }
    }
    if "pages" in parts:
        ensure_wrk()
    if "send" in parts:
        ensure_smtp_sink()
    errors = results["errors"] = {}

    def attempt(part, function, *args):
        """Run one part; a failure is reported in the table and the others still run."""
        try:
            return function(*args)
        except Exception as error:  # any failure is this part's result
            errors[part] = str(error).strip()
            log(f"{part} FAILED: {error}")
            return None
        finally:
            Proc.stop_all()

    try:
        template = attempt("setup", prepare)
        if template is not None:
            if "snapshot" in parts:
                attempt("snapshot", part_snapshot, template, results)
            pages_db = template
            if "send" in parts:
                pages_db = attempt("send", part_send, template, results, full) or template
            if "import" in parts:
                results["import"] = attempt(
                    "import", csv_import.run_import, template, env_int("BENCH_IMPORT_ROWS", 100000)
                )
            if "pages" in parts:
                attempt("pages", part_pages, pages_db, results)
            if "report" in parts:
                results["issue_report"] = attempt("report", issue_report.run, template)
            if "admin" in parts:
                results["admin"] = attempt("admin", admin.run, template)
            if "longtail" in parts:
                attempt("longtail", part_longtail, template, results)
            if "batch" in parts:
                results["batch_api"] = attempt("batch", batch.run, template)
            if "relay" in parts:
                results["relay"] = attempt("relay", relay.run, template, at_scale)
            if "scale" in parts:
                results["scale"] = attempt("scale", scale.run, at_scale)
            if "invalidation" in parts:
                results["invalidation"] = attempt("invalidation", invalidation.run, template)
    finally:
        Proc.stop_all()
    results["meta"]["load_at_end"] = load_average()
    results["meta"]["seconds"] = round(time.monotonic() - STARTED, 1)
    table = report.build(results)
    results["targets"] = table.targets
    print_table(results, table, full)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"bench-{started_at:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    shutil.copyfile(path, RESULTS / "latest.json")
    print(f"\nFigures written to {path}")
    if errors:
        sys.exit(1)


def print_table(results, table, full):
    meta = results["meta"]
    print(
        f"\nTop Ten benchmark, {meta['started']} on {meta['host']} ({meta['cpus']} CPUs, "
        f"{meta['cpu'] or 'unknown CPU'}), Python {meta['python']}, commit {meta['commit']}"
    )
    print(
        f"Production settings, DEBUG off, SQLite; {meta['load_at_start']} at start, "
        f"{meta['load_at_end']} at end; {meta['seconds']:.0f} s in all."
    )
    print(
        "Shared machines make absolute figures noisy: compare the ratios to the ceilings, "
        "which are measured in the same run.\n"
    )
    print(table.render())
    for part, error in results["errors"].items():
        print(
            f"\n{part} FAILED (its figures are missing):\n  "
            + "\n  ".join(error.splitlines()[-12:])
        )
    missed = [t["figure"] for t in table.targets if t["result"] == "MISS"]
    print(
        f"\n{len(table.targets) - len(missed)} of {len(table.targets)} targets met"
        + (f"; missed: {'; '.join(missed)}" if missed else ".")
    )
    if not full:
        print(
            "The 100,000-subscriber send (and so the flat-memory target) runs only with "
            "BENCH_FULL=1 (a few minutes more)."
        )


if __name__ == "__main__":
    main()
