"""An SMTP sink that stands for a provider's relay across the internet: every reply comes a
set delay after the command it answers, and every message it takes is counted, then dropped.

    python -m trials.relay PORT [--delay 0.05] [--serial] [--status FILE]

- **The delay.** Each reply (the greeting, EHLO, MAIL, RCPT, DATA, the end of the message,
  QUIT) leaves ``delay`` seconds after its command arrived, in order. That is a network whose
  round trip is ``delay`` and a server that answers at once: three commands sent together
  (PIPELINING, which it offers) are answered together, one round trip for the three, as
  over the internet. ``--serial`` answers one command at a time instead, each ``delay`` after
  the previous reply (a slow server, not a far one): pipelined commands cost a delay each.
- **Counting.** A message counts when its ``250`` after the final "." is written. The
  status file (JSON, rewritten at most every 0.2 s) holds the messages taken, the wall-clock
  time of the first and the last, the connections open and the most open at once.
- It is a bare asyncio protocol, not aiosmtpd: it scans each message for its end in the
  bytes it receives and keeps none of it, so a few hundred 65 kB messages a second cost it
  little CPU on a machine it shares with the worker it measures.

``Relay`` runs the same server in a thread of the caller (the tests use it).
"""

import argparse
import asyncio
import contextlib
import json
import os
import signal
import threading
import time

END = b"\r\n.\r\n"
EHLO = b"250-relay.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 0"


class Counts:
    """What the relay took, shared by its connections."""

    def __init__(self):
        self.messages = 0
        self.first = None
        self.last = None
        self.open = 0
        self.most_open = 0
        self.connections = 0

    def as_dict(self):
        return {
            "messages": self.messages,
            "first": self.first,
            "last": self.last,
            "open": self.open,
            "most_open": self.most_open,
            "connections": self.connections,
        }


class RelayProtocol(asyncio.Protocol):
    def __init__(self, counts, delay, serial):
        self.counts = counts
        self.delay = delay
        self.serial = serial
        self.loop = asyncio.get_running_loop()
        self.buffer = bytearray()
        self.in_data = False
        self.last_reply_at = 0.0
        self.transport = None

    # Replies, each ``delay`` after its command (or after the previous reply, if serial)

    def reply(self, text, *, message=False, close=False):
        now = self.loop.time()
        at = (max(now, self.last_reply_at) if self.serial else now) + self.delay
        self.last_reply_at = at
        self.loop.call_at(at, self.write, text, message, close)

    def write(self, text, message, close):
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(text + b"\r\n")
        if message:
            counts = self.counts
            counts.messages += 1
            counts.last = time.time()
            if counts.first is None:
                counts.first = counts.last
        if close:
            self.transport.close()

    # The connection

    def connection_made(self, transport):
        self.transport = transport
        self.counts.open += 1
        self.counts.connections += 1
        self.counts.most_open = max(self.counts.most_open, self.counts.open)
        self.reply(b"220 relay.test ESMTP")

    def connection_lost(self, exc):
        self.counts.open -= 1
        self.transport = None

    def data_received(self, data):
        self.buffer += data
        while self.buffer:
            if self.in_data:
                end = self.buffer.find(END)
                if end < 0:
                    # Keep only what could be the start of the end marker.
                    del self.buffer[: max(0, len(self.buffer) - 4)]
                    return
                del self.buffer[: end + len(END)]
                self.in_data = False
                self.reply(b"250 2.0.0 Queued", message=True)
                continue
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                if len(self.buffer) > 4096:
                    self.reply(b"500 5.5.2 Line too long", close=True)
                    self.buffer.clear()
                return
            line = bytes(self.buffer[:line_end])
            del self.buffer[: line_end + 2]
            self.command(line)

    def command(self, line):
        verb = line[:4].upper()
        if verb == b"EHLO":
            self.reply(EHLO)
        elif verb in (b"HELO", b"MAIL", b"RSET", b"NOOP"):
            self.reply(b"250 2.0.0 OK")
        elif verb == b"RCPT":
            self.reply(b"250 2.1.5 OK")
        elif verb == b"DATA":
            self.in_data = True
            # The message may end on its first line: the end marker's "\r\n" is this one's.
            self.buffer[:0] = b"\r\n"
            self.reply(b"354 End data with <CR><LF>.<CR><LF>")
        elif verb == b"QUIT":
            self.reply(b"221 2.0.0 Bye", close=True)
        else:
            self.reply(b"502 5.5.2 Command not recognised")


async def serve(port, delay, serial, counts, started=None, stop=None, status=None):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: RelayProtocol(counts, delay, serial), "127.0.0.1", port, backlog=1000
    )
    stop = stop or asyncio.Event()
    if started is not None:
        started(loop, stop)
    written = None
    async with server:
        while not stop.is_set():
            if status is not None:
                figures = counts.as_dict()
                if figures != written:
                    temporary = f"{status}.tmp"
                    with open(temporary, "w") as out:
                        json.dump(figures, out)
                    os.replace(temporary, status)
                    written = figures
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)


class Relay:
    """The relay in a background thread on 127.0.0.1:``port`` (for tests); ``stop()`` ends
    it. ``counts`` is read from the caller's thread: plain integers, good enough to read."""

    def __init__(self, port, delay=0.05, serial=False):
        self.port = port
        self.counts = Counts()
        ready = threading.Event()

        def started(loop, stop):
            self.loop, self.stop_event = loop, stop
            ready.set()

        self.thread = threading.Thread(
            target=asyncio.run,
            args=(serve(port, delay, serial, self.counts, started),),
            name="relay",
            daemon=True,
        )
        self.thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"the relay did not start on port {port}")

    def stop(self):
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(10)


def main():
    parser = argparse.ArgumentParser(prog="python -m trials.relay", description=__doc__)
    parser.add_argument("port", type=int)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds before each reply")
    parser.add_argument("--serial", action="store_true", help="one command at a time")
    parser.add_argument("--status", help="the JSON file of the counts")
    options = parser.parse_args()

    async def run():
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await serve(
            options.port, options.delay, options.serial, Counts(), stop=stop, status=options.status
        )

    asyncio.run(run())


if __name__ == "__main__":
    main()
