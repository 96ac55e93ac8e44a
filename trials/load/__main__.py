"""``make load``: 50 readers for 60 seconds while today's issue goes to 10,000 subscribers.

Everything runs on 127.0.0.1 with its files under ``var/load/`` (emptied on every run but for
earlier results): a database seeded with the demo content and 10,000 subscribers, gunicorn
with the production settings (DEBUG off, the page cache on), the task worker
(``db_worker``) and Postfix's ``smtp-sink``. ``send_issue`` and wrk start together; wrk's
connections rotate through the home page, an article, a section, an archive issue, the RSS
feed and the sign-up page. One table is printed and the same figures are written to
``var/load/results-<time>.json``.

    python -m trials.load [--connections 50] [--seconds 60] [--subscribers 10000] ...

(from the repository's root; ``make load LOAD_ARGS="..."`` runs it with these options)

Exits non-zero when a request failed (connect, read, write, timeout), a response was not
2xx/3xx, or the send did not end with the campaign sent and exactly one message per
subscriber at the sink. Latency is reported, never asserted.
"""

import argparse
import datetime
import json
import signal
import sys
import time
import urllib.request

from trials import processes
from trials.load.readers import Readers, access_log_size, per_page, served, summary
from trials.load.report import render
from trials.load.stage import LOAD, django_env, fresh_directory, prepare, start_gunicorn
from trials.processes import PY, STARTED, Proc, free_port, load_average, log, machine
from trials.project import probe, start_worker, wait_finished
from trials.services import SmtpSink, ensure_smtp_sink, ensure_wrk

EXTRA_PAGES = {"feed": "/feed/", "sign-up": "/newsletter/subscribe/"}


def options():
    parser = argparse.ArgumentParser(
        prog="python -m trials.load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--connections", type=int, default=50, help="wrk connections (50)")
    parser.add_argument("--seconds", type=int, default=60, help="wrk duration (60)")
    parser.add_argument("--subscribers", type=int, default=10000, help="the send's size (10000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--timeout",
        type=int,
        default=10,
        help="seconds wrk waits for a response before counting a timeout (10)",
    )
    parser.add_argument(
        "--send-timeout",
        type=int,
        default=240,
        help="seconds to wait for the send after wrk stops (240)",
    )
    return parser.parse_args()


def reader_paths(env):
    found = probe(env, "urls")
    paths = {key: found[key] for key in ("home", "article", "section", "archive")}
    paths.update(EXTRA_PAGES)
    missing = [key for key, path in paths.items() if not path]
    if missing:
        raise RuntimeError(f"no page for {', '.join(missing)}")
    return paths


def check_pages(base, paths, workers):
    """Every page answers 200 before the load starts; a few rounds warm each worker's cache."""
    for _ in range(2 * workers):
        for key, path in paths.items():
            with urllib.request.urlopen(base + path, timeout=30) as response:
                if response.status != 200:
                    raise RuntimeError(f"{key} {path} answered {response.status}")


def readers_and_send(args, base, paths, sink, env):
    """``send_issue`` and wrk started together; the sink's count is followed meanwhile."""
    n = args.subscribers
    before = sink.count()
    marks = {}  # moment -> (seconds since the start, the access log's size then)
    log(
        f"send_issue to {n:,} subscribers, and wrk: {args.connections} connections for "
        f"{args.seconds} s over {len(paths)} pages"
    )
    started = time.perf_counter()

    def mark(moment):
        marks[moment] = (time.perf_counter() - started, access_log_size())

    mark("start")
    send = Proc("send-issue", [PY, "manage.py", "send_issue"], env)
    readers = Readers(
        ensure_wrk(),
        base,
        list(paths.values()),
        threads=args.threads,
        connections=args.connections,
        seconds=args.seconds,
        timeout=args.timeout,
    )
    send_issue_s = first_s = all_s = None
    received = 0

    def follow():
        nonlocal send_issue_s, first_s, all_s, received
        received = sink.count() - before
        now = time.perf_counter() - started
        if send_issue_s is None and not send.alive():
            send_issue_s = now
            if send.popen.returncode:
                raise RuntimeError(f"send_issue failed:\n{send.tail()}")
        if received and first_s is None:
            first_s = now
            mark("first")
        if received >= n and all_s is None:
            all_s = now
            mark("all")

    try:
        while readers.running():
            follow()
            time.sleep(0.2)
    finally:
        readers.stop()
    wrk = readers.finish()
    mark("end")
    follow()
    during = received
    load_during = load_average()
    log(f"wrk done: {wrk['requests']:,} requests; the sink has {during:,} of {n:,} messages")
    deadline = time.perf_counter() + args.send_timeout
    while (received < n or send_issue_s is None) and time.perf_counter() < deadline:
        time.sleep(0.2)
        follow()
    rows = wait_finished(env, seconds=30) if received >= n else probe(env, "deliveries")
    time.sleep(2)  # a message sent twice would arrive by now
    follow()
    send_figures = {
        "subscribers": n,
        "received_during_load": during,
        "received": received,
        "exact": received == n and rows.get("status") == "sent",
        "send_issue_command_s": round(send_issue_s, 2) if send_issue_s else None,
        "first_message_s": round(first_s, 2) if first_s else None,
        "all_messages_s": round(all_s, 2) if all_s else None,
        "rate": round(n / all_s, 1) if all_s else None,
        "campaign": rows,
    }
    wrk["per_page"] = per_page(served(marks["start"][1], marks["end"][1]))
    if "first" in marks:  # the readers while the worker sent, as gunicorn logged them
        until = min(marks.get("all", marks["end"]), marks["end"])
        window = served(marks["first"][1], until[1])
        span = until[0] - marks["first"][0]
        wrk["while_sending"] = dict(
            summary(window),
            seconds=round(span, 1),
            rps=round(len(window) / span, 1) if span > 0 else None,
        )
    return wrk, send_figures, load_during


