"""Part 2: one issue sent through the real pipeline into smtp-sink, and the smtplib ceiling.

``seed_demo --subscribers N`` on a copy of the seeded database, a ``db_worker`` process
(started first, idle, its queue drained), ``send_issue`` (snapshot, one delivery row per
subscriber, a task), then the worker claims and sends. The clock runs from ``send_issue``
until the sink has counted every recipient's message; the worker's peak RSS is its VmHWM.
"""

import json
import subprocess
import time

from trials.bench.stage import DATA, django_env
from trials.processes import PY, ROOT, cpu_seconds, log, memory_kb
from trials.project import copy_sqlite, drain, manage, seed_env, start_worker, wait_finished

TIMEOUT_PER_MESSAGE = 0.05  # give up on a send slower than 20 messages/s (plus a minute)


def send(template_db, n, sink, name="send", **extra_env):
    """Send today's issue to ``n`` subscribers; returns the figures. ``sink`` has ``port``
    and ``count()``; ``extra_env`` goes to every process (e.g. the worker's connections)."""
    db = DATA / f"{name}-{n}.sqlite3"
    copy_sqlite(template_db, db)
    env = django_env(db, EMAIL_URL=f"smtp://127.0.0.1:{sink.port}?timeout=30", **extra_env)
    log(f"sending to {n:,}: seed_demo --subscribers {n}")
    seed_s, _ = manage(
        ["seed_demo", "--quiet", "--subscribers", str(n)], seed_env(env), f"{name}-seed-{n}"
    )
    # Once the seeded tasks (Wagtail's search and reference index updates) are done, so the
    # send has the worker to itself.
    worker_name = f"{name}-worker-{n}"
    drain(env, f"{worker_name}-drain")
    worker = start_worker(env, worker_name, settle=True)
    try:
        idle = memory_kb(worker.pid)
        log(f"sending to {n:,}: send_issue, then db_worker (pid {worker.pid}) sends")
        before = sink.count()
        worker_cpu = cpu_seconds([worker.pid])
        started = time.perf_counter()
        _, output = manage(["send_issue"], env, f"{name}-send-issue-{n}")
        command_s = time.perf_counter() - started
        first_s = None
        deadline = started + 60 + n * TIMEOUT_PER_MESSAGE
        received = 0
        while received < n:
            received = sink.count() - before
            now = time.perf_counter()
            if received and first_s is None:
                first_s = now - started
            if now > deadline or not worker.alive():
                break
            time.sleep(0.05)
        total_s = time.perf_counter() - started
        worker_cpu = cpu_seconds([worker.pid]) - worker_cpu
        peak = memory_kb(worker.pid) if worker.alive() else {}
        rows = wait_finished(env)
    finally:
        worker.stop()
    if received < n:
        log(f"only {received:,} of {n:,} messages reached the sink; see {worker.log_path}")
    delivery_s = total_s - (first_s or total_s)
    return {
        "subscribers": n,
        "received": received,
        "complete": received >= n,
        "send_issue_output": output.strip().splitlines()[-1:],
        "seed_s": round(seed_s, 2),
        "send_issue_command_s": round(command_s, 2),
        "first_message_s": round(first_s, 2) if first_s else None,
        "total_s": round(total_s, 2),
        "rate": round(received / total_s, 1),
        # From the first message at the sink to the last: the worker's own pace.
        "delivery_rate": round((received - 1) / delivery_s, 1) if delivery_s > 0 else None,
        # The worker's own CPU per message: steadier than the rate on a shared machine.
        "worker_cpu_ms_per_message": round(worker_cpu * 1000 / received, 3) if received else None,
        "worker_idle_rss_kb": idle.get("VmRSS"),
        "worker_peak_rss_kb": peak.get("VmHWM"),
        "deliveries": rows,
    }


def ceiling(sink, n, message_dir):
    """smtplib's rate on one connection with messages serialised in advance."""
    html, text = message_dir / "message.html", message_dir / "message.txt"
    before = sink.count()
    result = subprocess.run(
        [PY, "-m", "trials.bench.ceiling", str(sink.port), str(n), str(html), str(text)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode:
        raise RuntimeError(f"ceiling failed:\n{result.stderr[-2000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    time.sleep(0.3)
    figures["received"] = sink.count() - before
    return figures
