"""The fault trials' own services, on one asyncio loop in a thread of ``make chaos``.

- ``RecordingSink``: an SMTP server that accepts everything (PIPELINING, 8BITMIME) and counts
  the messages per recipient, so missing and duplicate messages can be told apart. It can
  call a function when its n-th message arrives (to SIGKILL the worker then).
- ``DatabaseProxy``: a TCP proxy in front of PostgreSQL whose ``outage(seconds)`` drops every
  connection and refuses new ones for that long.
- ``sqlite_lock``: another process holding the write lock of an SQLite file for a while.
"""

import asyncio
import subprocess
import sys
import threading
import time
from collections import Counter


class Loop:
    """An asyncio loop running in a daemon thread; ``call`` runs a coroutine on it."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="chaos-loop", daemon=True)
        self.thread.start()

    def call(self, coroutine, timeout=30):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


# The SMTP sink


class SinkSession(asyncio.Protocol):
    """One SMTP connection: commands line by line, the message body up to ``CRLF.CRLF``."""

    def __init__(self, sink):
        self.sink = sink
        self.buffer = b""
        self.in_data = False
        self.recipients = []

    def connection_made(self, transport):
        self.transport = transport
        transport.write(b"220 chaos-sink ESMTP\r\n")

    def data_received(self, data):
        self.buffer += data
        replies = []
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    break
                self.buffer = self.buffer[end + 5 :]
                self.in_data = False
                self.sink.record(self.recipients)
                self.recipients = []
                replies.append(b"250 2.0.0 Ok: queued\r\n")
                continue
            line, found, rest = self.buffer.partition(b"\r\n")
            if not found:
                break
            self.buffer = rest
            reply = self.command(line)
            if reply is None:
                break
            replies.append(reply)
            if self.in_data:
                # The body may start with "." + CRLF only if empty: search from the start.
                self.buffer = b"\r\n" + self.buffer
        if replies:
            self.transport.write(b"".join(replies))

    def command(self, line):
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            return b"250-chaos-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 104857600\r\n"
        if verb == b"MAIL":
            self.recipients = []
            return b"250 2.1.0 Ok\r\n"
        if verb == b"RCPT":
            address = line.partition(b":")[2].strip().strip(b"<>").decode("utf-8", "replace")
            self.recipients.append(address.lower())
            return b"250 2.1.5 Ok\r\n"
        if verb == b"DATA":
            self.in_data = True
            return b"354 End data with <CR><LF>.<CR><LF>\r\n"
        if verb == b"RSET":
            self.recipients = []
            return b"250 2.0.0 Ok\r\n"
        if verb == b"QUIT":
            self.transport.write(b"221 2.0.0 Bye\r\n")
            self.transport.close()
            return None
        return b"250 Ok\r\n"  # NOOP and the rest


class RecordingSink:
    """Counts messages per recipient; ``on_message(n)`` is called with each running total."""

    def __init__(self, loop):
        self.loop = loop
        self.received = Counter()
        self.total = 0
        self.on_message = None
        self.first_at = self.last_at = None
        self.server = loop.call(self._start())
        self.port = self.server.sockets[0].getsockname()[1]

    async def _start(self):
        return await asyncio.get_running_loop().create_server(
            lambda: SinkSession(self), "127.0.0.1", 0
        )

    def record(self, recipients):
        for address in recipients:
            self.received[address] += 1
        self.total += 1
        self.last_at = time.monotonic()
        self.first_at = self.first_at or self.last_at
        if self.on_message is not None:
            self.on_message(self.total)

    def reset(self):
        """Forget what was received (runs on the loop, between two messages)."""

        async def clear():
            self.received = Counter()
            self.total = 0
            self.on_message = None
            self.first_at = self.last_at = None

        self.loop.call(clear())

    def stop(self):
        self.server.close()


# The PostgreSQL proxy


class DatabaseProxy:
    """127.0.0.1:<port> -> the database; ``outage`` cuts it off for a while."""

    def __init__(self, loop, host, port):
        self.loop = loop
        self.target = (host, port)
        self.pipes = set()
        self.server = None
        self.port = None
        self.loop.call(self._listen())

    async def _listen(self):
        self.server = await asyncio.get_running_loop().create_server(
            self._pipe_factory, "127.0.0.1", self.port or 0, reuse_address=True
        )
        self.port = self.server.sockets[0].getsockname()[1]

    def _pipe_factory(self):
        return ClientSide(self)

    async def _down(self):
        self.server.close()
        for pipe in list(self.pipes):
            pipe.abort()
        self.pipes.clear()

    def outage(self, seconds, on_down=None):
        """Drop every connection and refuse new ones for ``seconds``; returns the monotonic
        times when it went down and came back. ``on_down()`` is called once it is down."""
        self.loop.call(self._down())
        down = time.monotonic()
        if on_down:
            on_down()
        time.sleep(seconds)
        self.loop.call(self._listen())
        return down, time.monotonic()

    def stop(self):
        self.loop.call(self._down())


class ClientSide(asyncio.Protocol):
    """The worker's side of one proxied connection; opens its own to the database."""

    def __init__(self, proxy):
        self.proxy = proxy
        self.upstream = None
        self.pending = []
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        self.proxy.pipes.add(self)
        asyncio.ensure_future(self._connect())

    async def _connect(self):
        loop = asyncio.get_running_loop()
        try:
            _, self.upstream = await loop.create_connection(
                lambda: ServerSide(self), *self.proxy.target
            )
        except OSError:
            self.abort()
            return
        if self.transport.is_closing():  # dropped while we were connecting
            self.upstream.transport.abort()
            return
        for data in self.pending:
            self.upstream.transport.write(data)
        self.pending = []

    def data_received(self, data):
        if self.upstream is None:
            self.pending.append(data)
        else:
            self.upstream.transport.write(data)

    def connection_lost(self, exc):
        self.proxy.pipes.discard(self)
        if self.upstream is not None:
            self.upstream.transport.close()

    def abort(self):
        self.transport.abort()
        if self.upstream is not None:
            self.upstream.transport.abort()


class ServerSide(asyncio.Protocol):
    def __init__(self, client):
        self.client = client

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.client.transport.write(data)

    def connection_lost(self, exc):
        self.client.transport.close()


# SQLite

LOCKER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("ROLLBACK")
"""


def sqlite_lock(path, seconds, on_down=None):
    """Hold the database's write lock for ``seconds`` from another process; returns the
    monotonic times when the lock was taken and given back. ``on_down()`` is called once
    the lock is held."""
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    locker.stdout.readline()  # "locked"
    down = time.monotonic()
    if on_down:
        on_down()
    locker.wait()
    return down, time.monotonic()
