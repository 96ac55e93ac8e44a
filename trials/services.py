"""The load generator and the SMTP sink of bench and load: Debian's ``wrk``, and
``smtp-sink`` from Debian's ``postfix`` package, unpacked under ``var/bench/postfix`` (no mail
server is installed; ``make load`` uses the same copy)."""

import os
import re
import shutil
import subprocess

from trials import processes
from trials.processes import ROOT, Proc, log, wait_port

POSTFIX = ROOT / "var" / "bench" / "postfix"
SMTP_SINK = POSTFIX / "usr" / "sbin" / "smtp-sink"


def apt(*args):
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return subprocess.run(["apt-get", *args], env=env, capture_output=True, text=True)


def ensure_wrk():
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit(f"make {processes.NAME} needs wrk: sudo apt-get install -y wrk")
    log("installing Debian's wrk")
    if apt("install", "-y", "-q", "wrk").returncode:
        apt("update", "-q")
        result = apt("install", "-y", "-q", "wrk")
        if result.returncode:
            raise SystemExit(f"apt-get install wrk failed:\n{result.stderr[-800:]}")
    return shutil.which("wrk")


def ensure_smtp_sink():
    """Postfix's smtp-sink, unpacked from the .deb (dpkg -x), not installed."""
    if SMTP_SINK.exists():
        return SMTP_SINK
    POSTFIX.mkdir(parents=True, exist_ok=True)
    log("unpacking smtp-sink from Debian's postfix package into var/bench/postfix")

    def download():
        return subprocess.run(
            ["apt-get", "download", "postfix"], cwd=POSTFIX, capture_output=True, text=True
        )

    result = download()
    if result.returncode and os.geteuid() == 0:
        apt("update", "-q")
        result = download()
    debs = sorted(POSTFIX.glob("postfix_*.deb"))
    if result.returncode or not debs:
        raise SystemExit(f"apt-get download postfix failed:\n{result.stderr[-800:]}")
    subprocess.run(["dpkg", "-x", str(debs[-1]), str(POSTFIX)], check=True)
    if not SMTP_SINK.exists():
        raise SystemExit(f"{debs[-1].name} has no usr/sbin/smtp-sink")
    return SMTP_SINK


class SmtpSink:
    """``smtp-sink -c``: accepts and drops every message, printing a running count."""

    def __init__(self, port):
        binary = ensure_smtp_sink()
        env = dict(os.environ, LD_LIBRARY_PATH=str(POSTFIX / "usr" / "lib" / "postfix"))
        # As root it must drop privileges (-u); 1000 is the listen backlog.
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        self.port = port
        self.proc = Proc("smtp-sink", [str(binary), "-c", *user, f"127.0.0.1:{port}", "1000"], env)
        self.offset = 0
        self.last = 0
        wait_port(port, self.proc)

    def count(self):
        """Messages received so far (reads only what the sink printed since last time)."""
        with open(self.proc.log_path, "rb") as log_file:
            log_file.seek(self.offset)
            new = log_file.read()
        cut = new.rfind(b"\r")
        if cut >= 0:
            self.offset += cut + 1
            found = re.findall(rb"mesg=(\d+)", new[:cut])
            if found:
                self.last = int(found[-1])
        return self.last

    def stop(self):
        self.proc.stop()


def parse_wrk(output):
    """Requests/s, p50/p99 in ms, requests, and errors (socket errors, non-2xx/3xx)."""
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}

    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return round(float(match[1]) * units[match[2]], 2) if match else None

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), "
        r"timeout (\d+)",
        output,
    )
    errors = int(non2xx[1]) if non2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {
        "rps": float(rps[1]) if rps else 0.0,
        "p50_ms": latency(50),
        "p99_ms": latency(99),
        "requests": int(total[1]) if total else 0,
        "errors": errors,
    }


def wrk(binary, url, *, threads, connections, seconds):
    # A 10 s timeout: wrk's 2 s default drops the slowest uncached responses from the figures.
    argv = [
        binary,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        url,
    ]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    with open(processes.LOGS / "wrk.log", "a") as log_file:
        log_file.write(f"$ {' '.join(argv)}\n{result.stdout}{result.stderr}\n")
    figures = parse_wrk(result.stdout)
    figures["command"] = " ".join(argv[:-1])
    return figures
