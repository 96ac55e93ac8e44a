"""An SMTP server on 127.0.0.1 that misbehaves on cue, for the fault matrix
(``newsletter/tests/smtp/``).

It is a small threaded socket server rather than aiosmtpd: aiosmtpd can't be told to hang up
in the middle of DATA or to go silent. ``Sink`` holds the script of replies and what arrived.
"""

import collections
import email
import re
import socket
import socketserver
import threading
from email import policy

# Actions a script can give instead of the normal reply
DROP = "drop"  # hang up without a word (in DATA: after part of the message)
HANG = "hang"  # say nothing more; the client must give up on its own


class Sink:
    """What the fault server saw and took, and what it should do next.

    ``script[(stage, address)]`` is a list of actions for successive tries of that stage for
    that address (``None``: behave). Stages: ``RCPT``, ``DATA`` (the reply to the DATA
    command), ``BODY`` (while the message comes in: only DROP) and ``END`` (the reply after the
    final "."). ``script[("CONNECT", None)]`` applies to successive connections (the
    greeting).
    """

    def __init__(self, pipelining):
        self.pipelining = pipelining
        self.script = {}
        self.accepted = []  # (recipient, bytes): messages the server answered 250 to
        self.partial = []  # (recipient, bytes): messages cut off in the middle
        self.connections = 0
        self.lock = threading.Lock()

    def next_action(self, stage, address=None):
        with self.lock:
            queue = self.script.get((stage, address))
            return queue.pop(0) if queue else None

    def received(self):
        """Recipient -> the parsed messages the server took for them."""
        by_address = collections.defaultdict(list)
        for recipient, raw in self.accepted:
            by_address[recipient].append(email.message_from_bytes(raw, policy=policy.default))
        return by_address


class SMTPHandler(socketserver.StreamRequestHandler):
    timeout = 30  # the server's own safety net; the client always gives up first

    def reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")

    def act(self, action, normal):
        """Answer with ``normal`` or the scripted action; False when the session is over."""
        if action == DROP:
            return False
        if action == HANG:
            self.rfile.read()  # until the client hangs up
            return False
        self.reply(action or normal)
        return not (action or normal).startswith(("421", "221"))

    def handle(self):
        sink = self.server.sink
        with sink.lock:
            sink.connections += 1
        if not self.act(sink.next_action("CONNECT"), "220 faults.test ESMTP"):
            return
        recipients = []
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                extensions = ["8BITMIME", "SMTPUTF8"] + (["PIPELINING"] if sink.pipelining else [])
                self.reply("250-faults.test")
                for extension in extensions[:-1]:
                    self.reply(f"250-{extension}")
                self.reply(f"250 {extensions[-1]}")
            elif verb == "HELO":
                self.reply("250 faults.test")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 2.1.0 OK")
            elif verb == "RCPT":
                address = re.search(r"<([^>]*)>", command).group(1)
                action = sink.next_action("RCPT", address)
                if action is None:
                    recipients.append(address)
                if not self.act(action, "250 2.1.5 OK"):
                    return
            elif verb == "DATA":
                if not recipients:
                    self.reply("554 5.5.1 no valid recipients")
                    continue
                (address,) = recipients  # the worker sends one recipient per message
                action = sink.next_action("DATA", address)
                if not self.act(action, "354 end with <CR><LF>.<CR><LF>"):
                    return
                if action is not None:  # refused: no message follows
                    recipients = []
                    continue
                if not self.message(sink, address):
                    return
                recipients = []
            elif verb == "RSET":
                recipients = []
                self.reply("250 2.0.0 OK")
            elif verb == "NOOP":
                self.reply("250 2.0.0 OK")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("500 5.5.2 unknown command")

    def message(self, sink, address):
        """Read one message; False when the session is over."""
        drop = sink.next_action("BODY", address) == DROP
        lines = []
        while True:
            line = self.rfile.readline()
            if not line:
                sink.partial.append((address, b"".join(lines)))
                return False
            if line == b".\r\n":
                break
            lines.append(line[1:] if line.startswith(b"..") else line)
            if drop and line == b"\r\n":  # the headers are in, the body isn't: hang up
                sink.partial.append((address, b"".join(lines)))
                return False
        action = sink.next_action("END", address)
        if action is None:
            sink.accepted.append((address, b"".join(lines)))
        return self.act(action, "250 2.0.0 queued")


class FaultServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port, sink):
        super().__init__(("127.0.0.1", port), SMTPHandler)
        self.sink = sink
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.shutdown()
        self.server_close()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
