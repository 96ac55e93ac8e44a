"""``make bench``: reader pages, sending, the snapshot and the import, measured in one run.

Sets up its own data and services on 127.0.0.1 (under ``var/bench/``), prints one table and
writes the same figures to ``var/bench/results/bench-<time>.json`` (also ``latest.json``).
A MISS is reported, never an error: this is a benchmark, not a test.

Environment: BENCH_FULL=1 also sends to 100,000 subscribers (a few minutes more);
BENCH_SECONDS (wrk duration, 10), BENCH_WORKERS (gunicorn workers, 2), BENCH_WRK_THREADS (2),
BENCH_WRK_CONNECTIONS (32), BENCH_SEND (subscribers in the default send, 10000),
BENCH_IMPORT_ROWS (100000), BENCH_SNAPSHOT_RUNS (7), BENCH_PARTS (e.g. "pages,send").
"""

import datetime
import json
import os
import platform
import shutil
import signal
import sqlite3
import sys
import time

import csv_import
import pages
import report
import sending
from common import (
    DATA,
    RESULTS,
    STARTED,
    Proc,
    django_env,
    free_port,
    git_describe,
    log,
    manage,
    probe,
    seed_env,
)
from tools import SmtpSink, ensure_smtp_sink, ensure_wrk

PARTS = ("pages", "send", "snapshot", "import")


def env_int(name, default):
    return int(os.environ.get(name, default))


def checkpoint(db):
    """Fold the WAL into the database file so a plain copy has everything."""
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def prepare():
    """A migrated, seeded database with its task queue drained, and collected static files."""
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    template = DATA / "seeded.sqlite3"
    env = django_env(template)
    log("migrate, collectstatic, seed_demo (production settings; seed_demo runs with dev's)")
    manage(["migrate", "--noinput"], env, "migrate")
    manage(["collectstatic", "--noinput", "--verbosity", "0"], env, "collectstatic")
    manage(["seed_demo", "--quiet"], seed_env(env), "seed")
    manage(["db_worker", "--queue-name", "*", "--batch", "--no-reload"], env, "seed-drain")
    checkpoint(template)
    return template


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo
                          if line.startswith("model name")), "")
    except OSError:
        pass
    return {"host": platform.node(), "cpus": os.cpu_count(), "cpu": model,
            "python": platform.python_version(), "commit": git_describe()}


def load_average():
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def part_snapshot(template, results):
    """On the seeded database itself: the builds are rolled back, and the email renditions
    the first one makes are kept, as an editor's preview would leave them before a send."""
    runs = env_int("BENCH_SNAPSHOT_RUNS", 7)
    log(f"build_snapshot: the first build, then {runs} more (each rolled back)")
    results["snapshot"] = probe(django_env(template), "snapshot", str(runs),
                                str(DATA / "message"))
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
        "ceiling": {"rate": round(sum(r["rate"] for r in runs) / len(runs), 1), "runs": runs,
                    "message_bytes": runs[0]["message_bytes"]},
        "pipeline": pipeline,
    }
    return DATA / f"send-{n}.sqlite3"


def part_pages(db, results):
    """Pages on the database the send left (today's issue is in the archive)."""
    env = django_env(db)
    paths = probe(env, "urls")
    missing = [key for key, path in paths.items() if not path]
    if missing:
        log(f"no page for {', '.join(missing)}: left out")
    paths = {key: path for key, path in paths.items() if path}
    log("SQL queries and CPU per uncached page (Django test Client)")
    results["queries"] = pages.query_counts(env, paths)
    options = pages.settings_from_env()
    log("gunicorn: cached and uncached servers; wrk {threads} threads, {connections} "
        "connections, {seconds}s per page".format(**options))
    results["pages"] = pages.measure(env, ensure_wrk(), paths, **options)
    results["meta"]["pages_setup"] = (
        "gunicorn -w {workers} sync, wrk -t{threads} -c{connections} -d{seconds}s"
        .format(**options))


def main():
    full = os.environ.get("BENCH_FULL", "") not in ("", "0")
    parts = [p for p in os.environ.get("BENCH_PARTS", ",".join(PARTS)).split(",") if p]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started_at = datetime.datetime.now(datetime.UTC)
    results = {"meta": {**machine(), "started": started_at.isoformat(timespec="seconds"),
                        "load_at_start": load_average(), "full": full, "parts": parts,
                        "pages_setup": ""}}
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
                results["import"] = attempt("import", csv_import.run_import, template,
                                            env_int("BENCH_IMPORT_ROWS", 100000))
            if "pages" in parts:
                attempt("pages", part_pages, pages_db, results)
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
    print(f"\nTop Ten benchmark, {meta['started']} on {meta['host']} ({meta['cpus']} CPUs, "
          f"{meta['cpu'] or 'unknown CPU'}), Python {meta['python']}, commit {meta['commit']}")
    print(f"Production settings, DEBUG off, SQLite; {meta['load_at_start']} at start, "
          f"{meta['load_at_end']} at end; {meta['seconds']:.0f} s in all.")
    print("Shared machines make absolute figures noisy: compare the ratios to the ceilings, "
          "which are measured in the same run.\n")
    print(table.render())
    for part, error in results["errors"].items():
        print(f"\n{part} FAILED (its figures are missing):\n  " + "\n  ".join(
            error.splitlines()[-12:]))
    missed = [t["figure"] for t in table.targets if t["result"] == "MISS"]
    print(f"\n{len(table.targets) - len(missed)} of {len(table.targets)} targets met"
          + (f"; missed: {'; '.join(missed)}" if missed else "."))
    if not full:
        print("The 100,000-subscriber send (and so the flat-memory target) runs only with "
              "BENCH_FULL=1 (a few minutes more).")


if __name__ == "__main__":
    main()
