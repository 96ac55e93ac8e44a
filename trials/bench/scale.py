"""Part "scale": many subscribers on PostgreSQL: seeding them, freezing the audience into
delivery rows, and the sending worker's memory, at two sizes.

Needs PostgreSQL: ``BENCH_DATABASE_URL`` (or ``DATABASE_URL``) at a server where its role
may create databases; each size gets its own database, ``<that database>_bench_scale_<n>``,
dropped at the end. Without one the part is left out, and the table says so.

For each size N (10,000 and 100,000; ``BENCH_SCALE=1``: 100,000 and 1,000,000):

1. **Seed.** A copy of a migrated, seeded template (``CREATE DATABASE ... TEMPLATE``), then N
   active readers on the Daily list made by the database itself (one ``INSERT ... SELECT
   FROM generate_series``, then ``ANALYZE``): ``seed_subscribers``.
2. **Freeze.** ``send_issue_now`` of today's issue, as the Send button: the snapshot, one
   ``INSERT ... SELECT`` of the audience into delivery rows, the commit. Timed in all and
   the freeze on its own, with its SQL queries: ``freeze_audience``.
3. **Worker memory.** A ``db_worker`` (started idle before the send) sends into a
   ``trials.relay`` on loopback until ``BENCH_SCALE_MESSAGES`` (20,000) messages are sent,
   or all of them; its peak RSS (VmHWM) then, set beside the other size's:
   ``worker_memory``. The worker leases a batch at a time and never holds the audience, so
   the peak must not grow with N.

With ``BENCH_SCALE_BATCH=1`` step 3 is the whole send instead: every reader through the
local Mailgun-compatible API (``trials.mailgun``, 200 ms a call, 1,000 readers a call) by two
workers started idle before the Send, timed from the Send (snapshot and freeze included) to
the last row recorded sent; the peak RSS is then the larger worker's over the whole send.
"""

import os
import time

from trials import project
from trials.bench import batch, relay
from trials.bench.stage import DATA
from trials.chaos.stage import PostgresDatabases
from trials.mailgun import MailgunServer
from trials.processes import log, memory_kb
from trials.project import django_json, drain, manage, migrate_and_seed, start_worker

INSIDE = "trials.bench.scale_inside"
FREEZE_SECONDS = 60
MEMORY_SPREAD = 0.20  # the peak at the larger size under 1.2x the smaller's
MESSAGES = 20_000
SEND_SECONDS = 300  # the whole million through the batch API, from the Send


class BenchDatabases(PostgresDatabases):
    """The benchmark's databases: ``<base>_bench_<name>``, dropped when the part ends."""

    def dbname(self, name):
        return f"{self.base}_bench_{name}"


