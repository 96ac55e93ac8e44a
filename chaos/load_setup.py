"""``make load``'s data and services: a seeded database, gunicorn, db_worker and smtp-sink.

Built on bench/'s helpers (``common``, ``tools``, ``sending``), with the files under
``var/load/`` instead of ``var/bench/data/``: a ``make bench`` running at the same time
rebuilds that directory, and this run must not lose its logs or its database to it.
chaos/load.py puts bench/ first on ``sys.path`` before importing this module.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import time

import common
from common import PY, ROOT, STARTED, free_port, seed_env, wait_http, wait_port
from tools import POSTFIX, SmtpSink, ensure_smtp_sink

LOAD = ROOT / "var" / "load"
DB = LOAD / "load.sqlite3"
# Yesterday's issue sent before the load, so the archive has a page to read.
SEND_YESTERDAY = """
import datetime
from django.core.management import call_command
from django.utils import timezone
from newsletter.models import IssuePage
from newsletter.sending.orchestration import send_issue_now

day = timezone.localdate() - datetime.timedelta(days=1)
call_command("prepare_issue", date=day, stdout=open("/dev/null", "w"))
issue = IssuePage.objects.get(issue_date=day)
issue.save_revision().publish()
send_issue_now(IssuePage.objects.get(pk=issue.pk))
"""


def log(message):
    """Progress goes to stderr; the table and the JSON path go to stdout."""
    print(f"[load {time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def fresh_directory():
    """Empty ``var/load/`` but for the results of earlier runs."""
    LOAD.mkdir(parents=True, exist_ok=True)
    for path in LOAD.iterdir():
        if path.name.startswith("results-"):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def django_env(**extra):
    """bench's production environment (DEBUG off, a fresh key, the page cache as configured),
    with this run's database and files."""
    return common.django_env(DB, data=LOAD, **extra)


def manage(args, env, log_name, timeout=900):
    """``manage.py`` to completion, its output in ``var/load/<log_name>.log``; returns the
    seconds it took. Raises with the log's tail when it fails."""
    path = LOAD / f"{log_name}.log"
    started = time.perf_counter()
    with open(path, "wb") as out:
        result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, timeout=timeout)
    if result.returncode:
        tail = "\n".join(path.read_text(errors="replace").splitlines()[-15:])
        raise RuntimeError(f"manage.py {args[0]} ({log_name}) failed ({result.returncode}); "
                           f"the end of {path}:\n{tail}")
    return time.perf_counter() - started


def drain(env, log_name):
    """Run the queued tasks (Wagtail's index updates, a send) until the queue is empty."""
    manage(["db_worker", "--queue-name", "*", "--batch", "--no-reload"], env, log_name)


def prepare(subscribers):
    """The seeded database: demo content, yesterday's issue sent to the demo readers (into
    the file outbox), the Daily list topped up to ``subscribers``, the task queue drained."""
    env = django_env()
    log("migrate, collectstatic, seed_demo (seed_demo with the development settings)")
    manage(["migrate", "--noinput"], env, "migrate")
    manage(["collectstatic", "--noinput", "--verbosity", "0"], env, "collectstatic")
    manage(["seed_demo", "--quiet"], seed_env(env), "seed")
    log("yesterday's issue, sent to the demo readers, for the archive page")
    manage(["shell", "--command", SEND_YESTERDAY], env, "send-yesterday")
    drain(env, "drain-yesterday")
    log(f"seed_demo --subscribers {subscribers}")
    seconds = manage(["seed_demo", "--quiet", "--subscribers", str(subscribers)],
                     seed_env(env), "seed-subscribers")
    drain(env, "drain-seed")
    with sqlite3.connect(DB) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return seconds


class Proc(common.Proc):
    """bench's background process (its own session, stopped by ``Proc.stop_all``), with its
    output in ``var/load/<name>.log``."""

    log_dir = LOAD


class Sink(SmtpSink):
    """bench's ``smtp-sink -c`` (its running count), with its log under ``var/load/``."""

    def __init__(self):
        binary = ensure_smtp_sink()
        env = dict(os.environ, LD_LIBRARY_PATH=str(POSTFIX / "usr" / "lib" / "postfix"))
        user = ["-u", "nobody"] if os.geteuid() == 0 else []  # as root it must drop to a user
        self.port = free_port()
        self.proc = Proc("smtp-sink", [str(binary), "-c", *user, f"127.0.0.1:{self.port}",
                                       "1000"], env)
        self.offset = 0
        self.last = 0
        wait_port(self.port, self.proc)


def start_worker(env):
    """``db_worker`` as bin/serve starts it, idle, its first poll of the queue made."""
    worker = Proc("db-worker", [PY, "manage.py", "db_worker", "--queue-name", "*",
                                "--no-reload"], env)
    time.sleep(3)
    if not worker.alive():
        raise RuntimeError(f"db_worker exited:\n{worker.tail()}")
    return worker


ACCESS_FORMAT = "%(s)s %(D)s %({x-page-cache}o)s %(U)s"


def start_gunicorn(env, workers):
    """gunicorn with ``workers`` sync workers, logging status, microseconds, page-cache
    header and path of every request to ``var/load/access.log``."""
    port = free_port()
    argv = [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application",
            "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
            "--access-logfile", str(LOAD / "access.log"), "--access-logformat", ACCESS_FORMAT]
    proc = Proc("gunicorn", argv, env)
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/", proc)
    return proc, base
