"""``make load``'s data and services: a seeded database, gunicorn, db_worker and smtp-sink.

Built on the tools' shared helpers (``trials.processes``, ``trials.project``,
``trials.services``), with the files under ``var/load/``, not ``var/bench/data/``: a
``make bench`` running at the same time rebuilds that directory, and this run must not lose
its logs or its database to it.
"""

import shutil

from trials import project
from trials.processes import ROOT, log
from trials.project import checkpoint, drain, manage, migrate_and_seed, seed_env

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
    """The tools' production environment (DEBUG off, a fresh key, the page cache as
    configured), with this run's database and files."""
    return project.django_env(DB, data=LOAD, **extra)


def prepare(subscribers):
    """The seeded database: demo content, yesterday's issue sent to the demo readers (into
    the file outbox), the Daily list topped up to ``subscribers``, the task queue drained."""
    env = django_env()
    log("migrate, collectstatic, seed_demo (seed_demo with the development settings)")
    migrate_and_seed(env)
    log("yesterday's issue, sent to the demo readers, for the archive page")
    manage(["shell", "--command", SEND_YESTERDAY], env, "send-yesterday")
    drain(env, "drain-yesterday")
    log(f"seed_demo --subscribers {subscribers}")
    seconds, _ = manage(
        ["seed_demo", "--quiet", "--subscribers", str(subscribers)],
        seed_env(env),
        "seed-subscribers",
    )
    drain(env, "drain-seed")
    checkpoint(DB)
    return seconds


ACCESS_FORMAT = "%(s)s %(D)s %({x-page-cache}o)s %(U)s"


def start_gunicorn(env, workers):
    """gunicorn with ``workers`` sync workers, logging status, microseconds, page-cache
    header and path of every request to ``var/load/access.log``."""
    return project.start_gunicorn(
        env,
        "gunicorn",
        workers,
        "--access-logfile",
        str(LOAD / "access.log"),
        "--access-logformat",
        ACCESS_FORMAT,
    )
