"""Paths, environment and process helpers shared by the benchmark's parts.

Everything the benchmark makes lives under ``var/bench/``: ``data/`` is rebuilt on every run
(databases, media, static files, logs, the CSV), ``postfix/`` keeps the unpacked smtp-sink
between runs, and ``results/`` keeps one JSON file per run.
"""

import contextlib
import json
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
DATA = VAR / "data"
RESULTS = VAR / "results"
PY = str(ROOT / ".venv" / "bin" / "python")
PRODUCTION = "config.settings.production"
STARTED = time.monotonic()
# One key per run: production settings refuse the development key.
SECRET_KEY = secrets.token_urlsafe(64)
# Variables from the caller's shell that would send the benchmark somewhere else.
DROPPED = ("NEWSLETTER_EMAIL_URL", "PAGE_CACHE_ENABLED", "DJANGO_SETTINGS_MODULE",
           "DATABASE_URL", "CSRF_TRUSTED_ORIGINS", "STATIC_ROOT", "MEDIA_ROOT")


def log(message):
    """Progress goes to stderr; the table and the JSON path go to stdout."""
    print(f"[bench {time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def django_env(db_path=None, *, data=DATA, database_url=None, **extra):
    """The environment of every Django process: production settings, DEBUG off, this run's
    database (``db_path`` for SQLite, or ``database_url``) and its media, static files,
    outbox and page-cache generation file under ``data``. ``extra`` overrides any of it."""
    env = {key: value for key, value in os.environ.items() if key not in DROPPED}
    env.update(
        DJANGO_SETTINGS_MODULE=PRODUCTION,
        DATABASE_URL=database_url or f"sqlite:///{db_path}",
        MEDIA_ROOT=str(data / "media"),
        STATIC_ROOT=str(data / "static"),
        SECRET_KEY=SECRET_KEY,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        PAGE_CACHE_GENERATION_FILE=str(data / "page-cache-generation"),
        EMAIL_URL=f"file:{data / 'outbox'}",
        SITE_URL="http://127.0.0.1:8000",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def seed_env(env):
    """seed_demo only runs with the development settings (it makes admin/admin): the same
    database and media, dev settings, DEBUG still off (no query log), the dev key."""
    env = dict(env, DJANGO_SETTINGS_MODULE="config.settings.dev", DEBUG="0")
    env.pop("SECRET_KEY", None)
    return env


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(argv, env, log_name, timeout=1800):
    """Run a command to completion with its output in ``data/<log_name>.log``; returns
    (seconds, output) and leaves its CPU seconds in ``run.last_cpu_s``. Raises with the
    log's tail when it fails."""
    path = DATA / f"{log_name}.log"
    started = time.perf_counter()
    cpu = children_cpu()
    with open(path, "wb") as out:
        result = subprocess.run(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                timeout=timeout)
    seconds = time.perf_counter() - started
    run.last_cpu_s = children_cpu() - cpu
    output = path.read_text(errors="replace")
    if result.returncode:
        tail = "\n".join(output.splitlines()[-15:])
        raise RuntimeError(f"{' '.join(map(str, argv))} failed ({result.returncode}):\n{tail}")
    return seconds, output


def manage(args, env, log_name, timeout=1800):
    return run([PY, "manage.py", *args], env, log_name, timeout)


def probe(env, *args):
    """Run bench/probe.py with ``env``; returns its JSON answer."""
    result = subprocess.run([PY, "bench/probe.py", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)
    if result.returncode:
        raise RuntimeError(f"probe {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class Proc:
    """A background process started here, in its own session, with its output in a log
    under ``log_dir``."""

    running = []
    log_dir = None  # None: DATA as it is when the process starts (chaos/run.py moves it)

    def __init__(self, name, argv, env):
        self.name = name
        self.log_path = (self.log_dir or DATA) / f"{name}.log"
        with open(self.log_path, "wb") as out:  # the child keeps its own copy
            self.popen = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out,
                                          stderr=subprocess.STDOUT, start_new_session=True)
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
