"""Processes, ports and the clock, shared by the three tools (bench, chaos, load).

Every command and background process started through here keeps its output in a log file
under the running tool's own directory (``var/bench/data/``, ``var/chaos/data/``,
``var/load/``), which the tool names once with ``begin()``; progress lines go to stderr,
so stdout keeps only the tool's table and the path of its JSON file.
"""

import contextlib
import os
import platform
import re
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The Python that runs the tool (the project's venv under make) runs everything it starts.
PY = sys.executable
STARTED = time.monotonic()
# The running tool's name (its progress lines' prefix) and the directory of the logs of what
# it runs: set once by each tool's entry point with begin().
NAME = "trials"
LOGS = ROOT / "var"


def begin(name, logs):
    """Progress lines read ``[name ...]``; logs of what runs from now on go to ``logs``."""
    global NAME, LOGS
    NAME, LOGS = name, Path(logs)


def log(message):
    """Progress goes to stderr; the table and the JSON path go to stdout."""
    print(f"[{NAME} {time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(argv, env, log_name, timeout=1800):
    """Run a command to completion with its output in ``<LOGS>/<log_name>.log``; returns
    (seconds, output) and leaves its CPU seconds in ``run.last_cpu_s``. Raises with the
    log's tail when it fails."""
    path = LOGS / f"{log_name}.log"
    started = time.perf_counter()
    cpu = children_cpu()
    with open(path, "wb") as out:
        result = subprocess.run(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout
        )
    seconds = time.perf_counter() - started
    run.last_cpu_s = children_cpu() - cpu
    output = path.read_text(errors="replace")
    if result.returncode:
        tail = "\n".join(output.splitlines()[-15:])
        raise RuntimeError(
            f"{' '.join(map(str, argv))} failed ({result.returncode}); the end of {path}:\n{tail}"
        )
    return seconds, output


class Proc:
    """A background process started here, in its own session, with its output in
    ``<LOGS>/<name>.log`` (LOGS as it is when the process starts)."""

    running = []

    def __init__(self, name, argv, env):
        self.name = name
        self.log_path = LOGS / f"{name}.log"
        with open(self.log_path, "wb") as out:  # the child keeps its own copy
            self.popen = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        Proc.running.append(self)

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def tail(self, lines=10):
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout=20):
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"{self.name} ignored SIGTERM for {timeout}s; killing its process group")
        # Its own session's group (gunicorn's workers): only processes started from here.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()
        if self in Proc.running:
            Proc.running.remove(self)

    @classmethod
    def stop_all(cls):
        for proc in list(cls.running):
            proc.stop(timeout=10)


def wait_http(url, proc, timeout=60):
    """Wait until ``url`` answers (any status below 500) while ``proc`` runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited:\n{proc.tail()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return error.code
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout}s:\n{proc.tail()}")


def wait_port(port, proc, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited:\n{proc.tail()}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {timeout}s:\n{proc.tail()}")


def memory_kb(pid):
    """``{"VmRSS": kB, "VmHWM": kB}`` of a live process (VmHWM is its peak RSS so far)."""
    figures = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            match = re.match(r"(VmRSS|VmHWM):\s+(\d+) kB", line)
            if match:
                figures[match[1]] = int(match[2])
    return figures


def children(pid):
    """The pids whose parent is ``pid`` (gunicorn's workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def cpu_seconds(pids):
    """User plus system CPU time used so far by ``pids`` (those still running)."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def git_describe():
    def git(*args):
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return result.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "none"
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return commit + (" + uncommitted changes" if dirty else "")


def machine():
    """The machine and the commit, for a tool's table and JSON file."""
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                "",
            )
    except OSError:
        pass
    return {
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "commit": git_describe(),
    }


def load_average():
    """The 1, 5 and 15 minute load averages: shared machines make absolute figures noisy."""
    return [round(n, 2) for n in os.getloadavg()]