def postgres_url():
    for name in ("BENCH_DATABASE_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.split(":", 1)[0] in ("postgres", "postgresql", "pgsql"):
            return url
    return None


def pg_env(url, **extra):
    """The production environment of the tools on the PostgreSQL database at ``url``."""
    return project.django_env(data=DATA, database_url=url, **extra)


def make_template(databases):
    """A migrated database with the demo content (today's issue ready), tasks drained."""
    started = time.monotonic()
    databases.create_empty("scale")
    env = pg_env(databases.url("scale"))
    log("scale: migrate and seed_demo on PostgreSQL (the template)")
    migrate_and_seed(env)
    drain(env, "scale-drain", "--no-startup-delay")
    log(f"scale: template ready in {time.monotonic() - started:.0f} s")
    return "scale"


def seed_subscribers(env, n):
    """``n`` more active readers on the Daily list; returns the figures (seconds, ...)."""
    return django_json(INSIDE, env, "seed", str(n), timeout=3600)


def freeze_audience(env):
    """Send today's issue (``send_issue_now``): recipients, seconds in all and the freeze's
    seconds and queries."""
    return django_json(INSIDE, env, "freeze", timeout=3600)


def sent_rows(databases, name, campaign):
    rows = databases.query(
        name,
        f"SELECT count(*) FROM newsletter_delivery WHERE campaign_id = {int(campaign)} "
        "AND status = 'sent'",
    )
    return rows[0][0]


def worker_memory(workers, count_sent, until, timeout, poll=0.5):
    """Wait until ``count_sent()`` reaches ``until`` (or ``timeout`` seconds), then each
    worker's peak RSS; ``workers`` were started before the send, idle."""
    started = time.monotonic()
    first_at = None
    sent = 0
    while time.monotonic() - started < timeout:
        sent = count_sent()
        if sent and first_at is None:
            first_at = time.monotonic()
        if sent >= until or not all(worker.alive() for worker in workers):
            break
        time.sleep(poll)
    seconds = time.monotonic() - (first_at or started)
    peaks = [memory_kb(worker.pid).get("VmHWM") for worker in workers if worker.alive()]
    return {
        "sent": sent,
        "seconds": round(seconds, 1),
        "rate": round(sent / seconds, 1) if seconds > 0 else None,
        "peak_rss_kb": max(peaks) if peaks else None,
    }


def one_size(databases, template, n, messages, *, batch_api=False):
    name = f"scale_{n}"
    url = databases.copy(template, name)
    if batch_api:
        server = MailgunServer(delay=0.2, keep="count").start()
        env = pg_env(url, **batch.mailgun_settings(server))
        count = 2
    else:
        server = relay.RelaySink(0.0)
        env = pg_env(url, EMAIL_URL=f"smtp://127.0.0.1:{server.port}?timeout=30")
        count = 1
    try:
        log(f"scale: seeding {n:,} subscribers (generate_series)")
        figures = {"subscribers": n, "seed": seed_subscribers(env, n)}
        workers = [
            start_worker(env, f"scale-worker-{n}-{i}", "--no-startup-delay", settle=i == 0)
            for i in range(count)
        ]
        try:
            idle = max(memory_kb(worker.pid).get("VmRSS") for worker in workers)
            log(f"scale: send_issue_now to {n:,} (snapshot, freeze, commit)")
            started = time.monotonic()
            figures["freeze"] = freeze = freeze_audience(env)
            if count > 1:  # a send task for each other worker (each claims its own batches)
                manage(["shell", "-c", batch.ENQUEUE * (count - 1)], env, f"scale-enqueue-{n}")
            until = freeze["recipients"] if batch_api else min(messages, freeze["recipients"])
            what = (
                f"{count} workers send all {until:,}"
                if batch_api
                else f"the worker sends {until:,}"
            )
            log(f"scale: {what} messages; the peak RSS then")
            figures["worker"] = worker_memory(
                workers,
                lambda: sent_rows(databases, name, freeze["campaign"]),
                until,
                timeout=60 + until * (0.005 if batch_api else 0.05),
            )
            figures["worker"]["idle_rss_kb"] = idle
            figures["send_s"] = round(time.monotonic() - started, 1)
            figures["batch_api"] = batch_api
            if batch_api:
                figures["calls"] = len(server.calls)
        finally:
            for worker in workers:
                worker.stop()
    finally:
        server.stop()
        databases.drop(name)
    return figures


def run(scale):
    url = postgres_url()
    if url is None:
        return {"left_out": "needs PostgreSQL: BENCH_DATABASE_URL=postgres://..."}
    sizes = (100_000, 1_000_000) if scale else (10_000, 100_000)
    if os.environ.get("BENCH_SCALE_SIZES"):
        sizes = [int(size) for size in os.environ["BENCH_SCALE_SIZES"].split(",")]
    messages = int(os.environ.get("BENCH_SCALE_MESSAGES", MESSAGES))
    batch_api = os.environ.get("BENCH_SCALE_BATCH") == "1"
    databases = BenchDatabases(url)
    try:
        template = make_template(databases)
        results = {"sizes": {}, "messages": messages, "batch_api": batch_api}
        for n in sizes:
            results["sizes"][str(n)] = one_size(
                databases, template, n, messages, batch_api=batch_api
            )
    finally:
        databases.drop_all()
    return results
