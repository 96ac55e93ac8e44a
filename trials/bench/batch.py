"""Part "batch": today's issue through django-anymail's real Mailgun client to a local server
that speaks Mailgun's messages API (``trials.mailgun``) and answers each call after 200 ms,
as a provider across the internet does: N readers at 1,000 per call (the batch API), and,
in the same run, a sample sent one call per message (``NEWSLETTER_API_BATCH_SIZE=0``, the
way every API provider was sent before), with its time for N projected from its rate.

The clock runs from ``send_issue`` until the server has taken every reader's copy. Each
send is the real pipeline: ``seed_demo --subscribers N`` on a copy of the seeded database,
a ``db_worker`` process, ``send_issue``.

BENCH_SCALE=1 sends to 100,000 (default BENCH_BATCH_N, 20,000); BENCH_BATCH_SAMPLE (300) is
the one-call-per-message sample; BENCH_BATCH_DELAY (0.2) the server's seconds per call.
"""

import argparse
import json
import os
import sys
import time

from trials import processes, project
from trials.bench.stage import DATA, django_env
from trials.chaos.stage import databases_for
from trials.mailgun import MailgunServer
from trials.processes import cpu_seconds, log, memory_kb
from trials.project import (
    copy_sqlite,
    drain,
    manage,
    migrate_and_seed,
    seed_env,
    start_worker,
    wait_finished,
)

# A second send task for the campaign being sent (a second worker takes it).
ENQUEUE = (
    "from newsletter.models import Campaign;"
    "from newsletter.sending.orchestration import enqueue;"
    "enqueue(Campaign.objects.order_by('-pk').first().pk);"
)


def env_number(name, default, kind=int):
    return kind(os.environ.get(name, default))


def mailgun_env(db, server, **extra):
    return django_env(
        db,
        **mailgun_settings(server),
        **extra,
    )


def mailgun_settings(server):
    url = f"mailgun://bench-key@?sender_domain=mg.example.com&api_url={server.url}"
    return {
        "EMAIL_URL": url,
        # Production settings want the webhook's password with a provider that posts events.
        "ANYMAIL_WEBHOOK_SECRET": "hooks:bench",
        "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY": "bench",
    }


def send(template_db, n, server, label, **extra):
    """Send today's issue to ``n`` seeded readers through ``server``; returns the figures."""
    db = DATA / f"{label}-{n}.sqlite3"
    copy_sqlite(template_db, db)
    env = mailgun_env(db, server, **extra)
    single = "NEWSLETTER_API_BATCH_SIZE" in extra
    return deliver(env, n, server, label, per_message_s=0.5 if single else 0.01)


def deliver(env, n, server, label, *, workers=1, per_message_s=0.01):
    """Seed ``n`` readers in ``env``'s database, send today's issue with ``workers``
    db_worker processes, until the server took every copy; returns the figures."""
    log(f"{label}: seed_demo --subscribers {n}")
    manage(["seed_demo", "--quiet", "--subscribers", str(n)], seed_env(env), f"{label}-seed")
    drain(env, f"{label}-drain")
    running = [start_worker(env, f"{label}-worker-{i}", settle=i == 0) for i in range(workers)]
    pids = [worker.pid for worker in running]
    server.reset()
    try:
        log(f"{label}: send_issue to {n:,}, {workers} db_worker(s) send")
        cpu = cpu_seconds(pids)
        started = time.perf_counter()
        manage(["send_issue"], env, f"{label}-send-issue")
        if workers > 1:  # a send task for each worker (each claims its own batches)
            manage(["shell", "-c", ENQUEUE * (workers - 1)], env, f"{label}-enqueue")
        deadline = started + 120 + n * per_message_s
        alive = True
        while len(server.received) < n and time.perf_counter() < deadline and alive:
            time.sleep(0.1)
            alive = all(worker.alive() for worker in running)
        total_s = time.perf_counter() - started
        cpu = cpu_seconds(pids) - cpu
        peak = max(memory_kb(pid).get("VmHWM", 0) for pid in pids) if alive else None
        rows = wait_finished(env)
    finally:
        for worker in running:
            worker.stop()
    received = len(server.received)  # readers with at least one copy
    if received < n:
        log(f"{label}: only {received:,} of {n:,} copies arrived; see {running[0].log_path}")
    calls = len(server.calls)
    return {
        "readers": n,
        "received": received,
        "copies": server.total,
        "complete": received >= n and set(server.received.values()) == {1},
        "duplicates": sum(count - 1 for count in server.received.values() if count > 1),
        "calls": calls,
        "recipients_per_call": round(received / calls, 1) if calls else None,
        "total_s": round(total_s, 2),
        "rate": round(received / total_s, 1) if total_s else None,
        "worker_cpu_s": round(cpu, 2),
        "worker_peak_rss_kb": peak,
        "deliveries": rows,
    }


def run(template_db):
    n = env_number("BENCH_BATCH_N", 100_000 if os.environ.get("BENCH_SCALE") == "1" else 20_000)
    sample = env_number("BENCH_BATCH_SAMPLE", 300)
    delay = env_number("BENCH_BATCH_DELAY", 0.2, float)
    server = MailgunServer(delay=delay, keep="count").start()
    try:
        batched = send(template_db, n, server, "batch-api")
        single = send(template_db, sample, server, "one-per-call", NEWSLETTER_API_BATCH_SIZE=0)
    finally:
        server.stop()
    projected = n / single["rate"] if single["rate"] else None
    return {
        "delay_s": delay,
        "batch": batched,
        "single": single,
        "single_projected_s": round(projected, 1) if projected else None,
        "speedup": round(batched["rate"] / single["rate"], 1)
        if batched["rate"] and single["rate"]
        else None,
    }


def main():
    """CI's batch-API send on the database of DATABASE_URL (PostgreSQL): its own database,
    N readers, two workers; exits 1 unless every reader got exactly one copy in time."""
    parser = argparse.ArgumentParser(prog="python -m trials.bench.batch", description=main.__doc__)
    parser.add_argument("--readers", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--within", type=float, default=600, help="seconds allowed (600)")
    options = parser.parse_args()
    processes.begin("batch-send", DATA)
    DATA.mkdir(parents=True, exist_ok=True)
    databases = databases_for(os.environ.get("DATABASE_URL", ""))
    name = "batchsend"
    databases.create_empty(name)
    server = MailgunServer(delay=0.2, keep="count").start()
    try:
        env = project.django_env(
            data=DATA, database_url=databases.url(name), **mailgun_settings(server)
        )
        log(f"{databases.kind}: migrate, seed_demo")
        migrate_and_seed(env)
        drain(env, "batch-send-seed-drain")
        figures = deliver(env, options.readers, server, "batch-send", workers=options.workers)
    finally:
        server.stop()
        databases.drop(name)
    figures["database"] = databases.kind
    print(json.dumps(figures, default=str))
    ok = figures["complete"] and figures["total_s"] <= options.within
    print(
        f"{figures['received']:,} of {options.readers:,} readers in {figures['total_s']} s "
        f"({figures['calls']} calls, {figures['duplicates']} duplicates, {options.workers} "
        f"workers, {databases.kind}): {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
