"""The project as the tools run it: its environment, its commands, its worker and gunicorn.

Every Django process gets the production settings with DEBUG off and this run's own
database, media, static files, outbox and page-cache generation file, so nothing the tools do
reaches the developer's ``var/`` database or the caller's mail settings. The project's code
runs in subprocesses only (``manage.py``, gunicorn, ``python -m trials.probe``): the tools
themselves never import Django.
"""

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import time

from trials.processes import PY, ROOT, Proc, free_port, run, wait_http

PRODUCTION = "config.settings.production"
# One key per run: production settings refuse the development key.
SECRET_KEY = secrets.token_urlsafe(64)
# Variables from the caller's shell that would send the tools somewhere else.
DROPPED = (
    "NEWSLETTER_EMAIL_URL",
    "PAGE_CACHE_ENABLED",
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "CSRF_TRUSTED_ORIGINS",
    "STATIC_ROOT",
    "MEDIA_ROOT",
)
# db_worker as bin/serve starts it (``make run``).
WORKER = ("manage.py", "db_worker", "--queue-name", "*", "--no-reload")


def django_env(db_path=None, *, data, database_url=None, **extra):
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
        # No daily draft made by the worker mid-trial: what is measured must not depend on
        # the hour the trial runs at.
        NEWSLETTER_PREPARE_AT="",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def seed_env(env):
    """seed_demo only runs with the development settings (it makes admin/admin): the same
    database and media, dev settings, DEBUG still off (no query log), the dev key."""
    env = dict(env, DJANGO_SETTINGS_MODULE="config.settings.dev", DEBUG="0")
    env.pop("SECRET_KEY", None)
    return env


def manage(args, env, log_name, timeout=1800):
    return run([PY, "manage.py", *args], env, log_name, timeout)


def migrate_and_seed(env):
    """A new database migrated and seeded with the demo content, and the static files
    collected under the environment's ``STATIC_ROOT``."""
    manage(["migrate", "--noinput"], env, "migrate")
    manage(["collectstatic", "--noinput", "--verbosity", "0"], env, "collectstatic")
    manage(["seed_demo", "--quiet"], seed_env(env), "seed")


def drain(env, log_name, *extra):
    """Run the queued tasks (Wagtail's index updates, a send) until the queue is empty."""
    return manage([*WORKER[1:], "--batch", *extra], env, log_name)


def start_worker(env, name, *extra, settle=False):
    """``db_worker`` in the background. With ``settle`` it is given 3 s to make its first
    poll of the queue (imports done), and must still be alive then."""
    worker = Proc(name, [PY, *WORKER, *extra], env)
    if settle:
        time.sleep(3)
        if not worker.alive():
            raise RuntimeError(f"db_worker exited:\n{worker.tail()}")
    return worker


def start_gunicorn(env, name, workers, *options, app="config.wsgi:application"):
    """``app`` (``config.wsgi``) under gunicorn with ``workers`` sync workers on a free port,
    once it answers; returns the process and its base URL."""
    port = free_port()
    gunicorn = os.path.join(os.path.dirname(PY), "gunicorn")
    argv = [
        gunicorn,
        app,
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        *options,
    ]
    proc = Proc(name, argv, env)
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/", proc)
    return proc, base


def django_json(module, env, *args, timeout=900):
    """Run ``python -m module args`` (a script inside Django) with ``env``; returns the JSON
    of its last line."""
    result = subprocess.run(
        [PY, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def probe(env, *args):
    """``trials.probe``'s answer (see its docstring for the commands)."""
    return django_json("trials.probe", env, *args)


def wait_finished(env, seconds=15):
    """The campaign's rows by status, once the worker marked it sent (or after ``seconds``)."""
    deadline = time.monotonic() + seconds
    rows = probe(env, "deliveries")
    while rows.get("status") != "sent" and time.monotonic() < deadline:
        time.sleep(1)
        rows = probe(env, "deliveries")
    return rows


def setup_django():
    """For the scripts that run inside Django (``trials.probe``, ``trials.chaos.appstate``):
    the tools give them their settings; run by hand they default to production's."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", PRODUCTION)
    django.setup()


# SQLite files: a database is its file and the -wal and -shm files beside it.


def checkpoint(db):
    """Fold the WAL into the database file so a plain copy has everything."""
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def remove_sqlite(path):
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def copy_sqlite(source, target):
    """A copy of a checkpointed database (see ``checkpoint``)."""
    remove_sqlite(target)
    shutil.copyfile(source, target)