def log_problems():
    """Lines in the services' logs that say something went wrong."""
    found = {}
    for name in ("gunicorn", "db-worker", "send-issue", "smtp-sink"):
        path = LOAD / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        lines = [
            line
            for line in text.splitlines()
            if any(word in line for word in ("Traceback", "ERROR", "locked", "CRITICAL"))
        ]
        if lines:
            found[name] = {"lines": len(lines), "first": lines[0][:300]}
    return found


def main():
    args = options()
    processes.begin("load", LOAD)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started_at = datetime.datetime.now(datetime.UTC)
    results = {
        "meta": {
            "started": started_at.isoformat(timespec="seconds"),
            **machine(),
            "options": vars(args),
            "load_average_start": load_average(),
        }
    }
    ensure_wrk()
    ensure_smtp_sink()
    try:
        fresh_directory()
        results["seed_subscribers_s"] = round(prepare(args.subscribers), 1)
        sink = SmtpSink(free_port())
        send_env = django_env(EMAIL_URL=f"smtp://127.0.0.1:{sink.port}?timeout=30")
        worker = start_worker(send_env, "db-worker", settle=True)
        log(f"gunicorn, {args.workers} sync workers, production settings")
        gunicorn, base = start_gunicorn(django_env(), args.workers)
        paths = reader_paths(django_env())
        check_pages(base, paths, args.workers)
        results["pages"] = paths
        (results["wrk"], results["send"], results["meta"]["load_average_end_of_wrk"]) = (
            readers_and_send(args, base, paths, sink, send_env)
        )
        results["worker_alive"] = worker.alive()
        results["gunicorn_alive"] = gunicorn.alive()
    except Exception as error:  # reported in the table and the JSON, and fails the run
        results["error"] = str(error).strip()
        log(f"FAILED: {error}")
    finally:
        Proc.stop_all()
    results["log_problems"] = log_problems() if LOAD.exists() else {}
    results["meta"]["load_average_end"] = load_average()
    results["meta"]["seconds"] = round(time.monotonic() - STARTED, 1)
    results["failures"] = failures(results)
    print(render(results))
    path = LOAD / f"results-{started_at:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nFigures written to {path}")
    sys.exit(1 if results["failures"] else 0)


def failures(results):
    if "error" in results:
        return [f"the run could not finish: {results['error'].splitlines()[0]}"]
    wrk, send = results["wrk"], results["send"]
    found = []
    if wrk["socket_errors"]:
        found.append(f"{wrk['socket_errors']} requests failed (connect/read/write/timeout)")
    if wrk["bad_responses"] or wrk["errors"]["status"]:
        found.append(f"{wrk['bad_responses']} responses were not 2xx/3xx")
    if not send["exact"]:
        found.append(
            f"the send ended with {send['received']:,} messages at the sink for "
            f"{send['subscribers']:,} subscribers, campaign "
            f"{send['campaign'].get('status', 'unknown')}"
        )
    return found


if __name__ == "__main__":
    main()
