"""The three fault trials; each returns a dict of figures with ``ok`` and ``problems``.

1. ``kill_trial``: SIGKILL the worker as the sink takes a chosen message, start another,
   count every recipient's messages at the sink.
2. ``two_workers``: two db_worker processes send the same issue at once (PostgreSQL).
3. ``outage``: the database goes away in the middle of a send (PostgreSQL behind a proxy
   that drops every connection; SQLite locked by another process) and comes back.
4. ``batch_api_trial``: SIGKILL the worker in the middle of a Mailgun batch API call.
"""

import os
import random
import signal
import threading
import time

from trials.chaos.faults import DatabaseProxy, sqlite_lock
from trials.chaos.stage import appstate, django_env, mailgun_env, wait_until_sent
from trials.processes import log
from trials.project import start_worker


def count(sink, state):
    """Missing, duplicate and unexpected messages at the sink, against the app's recipients
    and the deliveries it flagged as possible duplicates."""
    expected = set(state["recipients"])
    received = sink.received
    flagged = set(state["flagged"])
    twice = {address for address, n in received.items() if n > 1}
    return {
        "subscribers": len(expected),
        "received": sum(received.values()),
        "missing": sum(1 for address in expected if not received.get(address)),
        "duplicates": sum(n - 1 for n in received.values() if n > 1),
        "unexpected": sum(n for address, n in received.items() if address not in expected),
        "flagged": state["report"].get("possible_duplicates", 0),
        "duplicates_not_flagged": len(twice - flagged),
        "status": state["status"],
    }


def judge(figures, extra_checks=()):
    problems = []
    if figures["status"] != "sent":
        problems.append(f"campaign ended {figures['status']!r}, not 'sent'")
    if figures["missing"]:
        problems.append(f"{figures['missing']} recipients got nothing")
    if figures["unexpected"]:
        problems.append(f"{figures['unexpected']} messages to addresses not on the list")
    if figures["duplicates"] > figures["flagged"]:
        problems.append(
            f"{figures['duplicates']} duplicates but only {figures['flagged']} "
            "flagged as possible duplicates"
        )
    if figures["duplicates_not_flagged"]:
        problems.append(f"{figures['duplicates_not_flagged']} duplicated recipients not flagged")
    problems.extend(extra_checks)
    figures["problems"] = problems
    figures["ok"] = not problems
    return figures


def recipients(databases, name):
    return databases.query(name, "SELECT count(*) FROM newsletter_delivery")[0][0]


def send_timeout(subscribers):
    return 120 + subscribers * 0.05


# 1. SIGKILL


def kill_trial(trial, databases, template, sink, lease_seconds):
    """Trial ``trial`` (its seed): kill the worker as the sink takes message k (k random),
    either before the sink answers (the message surely in flight) or a few ms after."""
    rng = random.Random(trial)
    name = f"kill_{trial}"
    url = databases.copy(template, name)
    env = django_env(url, sink.port, NEWSLETTER_LEASE_SECONDS=lease_seconds)
    subscribers = recipients(databases, name)
    target = rng.randint(1, subscribers - 1)
    in_flight = rng.random() < 0.5
    delay = 0 if in_flight else rng.uniform(0, 0.005)
    sink.reset()
    killed = threading.Event()
    worker = start_worker(env, f"{name}-worker")

    def kill_at(total):
        if total == target and not killed.is_set():
            killed.set()
            if in_flight:
                os.kill(worker.pid, signal.SIGKILL)
            else:
                sink.loop.loop.call_later(delay, os.kill, worker.pid, signal.SIGKILL)

    sink.on_message = kill_at
    started = time.monotonic()
    figures = {
        "trial": trial,
        "seed": trial,
        "database": databases.kind,
        "kill_at_message": target,
        "kill_moment": "before the sink's reply"
        if in_flight
        else f"{delay * 1000:.1f} ms after the sink's reply",
    }
    try:
        if not killed.wait(send_timeout(subscribers)):
            worker.stop()
            raise RuntimeError(f"the sink never got message {target}:\n{worker.tail()}")
        worker.popen.wait(10)
        time.sleep(0.2)  # anything already on the wire lands
        figures["killed_after"] = sink.total
        log(
            f"trial {trial}: worker {worker.pid} SIGKILLed after {sink.total:,} messages; "
            "starting another"
        )
        worker.stop()  # reaps it
        restarted = time.monotonic()
        before = sink.total
        sink.on_message = lambda total: figures.setdefault(
            "first_message_after_restart_s", round(time.monotonic() - restarted, 1)
        )
        again = start_worker(env, f"{name}-worker-again")
        try:
            waited = wait_until_sent(databases, name, sink, [again], send_timeout(subscribers))
        finally:
            again.stop()
        if sink.total == before:
            figures["first_message_after_restart_s"] = None
        figures["resume_s"] = round(time.monotonic() - restarted, 1) if waited else None
        figures["total_s"] = round(time.monotonic() - started, 1)
        state = appstate(env)
        figures.update(count(sink, state))
    finally:
        sink.on_message = None
        databases.drop(name)
    checks = [] if figures.get("resume_s") is not None else ["the send never finished"]
    return judge(figures, checks)


