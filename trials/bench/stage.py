"""The benchmark's place and its starting point.

Everything the benchmark makes lives under ``var/bench/``: ``data/`` is rebuilt on every run
(databases, media, static files, logs, the CSV), ``postfix/`` keeps the unpacked smtp-sink
between runs (``trials.services``), and ``results/`` keeps one JSON file per run. Each part
starts from a copy of one seeded database, ``data/seeded.sqlite3``.
"""

import shutil

from trials import project
from trials.processes import ROOT, log
from trials.project import checkpoint, drain, migrate_and_seed

VAR = ROOT / "var" / "bench"
DATA = VAR / "data"
RESULTS = VAR / "results"


def django_env(db, **extra):
    """The production environment with the SQLite database ``db`` and the files in ``data/``."""
    return project.django_env(db, data=DATA, **extra)


def prepare():
    """A migrated, seeded database with its task queue drained, and collected static files."""
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    template = DATA / "seeded.sqlite3"
    env = django_env(template)
    log("migrate, collectstatic, seed_demo (production settings; seed_demo runs with dev's)")
    migrate_and_seed(env)
    drain(env, "seed-drain")
    checkpoint(template)
    return template
