"""Part "relay": the send through an SMTP relay across the internet, beside loopback.

The same pipeline as part 2 (``seed_demo --subscribers N``, ``send_issue``, a ``db_worker``
sending), into ``trials.relay``: first answering at once (loopback), then each reply 50 ms
after its command (a relay across the internet; ``BENCH_RELAY_DELAY``). The worker uses
``NEWSLETTER_SEND_CONNECTIONS`` connections (``BENCH_RELAY_CONNECTIONS``, 64). The figure is
the relay's own clock, first message taken to last; the 100,000-recipient time is projected
from it, and measured with ``BENCH_SCALE=1``.
"""

import json
import os

from trials import processes
from trials.bench import sending
from trials.processes import PY, Proc, free_port, log, wait_port

TARGET_RECIPIENTS = 100_000
TARGET_SECONDS = 300


class RelaySink:
    """``python -m trials.relay`` in the background, read through its status file."""

    def __init__(self, delay, serial=False):
        self.port = free_port()
        self.delay = delay
        self.status = processes.LOGS / f"relay-{self.port}.json"
        argv = [PY, "-m", "trials.relay", str(self.port), "--delay", str(delay)]
        argv += ["--status", str(self.status)] + (["--serial"] if serial else [])
        self.proc = Proc(f"relay-{self.port}", argv, dict(os.environ))
        wait_port(self.port, self.proc)

    def figures(self):
        try:
            return json.loads(self.status.read_text())
        except (OSError, ValueError):  # not written yet
            return {"messages": 0, "first": None, "last": None, "most_open": 0}

    def count(self):
        return self.figures()["messages"]

    def stop(self):
        self.proc.stop()


def through_relay(template, n, delay, connections):
    """Send today's issue to ``n`` subscribers through a relay answering after ``delay``."""
    sink = RelaySink(delay)
    try:
        figures = sending.send(
            template,
            n,
            sink,
            name=f"relay-{round(delay * 1000)}ms",
            NEWSLETTER_SEND_CONNECTIONS=connections,
        )
        relay = sink.figures()
    finally:
        sink.stop()
    span = (relay["last"] - relay["first"]) if relay["first"] else None
    figures.update(
        delay_ms=round(delay * 1000),
        connections=connections,
        most_open=relay["most_open"],
        first_to_last_s=round(span, 2) if span is not None else None,
        relay_rate=round((relay["messages"] - 1) / span, 1) if span else None,
    )
    if figures["relay_rate"]:
        figures["projected_100k_s"] = round(TARGET_RECIPIENTS / figures["relay_rate"], 1)
    return figures


def run(template, scale):
    n = int(os.environ.get("BENCH_RELAY", 5000))
    delay = float(os.environ.get("BENCH_RELAY_DELAY", 0.05))
    connections = int(os.environ.get("BENCH_RELAY_CONNECTIONS", 64))
    runs = {}
    for label, wait in (("loopback", 0.0), ("relay", delay)):
        log(f"relay: {n:,} messages, {connections} connections, replies after {wait * 1000:.0f} ms")
        runs[label] = through_relay(template, n, wait, connections)
    if scale:
        log(f"relay: {TARGET_RECIPIENTS:,} messages through the {delay * 1000:.0f} ms relay")
        runs["relay_100k"] = through_relay(template, TARGET_RECIPIENTS, delay, connections)
    return {"subscribers": n, "delay_ms": round(delay * 1000), "runs": runs}
