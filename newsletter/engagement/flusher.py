"""The web process's background writer of what readers did: clicks (``recording``) and pixel
loads (``opens``) wait in memory and are written every ``NEWSLETTER_CLICK_FLUSH_SECONDS`` by
one daemon thread per process (a forked child starts its own), and once more at exit.

Each buffer registers its ``flush`` here; ``start()`` is called on every record and costs a
comparison once the thread runs. With the setting None (tests) nothing runs in the
background: the tests call the buffers' ``flush()`` themselves.
"""

import atexit
import logging
import os
import threading

from django.db import close_old_connections

from newsletter.conf import setting

logger = logging.getLogger(__name__)

_flushes = []
_lock = threading.Lock()
_running = None  # (pid, thread)


def register(flush):
    """Write ``flush``'s buffer with the others; returns ``flush``."""
    _flushes.append(flush)
    return flush


def flush_all():
    for flush in _flushes:
        try:
            flush()
        except Exception:  # one buffer's failure must not stop the other's writes
            logger.exception("Could not write the buffered %s", flush.__module__)


def start():
    """Start this process's writer if it isn't running (and the setting asks for one)."""
    global _running
    pid = os.getpid()
    if _running is not None and _running[0] == pid:
        return
    seconds = setting("NEWSLETTER_CLICK_FLUSH_SECONDS")
    if seconds is None:
        return
    with _lock:
        if _running is not None and _running[0] == pid:
            return
        thread = threading.Thread(
            target=_every, args=(seconds,), name="newsletter-engagement", daemon=True
        )
        _running = (pid, thread)
    thread.start()


def _every(seconds):
    stop = threading.Event()
    while not stop.wait(seconds):
        close_old_connections()
        flush_all()


atexit.register(flush_all)
