"""Part 1: reader pages under gunicorn, measured with wrk beside a static file.

Two gunicorn servers run the same code on the same database with production settings: one
with the page cache on (warmed before measuring), one with ``PAGE_CACHE_ENABLED=0``. The
static file (``css/site.css`` under its hashed name, served by whitenoise from the cached
server) is the ceiling: it is measured before and after each cached page, and each page's
ratio is to the mean of the two static runs around it.

The click redirect (``/r/<token>/`` of the sent issue, a 302) runs last on the cached server,
also bracketed by static runs, and then checks that every click wrk made was stored: the
``Click`` rows are counted before the measured run (the warm-up's clicks flushed) and after
the server is stopped with SIGTERM (each worker writes its buffer at exit).
"""

import http.client
import os
import time
import urllib.parse
import urllib.request

from trials.processes import children, cpu_seconds, log
from trials.project import probe, start_gunicorn
from trials.services import wrk

PAGES = ("home", "article", "section", "archive")
UNCACHED = ("home", "article")  # with the page cache off: the pages the targets name


def gunicorn(env, name, workers, cache):
    return start_gunicorn(dict(env, PAGE_CACHE_ENABLED="1" if cache else "0"), name, workers)


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers.get("X-Page-Cache", ""), len(response.read())


def redirect_status(url):
    """The status and Location of ``url`` without following the redirect (the target is
    another site's page: nothing the benchmark should load)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location", "")
    finally:
        connection.close()


# Longer than the web process's flush interval (NEWSLETTER_CLICK_FLUSH_SECONDS, 1 s) twice.
FLUSH_WAIT = 2.5


def cache_hits(url, tries=8):
    """How many of ``tries`` requests the page cache answered (each worker keeps its own)."""
    return sum(fetch(url)[1] == "hit" for _ in range(tries))


def settle(workers, timeout=60):
    """Wait until the workers are idle. When wrk stops, requests it gave up on still wait in
    the listen backlog and the workers answer them to closed sockets; left alone, that work
    would be charged to the next measurement."""
    deadline = time.monotonic() + timeout
    before = cpu_seconds(workers)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = cpu_seconds(workers)
        if now - before < 0.01:
            return
        before = now
    log("gunicorn still busy after wrk stopped; figures may include stale requests")


def measure(env, wrk_bin, paths, *, workers, threads, connections, seconds, click=None):
    """``click``: the ``trials.probe click_url`` answer, or None (no sent issue: left out)."""
    cached, cached_base = gunicorn(env, "gunicorn-cached", workers, cache=True)
    uncached, uncached_base = gunicorn(env, "gunicorn-uncached", workers, cache=False)
    try:
        for key, path in paths.items():
            status, _, size = fetch(cached_base + path)
            if status != 200:
                raise RuntimeError(f"{key} {path} answered {status}")
            log(f"{key}: {path} ({size:,} bytes)")
        options = {"threads": threads, "connections": connections, "seconds": seconds}

        if click:
            status, location = redirect_status(cached_base + click["path"])
            if status != 302 or location != click["target"]:
                raise RuntimeError(f"{click['path']} answered {status} {location!r}, not a 302")
            paths = dict(paths, click=click["path"])
            log(f"click: {click['path']} (302 to {location})")

        def load(base, key, before_run=None):
            url = base + paths[key]
            workers = children((cached if base == cached_base else uncached).pid)
            wrk(wrk_bin, url, threads=threads, connections=connections, seconds=2)  # warm up
            settle(workers)
            if before_run:
                before_run()
            cpu = cpu_seconds(workers)
            figures = wrk(wrk_bin, url, **options)
            cpu = cpu_seconds(workers) - cpu
            settle(workers)
            figures["path"] = paths[key]
            # The gunicorn workers' own CPU per response (wrk and the master excluded).
            figures["cpu_ms"] = (
                round(cpu * 1000 / figures["requests"], 2) if figures["requests"] else None
            )
            log(
                f"  {key:8} {base[-5:]}: {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']} "
                f"ms  p99 {figures['p99_ms']} ms  cpu {figures['cpu_ms']} ms/req  "
                f"errors {figures['errors']}"
            )
            return figures

        # Static runs bracket each cached page: its ratio is to the static runs just
        # before and after it, so a machine that slows down mid-run moves both sides.
        statics = [load(cached_base, "static")]
        results = {}
        for key in PAGES:
            if key not in paths:
                continue
            figures = load(cached_base, key)
            figures["cache_hits_of_8"] = cache_hits(cached_base + paths[key])
            statics.append(load(cached_base, "static"))
            figures["static_rps"] = round((statics[-2]["rps"] + statics[-1]["rps"]) / 2, 1)
            results[f"{key}_cached"] = figures
        if click:
            results["click"] = click_run(env, load, (cached, cached_base), statics, connections)
        for key in UNCACHED:
            if key not in paths:
                continue
            figures = load(uncached_base, key)
            figures["page_cache_header"] = fetch(uncached_base + paths[key])[1]
            results[f"{key}_uncached"] = figures
    finally:
        cached.stop()
        uncached.stop()
    count = len(statics)
    results["static"] = {
        "rps": round(sum(run["rps"] for run in statics) / count, 1),
        "p50_ms": statics[0]["p50_ms"],
        "p99_ms": statics[0]["p99_ms"],
        "cpu_ms": round(sum(run["cpu_ms"] or 0 for run in statics) / count, 2),
        "errors": sum(run["errors"] for run in statics),
        "path": paths["static"],
        "runs_rps": [run["rps"] for run in statics],
    }
    return results


def click_run(env, load, server, statics, connections):
    """The redirect under wrk, then the check that each of its clicks was stored."""
    proc, base = server
    stored = {}

    def count_before():
        time.sleep(FLUSH_WAIT)  # the warm-up's clicks written
        stored["before"] = probe(env, "clicks")["stored"]

    figures = load(base, "click", before_run=count_before)
    statics.append(load(base, "static"))
    figures["static_rps"] = round((statics[-2]["rps"] + statics[-1]["rps"]) / 2, 1)
    proc.stop()  # SIGTERM: each worker flushes its buffer at exit
    after = probe(env, "clicks")
    figures["clicks_stored"] = after["stored"] - stored["before"]
    figures["connections"] = connections
    # wrk counts completed responses only: up to one in flight per connection when it
    # stops was answered (and counted) but not counted by wrk.
    figures["counted"] = (
        figures["requests"] <= figures["clicks_stored"] <= figures["requests"] + connections
    )
    log(
        f"  clicks: wrk {figures['requests']:,} requests, {figures['clicks_stored']:,} stored "
        f"({'ok' if figures['counted'] else 'MISMATCH'})"
    )
    return figures


def query_counts(env, paths):
    """SQL queries and CPU per uncached page, with Django's test Client in one process."""
    page_paths = [paths[key] for key in PAGES if paths.get(key)]
    figures = probe(dict(env, PAGE_CACHE_ENABLED="0"), "queries", *page_paths)
    return {key: figures[paths[key]] for key in PAGES if paths.get(key) in figures}


def settings_from_env():
    return {
        "workers": int(os.environ.get("BENCH_WORKERS", 2)),
        "threads": int(os.environ.get("BENCH_WRK_THREADS", 2)),
        "connections": int(os.environ.get("BENCH_WRK_CONNECTIONS", 32)),
        "seconds": int(os.environ.get("BENCH_SECONDS", 10)),
    }
