"""A local server that speaks Mailgun's messages API, for the tests, ``make bench`` and
``make chaos`` (standard library only: the tools import it without Django).

    python -m trials.mailgun --port 9000 --delay 0.2     (serves until Ctrl-C)

It answers ``POST /v3/<domain>/messages`` as Mailgun does: a multipart (or urlencoded) form
with ``from``, one ``to`` per recipient (at most 1,000), ``subject``, ``html`` and/or
``text``, ``h:<Header>`` fields, ``v:<name>`` custom data, ``o:<option>`` options and
``recipient-variables`` (JSON: address -> {name: value}). Each recipient gets their own copy,
with ``%recipient.<name>%`` (and ``%recipient%``, the address) replaced from their variables
in the subject, bodies and headers, as Mailgun's batch sending does. Answers:

- 200 ``{"id": "<...>", "message": "Queued. Thank you."}`` when it took the message;
- 401 ``Forbidden`` for a wrong API key (basic auth ``api:<key>``);
- 400 ``{"message": ...}`` for a form Mailgun refuses: no ``from`` or ``to``, more than 1,000
  recipients, bad ``recipient-variables`` JSON, or an address it can't take (an invalid one,
  or one in ``refused``): the whole call is refused, nothing is queued, and the message
  names no recipient (Mailgun's words: "'to' parameter is not a valid address. please check
  documentation");
- 404 ``{"message": "Domain not found: ..."}`` for another path.

Faults, per call in order (``script``, a list; ``None`` behaves): ``("status", 503)`` answers
that status without taking the message; ``HANG`` reads the form and never answers (the
client must time out); ``DROP`` reads the form and closes the connection without a word;
``ACCEPT_THEN_HANG`` / ``ACCEPT_THEN_DROP`` take the message first (it counts as queued), then
hang or drop, as a provider whose answer is lost. ``delay`` (seconds) comes before every
answer; ``on_call(n)`` is called as the n-th call arrives (before its delay), e.g. to kill a
worker mid-call.

``keep="copies"`` keeps every copy's substituted content (``copies``, ``copies_to(address)``)
for the tests; ``keep="count"`` only counts copies per recipient (``received``), for runs of
a million.
"""

import argparse
import base64
import json
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

HANG = "hang"
DROP = "drop"
ACCEPT_THEN_HANG = "accept-then-hang"
ACCEPT_THEN_DROP = "accept-then-drop"
MAX_RECIPIENTS = 1000
ADDRESS = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
VARIABLE = re.compile(r"%recipient(?:\.([A-Za-z0-9_:.\-]+))?%")
BOUNDARY = re.compile(r"boundary=(\"[^\"]+\"|[^;\s]+)")
FIELD_NAME = re.compile(r'(?i)content-disposition:[^\r\n]*?\bname="([^"]*)"')
INVALID_TO = "'to' parameter is not a valid address. please check documentation"


@dataclass
class Copy:
    """One recipient's copy, as Mailgun would build it from the call."""

    to: str
    sender: str
    subject: str
    html: str
    text: str
    headers: dict
    custom: dict
    options: dict
    message_id: str
    call: int


@dataclass
class Call:
    """One API call that reached the server."""

    number: int
    domain: str
    recipients: list
    answer: int = 0  # the status answered (0: none, hung up or hanging)
    fields: dict = field(default_factory=dict)


def substitute(value, variables, address):
    def one(found):
        name = found.group(1)
        if name is None:
            return address
        if name in variables:
            return str(variables[name])
        return found.group(0)  # Mailgun leaves an unknown variable as it is

    return VARIABLE.sub(one, value)


