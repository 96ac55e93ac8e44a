"""Sending through a database that goes away for a moment (a restart, a failover, a locked
SQLite file): each database call of the send loop goes through ``persist``, which reconnects
and tries again instead of losing the worker or the record of a message already sent.
"""

import logging
import threading
import time

from django.db import InterfaceError, OperationalError, connection

from newsletter.conf import setting

logger = logging.getLogger(__name__)

# Set when the worker process is asked to stop (db_worker's SIGTERM/SIGINT handler): sends
# stop after the message in flight and give their unsent rows back.
STOPPING = threading.Event()
# What a database that is restarting, failing over or locked raises.
DB_UNAVAILABLE = (OperationalError, InterfaceError)
# Pauses between tries while the database is unavailable (the last one repeats).
DB_RETRY_WAITS = (0.2, 0.5, 1, 2)


def reconnect():
    """Drop this thread's database connection after an error; the next query opens a new
    one. Inside a transaction (a caller's atomic block) it is kept, or the transaction would
    be lost: the call is simply tried again."""
    if connection.in_atomic_block:
        return
    try:
        connection.close()
    except Exception:  # a broken connection may fail to close; it is dropped all the same
        logger.debug("Closing the database connection failed", exc_info=True)


def persist(operation, *args, **kwargs):
    """``operation(*args, **kwargs)``, waiting out a database that is unavailable for a
    moment (a restart, a failover, a locked SQLite file): it reconnects and tries again
    with growing pauses, for up to ``NEWSLETTER_DB_OUTAGE_SECONDS`` (then the error is
    raised). A worker being stopped gives up at once."""
    patience = setting("NEWSLETTER_DB_OUTAGE_SECONDS")
    started = time.monotonic()
    tries = 0
    while True:
        try:
            result = operation(*args, **kwargs)
        except DB_UNAVAILABLE as error:
            if STOPPING.is_set() or time.monotonic() - started >= patience:
                raise
            if not tries:
                logger.warning(
                    "Database unavailable (%s); trying again for up to %ss",
                    " ".join(str(error).split()),
                    patience,
                )
            reconnect()
            STOPPING.wait(DB_RETRY_WAITS[min(tries, len(DB_RETRY_WAITS) - 1)])
            tries += 1
            continue
        if tries:
            logger.warning(
                "Database back after %.1fs (%s tries)", time.monotonic() - started, tries + 1
            )
        return result