# 2. Two workers


def two_workers(databases, template, sink, lease_seconds):
    if databases.kind != "PostgreSQL":
        return {
            "skipped": "needs PostgreSQL (DATABASE_URL=postgres://...)",
            "ok": True,
            "problems": [],
        }
    name = "two"
    url = databases.copy(template, name)
    env = django_env(url, sink.port, NEWSLETTER_LEASE_SECONDS=lease_seconds)
    appstate(env, "enqueue")  # a second send task, for the second worker to pick up
    sink.reset()
    started = time.monotonic()
    workers = [
        start_worker(env, f"two-worker-{letter}", "--worker-id", f"chaos-{letter}")
        for letter in "ab"
    ]
    try:
        waited = wait_until_sent(
            databases, name, sink, workers, send_timeout(recipients(databases, name))
        )
        for worker in workers:
            worker.stop()
        state = appstate(env)
        figures = {"database": databases.kind, "total_s": round(time.monotonic() - started, 1)}
        figures.update(count(sink, state))
    finally:
        for worker in workers:
            worker.stop()
        databases.drop(name)
    by_worker = state["sent_by_worker"]
    figures["sent_by_worker"] = {letter: by_worker.get(f"chaos-{letter}", 0) for letter in "ab"}
    checks = []
    if waited is None:
        checks.append("the send never finished")
    if figures["duplicates"]:
        checks.append(f"{figures['duplicates']} messages sent twice")
    idle = [letter for letter, sent in figures["sent_by_worker"].items() if not sent]
    if idle:
        checks.append(f"worker {', '.join(idle)} sent nothing")
    return judge(figures, checks)


# 3. The database away for a moment


def outage(databases, template, sink, lease_seconds, seconds):
    """At a third of the send, the database goes away for ``seconds``; the same worker
    process must finish the send once it is back."""
    name = "outage"
    url = databases.copy(template, name)
    proxy = None
    if databases.kind == "PostgreSQL":
        proxy = DatabaseProxy(sink.loop, databases.host, databases.port)
        url = databases.url(name, port=proxy.port)
        how = f"proxy drops every connection and refuses new ones for {seconds}s"
    else:
        how = f"another process holds the write lock for {seconds}s"
    env = django_env(url, sink.port, NEWSLETTER_LEASE_SECONDS=lease_seconds)
    subscribers = recipients(databases, name)
    at = subscribers // 3
    reached = threading.Event()
    sink.reset()
    sink.on_message = lambda total: total >= at and reached.set()
    started = time.monotonic()
    worker = start_worker(env, "outage-worker")
    figures = {"database": databases.kind, "fault": how, "outage_s": seconds}
    try:
        if not reached.wait(send_timeout(subscribers)):
            raise RuntimeError(f"the sink never got message {at}:\n{worker.tail()}")
        sink.on_message = None
        log(f"outage: {how}, from message {sink.total:,}")

        def went_down():
            figures["outage_at_message"] = sink.total

        if proxy is not None:
            down, back = proxy.outage(seconds, went_down)
        else:
            down, back = sqlite_lock(databases.path(name), seconds, went_down)
        figures["sent_during_outage"] = sink.total - figures["outage_at_message"]
        before = sink.total
        while (
            sink.total == before < subscribers and worker.alive() and time.monotonic() - back < 120
        ):
            time.sleep(0.05)
        figures["first_message_after_s"] = (
            round(time.monotonic() - back, 2) if sink.total > before else None
        )
        log(
            f"outage over after {back - down:.1f}s; the first message followed "
            f"{figures['first_message_after_s']}s later"
        )
        waited = wait_until_sent(databases, name, sink, [worker], send_timeout(subscribers))
        figures["done_after_s"] = round(time.monotonic() - back, 1) if waited else None
        figures["worker_survived"] = worker.alive()
        figures["total_s"] = round(time.monotonic() - started, 1)
        worker.stop()
        state = appstate(env)
        figures.update(count(sink, state))
    finally:
        sink.on_message = None
        worker.stop()
        if proxy is not None:
            proxy.stop()
        databases.drop(name)
    checks = []
    if waited is None:
        checks.append("the send never finished")
    if figures["outage_at_message"] >= subscribers:
        checks.append("the send was over before the database went away: use more subscribers")
    if not figures["worker_survived"]:
        checks.append("the worker process exited")
    return judge(figures, checks)


