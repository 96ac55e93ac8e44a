"""Two web machines on one host: gunicorn processes that share only the database and Redis,
an editor who publishes through one of them, and a reader who watches the other.

Each machine has its own working folder and its own page-cache generation file (so a change
can reach the other one only through Redis). Used by ``make bench`` (``trials.bench.
invalidation``, production settings) and by ``home/tests/test_two_machines.py`` (the tests'
settings): neither imports Django here.
"""

import http.client
import os
import re
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from trials.processes import PY, ROOT, Proc, free_port, wait_http

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Machine:
    """``config.wsgi`` under gunicorn (``workers`` sync workers) in ``folder``, with ``env``
    and its own generation file, answering at ``base``."""

    def __init__(self, name, folder, env, workers=1):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.generation_file = folder / "page-cache-generation"
        port = free_port()
        env = dict(
            env,
            PYTHONPATH=str(ROOT),
            PAGE_CACHE_GENERATION_FILE=str(self.generation_file),
            TOPTEN_TEST_GENERATION_FILE=str(self.generation_file),
        )
        env.pop("PYTEST_XDIST_WORKER", None)
        argv = [PY, "-m", "gunicorn", "config.wsgi:application", "--chdir", str(folder)]
        argv += ["-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
        self.proc = Proc(name, argv, env)
        self.base = f"http://127.0.0.1:{port}"
        wait_http(self.base + "/", self.proc)

    def stop(self):
        self.proc.stop()


def request(base, method, path, *, body=None, cookies=None):
    """One HTTP request on its own connection: (status, headers, body text, Set-Cookie)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Host": parts.netloc}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode(body)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        jar = SimpleCookie()
        for value in response.headers.get_all("Set-Cookie") or ():
            jar.load(value)
        return response.status, response.headers, text, {k: m.value for k, m in jar.items()}
    finally:
        connection.close()


class Editor:
    """An editor signed in to one machine's admin, clicking Wagtail's bulk actions."""

    def __init__(self, machine, username, password):
        self.base = machine.base
        self.cookies = {}
        self.post_form("/admin/login/", {"username": username, "password": password})
        if "sessionid" not in self.cookies:
            raise RuntimeError(f"{username} could not sign in to {self.base}")

    def post_form(self, path, fields):
        status, _, text, cookies = request(self.base, "GET", path, cookies=self.cookies)
        self.cookies.update(cookies)
        found = CSRF_INPUT.search(text)
        if status != 200 or not found:
            raise RuntimeError(f"GET {path} on {self.base}: {status}, no form")
        fields = {"csrfmiddlewaretoken": found.group(1), **fields}
        status, _, text, cookies = request(
            self.base, "POST", path, body=fields, cookies=self.cookies
        )
        self.cookies.update(cookies)
        if status != 302:
            raise RuntimeError(f"POST {path} on {self.base}: {status}\n{text[-500:]}")

    def bulk(self, action, page_id):
        """Publish or unpublish one page from the page listing's bulk actions; returns the
        monotonic time its response (the redirect after the commit) arrived."""
        query = urlencode({"id": page_id, "next": "/admin/"})
        self.post_form(f"/admin/bulk/wagtailcore/page/{action}/?{query}", {})
        return time.monotonic()


def served(machine, path):
    """(status, X-Page-Cache, body) of an anonymous GET."""
    status, headers, text, _ = request(machine.base, "GET", path)
    return status, headers.get("X-Page-Cache", ""), text


def watch(machine, path, is_fresh, since, *, settle, timeout=30):
    """Anonymous GETs of ``path`` on ``machine`` from ``since`` on, until one sent ``settle``
    seconds after ``since`` or later came back fresh: a list of (seconds after ``since`` the
    request was sent, seconds after ``since`` its answer arrived, fresh?, X-Page-Cache)."""
    seen = []
    while True:
        sent = time.monotonic()
        status, cache, text = served(machine, path)
        answered = time.monotonic()
        fresh = is_fresh(status, text)
        seen.append((sent - since, answered - since, fresh, cache))
        if fresh and sent - since >= settle:
            return seen
        if answered - since > timeout:
            return seen
        time.sleep(0.005)


class Reader:
    """Readers on ``machine``: anonymous GETs of ``path`` one after another on a thread, as
    a site's traffic keeps a machine's copy of the generation fresh. ``answers`` holds
    (monotonic time sent, time answered, fresh?) for each."""

    def __init__(self, machine, path, is_fresh):
        self.machine, self.path, self.is_fresh = machine, path, is_fresh
        self.answers = []
        self.running = True
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while self.running:
            sent = time.monotonic()
            status, _, text = served(self.machine, self.path)
            self.answers.append((sent, time.monotonic(), self.is_fresh(status, text)))
            time.sleep(0.005)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.answers


def stale_for(answers, since):
    """Seconds after ``since`` that the last stale answer arrived (0 if none did)."""
    stale = [answered - since for _, answered, fresh in answers if not fresh and answered > since]
    return max(stale, default=0.0)


def environ(**extra):
    """The caller's environment with ``extra`` on top (values made strings)."""
    return {**os.environ, **{k: str(v) for k, v in extra.items()}}