def parse_form(content_type, body):
    """The form's fields as {name: [values]} (multipart cut at its boundary in the bytes: a
    1,000-recipient call is megabytes, too much for the email package at Mailgun's pace)."""
    fields = {}
    if content_type.startswith("multipart/form-data"):
        boundary = BOUNDARY.search(content_type)
        if boundary is None:
            raise ValueError("no boundary")
        delimiter = b"--" + boundary.group(1).strip('"').encode()
        for part in body.split(delimiter)[1:]:
            if part.startswith(b"--"):
                break
            head, _, value = part[2:].partition(b"\r\n\r\n")
            name = FIELD_NAME.search(head.decode("utf-8", "replace"))
            if name is None:
                raise ValueError("a part without a name")
            fields.setdefault(name.group(1), []).append(value[:-2].decode("utf-8"))
    else:
        for name, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
            fields.setdefault(name, []).append(value)
    return fields


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client gone before its answer (a worker killed mid-call, as ``make chaos`` does)
        is no error of the server's: no traceback for it."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class MailgunServer:
    """The server on 127.0.0.1 in a thread: ``start()``, ``url`` (anymail's api_url),
    ``stop()``. See the module's docstring."""

    def __init__(self, *, api_key="", delay=0.0, keep="copies", port=0):
        self.api_key = api_key
        self.delay = delay
        self.keep = keep
        self.script = []
        self.refused = set()
        self.on_call = None
        self.lock = threading.Lock()
        self.calls = []
        self.copies = []
        self.received = Counter()
        self.last_at = None  # time.monotonic() of the last copy taken
        self.in_flight = self.most_in_flight = 0  # calls being answered at once
        self.stopping = threading.Event()
        self.httpd = _Server(("127.0.0.1", port), self._handler())
        self.port = self.httpd.server_address[1]
        self.thread = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/v3/"

    def start(self):
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, name="mailgun-server", daemon=True
        )
        self.thread.start()
        return self

    def stop(self):
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def reset(self):
        with self.lock:
            self.script, self.refused = [], set()
            self.calls, self.copies = [], []
            self.received = Counter()

    def copies_to(self, address):
        return [copy for copy in self.copies if copy.to.lower() == address.lower()]

    @property
    def total(self):
        return sum(self.received.values())

    # What the handler asks

    def next_call(self, domain, recipients, fields):
        with self.lock:
            kept = fields if self.keep == "copies" else {}
            call = Call(len(self.calls) + 1, domain, recipients, fields=kept)
            self.calls.append(call)
            action = self.script.pop(0) if self.script else None
        if self.on_call:
            self.on_call(call.number)
        return call, action

    def accept(self, call, fields):
        """Queue one copy per recipient; returns the message id."""
        domain = call.domain
        message_id = f"<{time.strftime('%Y%m%d%H%M%S')}.{call.number}@{domain}>"
        variables = json.loads(fields.get("recipient-variables", ["{}"])[0] or "{}")
        with self.lock:
            self.last_at = time.monotonic()
            for address in call.recipients:
                self.received[address.lower()] += 1
            if self.keep != "copies":
                return message_id
            for address in call.recipients:
                mine = variables.get(address, {})

                def filled(value, mine=mine, address=address):
                    return substitute(value, mine, address)

                self.copies.append(
                    Copy(
                        to=address,
                        sender=fields["from"][0],
                        subject=filled(fields.get("subject", [""])[0]),
                        html=filled(fields.get("html", [""])[0]),
                        text=filled(fields.get("text", [""])[0]),
                        headers={
                            name[2:]: filled(values[-1])
                            for name, values in fields.items()
                            if name.startswith("h:")
                        },
                        custom={
                            name[2:]: filled(values[-1])
                            for name, values in fields.items()
                            if name.startswith("v:")
                        },
                        options={
                            name[2:]: values for name, values in fields.items() if name[:2] == "o:"
                        },
                        message_id=message_id,
                        call=call.number,
                    )
                )
        return message_id

    def refusal(self, fields):
        """Mailgun's 400 message for a form it refuses, or None."""
        if not fields.get("from"):
            return "'from' parameter is missing"
        recipients = fields.get("to", [])
        if not recipients:
            return "'to' parameter is missing"
        if len(recipients) > MAX_RECIPIENTS:
            return f"Too many recipients: at most {MAX_RECIPIENTS} per message"
        if not (fields.get("html") or fields.get("text") or fields.get("template")):
            return "Need at least one of 'text', 'html' or 'template' parameters specified"
        try:
            variables = json.loads(fields.get("recipient-variables", ["{}"])[0] or "{}")
        except ValueError:
            return "'recipient-variables' parameter is not a valid JSON"
        if not isinstance(variables, dict):
            return "'recipient-variables' parameter is not a valid JSON"
        for address in recipients:
            if not ADDRESS.match(address) or address.lower() in self.refused:
                return INVALID_TO
        return None

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self, status, payload):
                body = (
                    payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                )
                self.send_response(status)
                kind = "text/plain" if isinstance(payload, str) else "application/json"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def authorised(self):
                if not server.api_key:
                    return True
                given = self.headers.get("Authorization", "")
                expected = base64.b64encode(f"api:{server.api_key}".encode()).decode()
                return given == f"Basic {expected}"

            def hang(self):
                server.stopping.wait()
                self.close_connection = True

            def do_GET(self):
                self.answer(404, {"message": "Not found"})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                found = re.fullmatch(r"/v3/([^/]+)/messages", self.path)
                if not self.authorised():
                    return self.answer(401, "Forbidden")
                if not found:
                    return self.answer(404, {"message": f"Domain not found: {self.path}"})
                try:
                    fields = parse_form(self.headers.get("Content-Type", ""), body)
                except Exception as error:  # a form it can't read is refused, as Mailgun does
                    return self.answer(400, {"message": f"Bad form: {error}"})
                call, action = server.next_call(found.group(1), fields.get("to", []), fields)
                with server.lock:
                    server.in_flight += 1
                    server.most_in_flight = max(server.most_in_flight, server.in_flight)
                try:
                    return self.respond(call, action, fields)
                finally:
                    with server.lock:
                        server.in_flight -= 1

            def respond(self, call, action, fields):
                if server.delay:
                    time.sleep(server.delay)
                if action == HANG:
                    return self.hang()
                if action == DROP:
                    self.close_connection = True
                    return None
                if isinstance(action, tuple) and action[0] == "status":
                    call.answer = action[1]
                    return self.answer(action[1], {"message": "Service temporarily unavailable"})
                problem = server.refusal(fields)
                if problem:
                    call.answer = 400
                    return self.answer(400, {"message": problem})
                message_id = server.accept(call, fields)
                if action == ACCEPT_THEN_HANG:
                    return self.hang()
                if action == ACCEPT_THEN_DROP:
                    self.close_connection = True
                    return None
                call.answer = 200
                return self.answer(200, {"id": message_id, "message": "Queued. Thank you."})

        return Handler


def main():
    parser = argparse.ArgumentParser(prog="python -m trials.mailgun", description=__doc__)
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds before each answer")
    parser.add_argument("--api-key", default="", help="the key to require (default: any)")
    options = parser.parse_args()
    server = MailgunServer(
        api_key=options.api_key, delay=options.delay, keep="count", port=options.port
    )
    print(f"Mailgun-compatible API on {server.url} (delay {options.delay}s)", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        print(f"{len(server.calls)} calls, {server.total} copies", flush=True)


if __name__ == "__main__":
    main()
