"""Several single calls at once, for HTTP API providers without a batch API: one message per
call (anymail's ``GenericSender``), ``NEWSLETTER_API_CONCURRENCY`` calls in flight."""

import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from anymail.backends.base import AnymailBaseBackend

from newsletter.conf import setting
from newsletter.sending import transport
from newsletter.sending.batch import api_batch_size


class ConcurrentSender:
    """Sends rows one message per call, ``count`` calls at once (``NEWSLETTER_API_CONCURRENCY``),
    each thread with its own backend (``make_backend()``). Only the calls run in the threads:
    what became of each row is yielded back to the worker's own thread, which records it."""

    def __init__(self, make_backend, frozen, count):
        self.make_backend, self.frozen, self.count = make_backend, frozen, count
        self.local = threading.local()
        self.senders = []
        self.pool = ThreadPoolExecutor(count, thread_name_prefix="newsletter-api")

    def _one(self, row):
        sender = getattr(self.local, "sender", None)
        if sender is None:
            sender = self.local.sender = transport.GenericSender(self.make_backend(), self.frozen)
            self.senders.append(sender)
        try:
            sender.send(row.email, row.subscriber_id, row.pk)
        except transport.SendError as error:
            return error
        return None

    def send(self, rows, pacer):
        """Yield ``(row, None or the SendError)`` as calls finish, pacing each start with
        ``pacer``. Two unreachable or silent answers in a row stop new calls: the rows not yet
        tried come back with that error, to wait for their retry."""
        waiting, running, silences, last = list(rows), {}, 0, None
        while waiting or running:
            while waiting and len(running) < self.count and silences < 2:
                row = waiting.pop(0)
                pacer.wait()
                running[self.pool.submit(self._one, row)] = row
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                row, error = running.pop(future), future.result()
                stuck = isinstance(error, transport.Transient) and (error.connect or error.silent)
                silences, last = (silences + 1, error) if stuck else (0, last)
                yield row, error
        for row in waiting:
            yield row, last

    def close(self):
        self.pool.shutdown(wait=True)
        for sender in self.senders:
            sender.close()


def concurrency(backend):
    """Calls at once for an HTTP API provider sent one message per call, else 1."""
    if isinstance(backend, AnymailBaseBackend) and not api_batch_size(backend):
        return max(1, setting("NEWSLETTER_API_CONCURRENCY"))
    return 1
