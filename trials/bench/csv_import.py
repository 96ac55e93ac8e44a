"""Part 4: ``manage.py import_subscribers`` with a fresh CSV of 100,000 subscribers.

The file has the columns our own export writes (email, status, source, created_at,
consent_at, consent_url, consent_text) and goes into a copy of the seeded database, so every
row is new. The figure is the command's wall time, Django's start-up included.
"""

import csv
import datetime
import re

from trials.bench.stage import DATA, django_env
from trials.processes import log, run
from trials.project import copy_sqlite, manage


def write_csv(path, rows):
    signed_up = datetime.datetime(2025, 3, 1, 8, 0, tzinfo=datetime.UTC)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["email", "status", "source", "created_at", "consent_at", "consent_url", "consent_text"]
        )
        for number in range(1, rows + 1):
            moment = (signed_up + datetime.timedelta(seconds=number * 37)).isoformat()
            writer.writerow(
                [
                    f"imported{number:06d}@example.net",
                    "active",
                    "import",
                    moment,
                    moment,
                    "https://example.net/signup",
                    "Yes, send me Lisa's Top Ten every morning.",
                ]
            )


def run_import(template_db, rows):
    db = DATA / "import.sqlite3"
    copy_sqlite(template_db, db)
    path = DATA / f"subscribers-{rows}.csv"
    write_csv(path, rows)
    log(f"import_subscribers {path.name} ({path.stat().st_size / 1e6:.1f} MB)")
    seconds, output = manage(
        ["import_subscribers", str(path)], django_env(db), "import-subscribers"
    )
    own = re.search(r"\(([\d.]+)s\)", output)
    summary = next((line for line in output.splitlines() if "(" in line), "").strip()
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "cpu_s": round(run.last_cpu_s, 2),
        "command_reported_s": float(own[1]) if own else None,
        "summary": summary,
    }
