"""django-tasks-db's ``db_worker``, with the newsletter's housekeeping beside it.

Our app comes before ``django_tasks_db`` in INSTALLED_APPS, so ``manage.py db_worker`` is this
command. It runs the same worker loop, plus a thread that runs ``housekeeping_round`` when the
worker starts and every few seconds after: ``newsletter.sending.scheduling.run_due_and_stalled``
(scheduled issues go out on time, and a send whose worker was killed resumes once the dead
worker's leases run out: django-tasks-db itself never retries a task, and leaves a killed
worker's task RUNNING for ever), then ``newsletter.issues.preparing.prepare_if_due`` (from
``NEWSLETTER_PREPARE_AT``, the next issue's draft, once a day).

On SIGTERM or Ctrl-C a send in progress stops after the message in flight and gives its
unsent rows back, so the worker exits promptly and the next one carries on.

The database may be unavailable for a moment (a restart, a failover, a dropped connection):
django-tasks-db's loop would exit on the error; this one drops its connections, waits (half
a second, growing to ten) and goes on, so the process never needs restarting. A send in
progress waits the outage out itself (``newsletter.sending.outage.persist``).
"""

import logging
import os
import threading
import time

from django.core.management.base import CommandError
from django.db import close_old_connections, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from newsletter.conf import setting
from newsletter.issues.preparing import prepare_if_due
from newsletter.sending.outage import DB_UNAVAILABLE, STOPPING
from newsletter.sending.scheduling import run_due_and_stalled

logger = logging.getLogger("newsletter.sending")
POLL_SECONDS = 0.25
# Pauses before the worker loop starts again after a database error (the last one repeats);
# a loop that ran this many seconds without an error starts the pauses again from the first.
OUTAGE_WAITS = (0.5, 1, 2, 5, 10)
CALM_SECONDS = 60


def housekeeping_round():
    """Due schedules and stalled sends, then the day's draft; one failing doesn't stop the
    other, and neither stops the worker (the next round tries again). Returns what sending's
    housekeeping did, as a dict."""
    done = {}
    try:
        done = run_due_and_stalled()
    except Exception:  # the worker must outlive any one failure
        logger.exception("Sending housekeeping failed")
    try:
        prepare_if_due()
    except Exception:
        logger.exception("Preparing the next issue's draft failed; trying again next round")
    return done


def housekeeping(interval):
    """Every ``interval`` seconds, a ``housekeeping_round`` (runs in a daemon thread)."""
    while not STOPPING.wait(interval):
        close_old_connections()
        try:
            housekeeping_round()
        finally:
            close_old_connections()


def close_all_connections():
    """Drop this thread's database connections (broken ones may fail to close), but not
    one inside a transaction: that is its owner's to end."""
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            continue
        try:
            conn.close()
        except Exception:
            logger.debug("Closing a database connection failed", exc_info=True)


class Worker(db_worker.Worker):
    def __init__(self, *, housekeeping_interval, **kwargs):
        super().__init__(**kwargs)
        self.housekeeping_interval = housekeeping_interval

    def run(self):
        if self.housekeeping_interval:
            done = housekeeping_round()
            if any(done.values()):
                logger.info("Sending housekeeping at start: %s", done)
        if self.housekeeping_interval and not self.batch:
            threading.Thread(
                target=housekeeping,
                args=[self.housekeeping_interval],
                name="newsletter-housekeeping",
                daemon=True,
            ).start()
        self.run_through_outages()

    def run_through_outages(self):
        """django-tasks-db's loop, started again after a database error instead of exiting.

        A task whose result could not be saved stays RUNNING in the queue; a send's
        unfinished rows are taken up by the housekeeping once their lease runs out."""
        failures = 0
        while True:
            started = time.monotonic()
            try:
                return super().run()
            except DB_UNAVAILABLE as error:
                if not self.running:
                    raise
                if time.monotonic() - started > CALM_SECONDS:
                    failures = 0
                wait = OUTAGE_WAITS[min(failures, len(OUTAGE_WAITS) - 1)]
                failures += 1
                logger.warning(
                    "Database unavailable (%s); the worker goes on in %ss",
                    " ".join(str(error).split()),
                    wait,
                )
                self.running_task = False
                self.startup_delay = False
                close_all_connections()
                time.sleep(wait)

    def shutdown(self, signum, frame):
        STOPPING.set()  # a send in progress stops after the message in flight
        super().shutdown(signum, frame)


class Command(db_worker.Command):
    help = (
        "Run a database background worker. It also sends scheduled issues when they are due "
        "and resumes sends whose worker stopped."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # Look for new tasks four times a second (django-tasks-db: once), so a send starts
        # within a moment of the click; an idle poll is one indexed query.
        parser.set_defaults(interval=POLL_SECONDS)
        parser.add_argument(
            "--housekeeping-interval",
            type=float,
            default=setting("NEWSLETTER_HOUSEKEEPING_SECONDS"),
            help="Seconds between checks for due schedules and stalled sends; 0 turns the "
            "checks off (default: %(default)r)",
        )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        housekeeping_interval,
        **options,
    ):
        # As django-tasks-db's own handle(), with our Worker.
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning(
                "--reload and --batch cannot be specified together. Disabling autoreload."
            )
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
            housekeeping_interval=housekeeping_interval,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
