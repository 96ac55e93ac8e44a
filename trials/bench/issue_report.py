"""Part 5: the engagement report of an issue sent to 100,000 readers with 30,000 clicks.

On a copy of the seeded database, ``trials.bench.issue_report_inside`` puts in the readers,
deliveries and clicks with ``bulk_create`` and times ``issue_report()`` and the admin's issue
report page (Django's test Client, signed in), with the SQL queries of each beside those of
an issue sent to ten readers with three clicks: they must be the same.
"""

import os

from trials.bench.stage import DATA, django_env
from trials.processes import log
from trials.project import copy_sqlite, django_json

DELIVERIES, CLICKS = 100_000, 30_000


def run(template_db):
    db = DATA / "report.sqlite3"
    copy_sqlite(template_db, db)
    deliveries = int(os.environ.get("BENCH_REPORT_DELIVERIES", DELIVERIES))
    clicks = int(os.environ.get("BENCH_REPORT_CLICKS", CLICKS))
    runs = os.environ.get("BENCH_REPORT_RUNS", "7")
    log(f"issue report: {deliveries:,} deliveries, {clicks:,} clicks, {runs} runs")
    return django_json(
        "trials.bench.issue_report_inside", django_env(db), str(deliveries), str(clicks), runs
    )
