"""Part 6: the editor's morning in the admin, server time per page under gunicorn.

On a copy of the seeded demo database, with the production settings (DEBUG off), a signed-in
editor (``seed_demo``'s ``editor``, not a superuser) asks for each page of the morning's job,
one request at a time, ``BENCH_ADMIN_REQUESTS`` times after two warm-up requests: the
dashboard, Newsletter > Issues, today's issue's edit page, the story chooser, the email
preview, the article edit page, the page and image choosers the article form opens, and the
Review and send step.

Server time is read from the ``Server-Timing`` header that ``trials.bench.timed_wsgi`` (the
project's ``config.wsgi`` wrapped) puts on each response: from the WSGI call to the response
handed back, with the worker's CPU time over the same span. The table shows each page's p50
and p90 against the target of under 1 s (the issue's "every step fast"), and its SQL
queries on a warm request (``trials.bench.admin_inside``, Django's test Client).
"""

import http.client
import os
import re
import statistics

from trials.bench.stage import DATA, django_env
from trials.processes import log
from trials.project import copy_sqlite, django_json, start_gunicorn

APP = "trials.bench.timed_wsgi:application"
REQUESTS = 20
WARM_UP = 2
_TIMING = re.compile(r"(\w+);dur=([\d.]+)")


def server_timing(header):
    """``{"app": ms, "cpu": ms}`` from a ``Server-Timing`` header."""
    return {name: float(value) for name, value in _TIMING.findall(header or "")}


def percentile(values, share):
    """The nearest-rank percentile (``share`` 0.5 for p50, 0.9 for p90)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def request(port, path, cookie):
    """One GET on a fresh connection: ``(status, server ms, cpu ms, bytes)``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie, "Accept": "text/html"})
        response = connection.getresponse()
        body = response.read()
        timing = server_timing(response.getheader("Server-Timing"))
        return response.status, timing.get("app"), timing.get("cpu"), len(body)
    finally:
        connection.close()


def measure(port, key, path, cookie, count):
    for _ in range(WARM_UP):
        request(port, path, cookie)
    times, cpus = [], []
    for _ in range(count):
        status, server_ms, cpu_ms, size = request(port, path, cookie)
        if status != 200 or server_ms is None:
            raise RuntimeError(f"{key} {path} answered {status} to the signed-in editor")
        times.append(server_ms)
        cpus.append(cpu_ms)
    figures = {
        "path": path,
        "requests": count,
        "p50_ms": round(percentile(times, 0.5), 1),
        "p90_ms": round(percentile(times, 0.9), 1),
        "max_ms": round(max(times), 1),
        "cpu_p50_ms": round(statistics.median(cpus), 1),
        "bytes": size,
    }
    log(
        f"  {key:14} p50 {figures['p50_ms']:7.1f} ms  p90 {figures['p90_ms']:7.1f} ms  "
        f"cpu {figures['cpu_p50_ms']:6.1f} ms  {size:,} bytes"
    )
    return figures


def run(template_db):
    db = DATA / "admin.sqlite3"
    copy_sqlite(template_db, db)
    env = django_env(db)
    count = int(os.environ.get("BENCH_ADMIN_REQUESTS", REQUESTS))
    log("the editor's morning: pages, session, SQL queries (Django test Client)")
    setup = django_json("trials.bench.admin_inside", env, "setup")
    cookie = "{name}={value}".format(**setup["cookie"])
    proc, base = start_gunicorn(env, "gunicorn-admin", 1, app=APP)
    port = int(base.rsplit(":", 1)[1])
    log(f"gunicorn (1 sync worker): {count} requests per page, one at a time, signed in")
    pages = {}
    try:
        for key, path in setup["paths"].items():
            pages[key] = measure(port, key, path, cookie, count)
            pages[key].update(setup["queries"][key])
    finally:
        proc.stop()
    return {"user": setup["user"], "requests": count, "pages": pages}