# 4. A worker killed in the middle of a batch API call


def batch_api_trial(databases, template, mailgun, lease_seconds, batch_size, batch_calls=2, seed=1):
    """The issue through anymail's Mailgun client to the local Mailgun-compatible server,
    ``batch_size`` readers a call, ``batch_calls`` calls at once (the default); the worker is
    SIGKILLed as call k arrives (k random, the call in flight: the server takes it 200 ms
    later, its answer lost, and the worker's other call may be in flight too), another
    worker finishes. Nobody may be missing, and the only duplicates must be the batches in
    flight (at most ``batch_calls``), every reader of them flagged as a possible duplicate
    on the report."""
    rng = random.Random(seed)
    name = "batch_api"
    url = databases.copy(template, name)
    env = mailgun_env(url, mailgun, lease_seconds, batch_size, batch_calls)
    subscribers = recipients(databases, name)
    calls = -(-subscribers // batch_size)
    target = rng.randint(2, max(2, calls - 1))
    mailgun.reset()
    killed = threading.Event()
    worker = start_worker(env, f"{name}-worker")

    def kill_at(number):
        if number == target and not killed.is_set():
            killed.set()
            os.kill(worker.pid, signal.SIGKILL)

    mailgun.on_call = kill_at
    started = time.monotonic()
    figures = {
        "database": databases.kind,
        "batch_size": batch_size,
        "batch_calls": batch_calls,
        "kill_at_call": target,
        "calls": calls,
    }
    try:
        if not killed.wait(send_timeout(subscribers)):
            worker.stop()
            raise RuntimeError(f"the server never got call {target}:\n{worker.tail()}")
        mailgun.on_call = None
        worker.popen.wait(10)
        time.sleep(0.5)  # the call in flight lands
        figures["killed_after"] = mailgun.total
        log(f"batch API: worker SIGKILLed during call {target} ({mailgun.total:,} copies taken)")
        worker.stop()
        restarted = time.monotonic()
        again = start_worker(env, f"{name}-worker-again")
        try:
            waited = wait_until_sent(databases, name, mailgun, [again], send_timeout(subscribers))
        finally:
            again.stop()
        figures["resume_s"] = round(time.monotonic() - restarted, 1) if waited else None
        figures["total_s"] = round(time.monotonic() - started, 1)
        figures["api_calls"] = len(mailgun.calls)
        state = appstate(env)
        figures.update(count(mailgun, state))
    finally:
        mailgun.on_call = None
        databases.drop(name)
    checks = [] if figures.get("resume_s") is not None else ["the send never finished"]
    if figures.get("duplicates", 0) > batch_size * batch_calls:
        checks.append(
            f"{figures['duplicates']} duplicates: more than the {batch_calls} batches in flight "
            f"({batch_size} each)"
        )
    return judge(figures, checks)
