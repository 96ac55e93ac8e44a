"""``config.wsgi`` with a ``Server-Timing`` header on every response, for the admin part.

    gunicorn trials.bench.timed_wsgi:application

Django builds the whole response before it calls ``start_response``, so the time from the
WSGI call to ``start_response`` is the server's time for the page: routing, the session, the
view, its queries and its template. The header carries it with the process's CPU time over
the same span: ``Server-Timing: app;dur=123.4, cpu;dur=98.7`` (milliseconds). The benchmark
reads it; the product never sends it (this module is only ever run by ``trials.bench``).
"""

import time

from config.wsgi import application as django_application


def application(environ, start_response):
    started, cpu = time.perf_counter(), time.process_time()

    def timed_start_response(status, headers, exc_info=None):
        elapsed = (time.perf_counter() - started) * 1000
        used = (time.process_time() - cpu) * 1000
        headers = [*headers, ("Server-Timing", f"app;dur={elapsed:.2f}, cpu;dur={used:.2f}")]
        return start_response(status, headers, exc_info)

    return django_application(environ, timed_start_response)
