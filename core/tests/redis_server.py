"""A real Redis for the tests: the one ``REDIS_URL`` names (CI starts it), or Debian's
``redis-server`` started here on a free port in a temporary folder.

No Redis is a failed test, never a skipped one: ``make test`` installs ``redis-server`` when
run as root, and otherwise the failure says how.
"""

import os
import shutil
import socket
import subprocess
import time

import pytest

INSTALL = (
    "The Redis tests need Debian's redis-server. Install it with "
    "`sudo apt-get install -y redis-server` (`make test` does so when run as root), or point "
    "REDIS_URL at a Redis to use (e.g. redis://127.0.0.1:6379/0)."
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url, seconds=0.0):
    """Whether the Redis at ``url`` answers PING, waiting up to ``seconds`` for it."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1)
    deadline = time.monotonic() + seconds
    while True:
        try:
            return client.ping()
        except (redis.RedisError, OSError):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        finally:
            client.close()


class RedisServer:
    """``redis-server`` on 127.0.0.1, its files in ``folder``. ``stop()`` and ``start()`` again
    keep the port; with ``save=True`` it writes its data on the way down and reads it back."""

    def __init__(self, folder, port=None):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.fail(INSTALL, pytrace=False)
        self.folder = folder
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        argv = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.folder),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ]
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115 (the child keeps it)
        self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        if not answers(self.url, seconds=10):
            self.stop()
            pytest.fail(f"redis-server did not answer on port {self.port}", pytrace=False)
        return self

    def stop(self, *, save=False):
        if self.process is None:
            return
        if save:
            import redis

            client = redis.Redis.from_url(self.url)
            client.save()
            client.close()
        self.process.terminate()
        self.process.wait(10)
        self.process = None


def redis_for_tests(folder):
    """``(url, server)``: ``REDIS_URL``'s Redis (``server`` is None) or one started here."""
    url = os.environ.get("REDIS_URL", "")
    if url:
        if not answers(url, seconds=5):
            pytest.fail(f"REDIS_URL={url} does not answer PING. {INSTALL}", pytrace=False)
        return url, None
    server = RedisServer(folder).start()
    return server.url, server
