"""Handing one personal message to the newsletter mailer, with its outcome in three kinds.

- ``SMTPSender``, the fast path when ``mail.mailers["newsletter"]`` is Django's SMTP backend:
  one connection for many messages, the frozen bytes sent as they are (7-bit
  quoted-printable with no line starting with a dot, so nothing is scanned again per message
  and no server needs 8BITMIME), with PIPELINING when the server offers it (MAIL, RCPT and
  DATA in one round trip).
- ``GenericSender`` for every other backend (the in-memory one in tests, the file outbox,
  API providers through django-anymail): an ``EmailMultiAlternatives`` per recipient.

Both raise ``Transient`` (try again later: 4xx, dropped connection, timeout), ``Permanent``
(the server refused the address for good: 5xx to RCPT, or a 5xx after the message whose
enhanced code is about the mailbox, e.g. ``554 5.1.1``) or ``Rejected`` (the server refused
this message, not the address, e.g. ``554 5.7.1`` from a spam filter), and return normally
when the server took the message. A message the server did not answer 250 to (the connection
dropped or went silent before the reply) is never taken as sent: it is tried again, so a
reader may at worst get it twice, never not at all.
"""

import logging
import re
import smtplib

from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

logger = logging.getLogger(__name__)


class SendError(Exception):
    def __init__(self, message, code=0, *, connect=False, silent=False):
        super().__init__(message)
        self.code = code
        self.connect = connect  # the mail server could not be reached at all
        self.silent = silent  # the server stopped answering (a timeout)


class Transient(SendError):
    """Worth another try later."""


class Permanent(SendError):
    """The address was refused for good: the subscriber is suppressed."""


class Rejected(SendError):
    """The message (not the address) was refused: the delivery fails, nobody is suppressed."""


def _text(reply):
    message = reply[1]
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return f"{reply[0]} {' '.join(message.split())}".strip()


# Enhanced status codes (RFC 3463) that, after the message, still say the *address* is bad:
# 5.1.x addressing (5.1.1 no such user, 5.1.2 no such domain, 5.1.10 null MX) and 5.2.1
# mailbox disabled. Servers that check recipients only once they have the message send these.
# Anything else after the message (5.7.1 "looks like spam", 5.6.x content, no code at all)
# refuses this message, not the reader.
ADDRESS_REFUSED = re.compile(r"^5\.(1\.\d{1,3}|2\.1)$")


def _enhanced_code(reply):
    words = reply[1].decode("utf-8", "replace") if isinstance(reply[1], bytes) else reply[1]
    first = (words or "").split(maxsplit=1)
    return first[0] if first else ""


def _raise_for(reply, stage, address):
    code = reply[0]
    words = _text(reply)
    if 400 <= code < 500 or code < 200:
        raise Transient(f"The mail server asked us to try again later ({words}).", code)
    if stage == "RCPT" or (stage == "DATA" and ADDRESS_REFUSED.match(_enhanced_code(reply))):
        raise Permanent(f"The mail server refused {address} ({words}).", code)
    if stage == "MAIL":
        # A refused sender is a set-up problem, not the reader's: keep retrying.
        raise Transient(f"The mail server refused our sender address ({words}).", code)
    raise Rejected(f"The mail server refused the message ({words}).", code)


def for_backend(backend, frozen):
    if isinstance(backend, SMTPBackend):
        return SMTPSender(backend, frozen)
    return GenericSender(backend, frozen)


class GenericSender:
    def __init__(self, backend, frozen):
        self.backend = backend
        self.frozen = frozen
        self.opened = False

    def send(self, address, subscriber_id, delivery_id=None):
        message = self.frozen.email_for(address, subscriber_id, delivery_id)
        try:
            if not self.opened:
                self.backend.open()
                self.opened = True
            sent = self.backend.send_messages([message])
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()), (550, b""))
            _raise_for((code, text), "RCPT", address)
        except smtplib.SMTPResponseException as error:
            stage = "MAIL" if isinstance(error, smtplib.SMTPSenderRefused) else "DATA"
            _raise_for((error.smtp_code, error.smtp_error), stage, address)
        except ValueError as error:  # Django refuses the address itself
            raise Rejected(f"This address can't be mailed ({error}).") from error
        except (smtplib.SMTPException, OSError) as error:
            connect = not self.opened
            self.close()
            raise Transient(
                f"The mail server could not be reached ({error}).", connect=connect
            ) from error
        except Exception as error:
            if type(error).__name__ == "AnymailRecipientsRefused":
                raise Permanent(f"The mail provider refused {address} ({error}).", 550) from error
            logger.exception("Mail backend failed for %s", address)
            raise Transient(f"The mail backend failed ({error}).") from error
        if not sent:
            raise Transient("The mail backend did not take the message.")
        status = getattr(message, "anymail_status", None)
        recipient = status.recipients.get(address) if status is not None else None
        if recipient is not None and recipient.status in ("rejected", "invalid"):
            raise Permanent(f"The mail provider refused {address} ({recipient.status}).", 550)

    def close(self):
        if self.opened:
            self.opened = False
            try:
                self.backend.close()
            except Exception:  # closing after a failure must not hide the failure
                logger.debug("Closing the mail backend failed", exc_info=True)


class SMTPSender:
    def __init__(self, backend, frozen):
        self.backend = backend
        self.frozen = frozen
        self.connection = None
        self.generic = GenericSender(backend, frozen)

    def open(self):
        if self.connection is not None:
            return self.connection
        try:
            self.backend.open()
            connection = self.backend.connection
            connection.ehlo_or_helo_if_needed()
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise Transient(
                f"Could not connect to the mail server ({error}).", connect=True
            ) from error
        self.pipelining = connection.has_extn("pipelining")
        self.connection = connection
        return connection

    def close(self):
        self.connection = None
        self.generic.opened = False
        try:
            self.backend.close()
        except Exception:  # the connection may already be broken
            logger.debug("Closing the SMTP connection failed", exc_info=True)

    def send(self, address, subscriber_id, delivery_id=None):
        if not address.isascii():
            # International addresses need Django's IDNA handling: the slower, general path,
            # on the same connection.
            self.open()
            self.generic.opened = True
            try:
                return self.generic.send(address, subscriber_id, delivery_id)
            finally:
                if self.backend.connection is None:  # the general path closed it
                    self.connection = None
        data = self.frozen.raw_for(address, subscriber_id, delivery_id)
        connection = self.open()
        try:
            self._transaction(connection, address, data)
        except smtplib.SMTPServerDisconnected as error:
            self.close()
            # smtplib reports a read that timed out as a disconnection.
            raise Transient(
                f"The mail server dropped the connection ({error}).",
                silent=isinstance(error.__context__, TimeoutError),
            ) from error
        except OSError as error:
            self.close()
            raise Transient(
                f"The mail server did not answer ({error}).", silent=isinstance(error, TimeoutError)
            ) from error

    def _transaction(self, connection, address, data):
        sender = self.frozen.envelope_from
        if self.pipelining:
            connection.send(f"MAIL FROM:<{sender}>\r\nRCPT TO:<{address}>\r\nDATA\r\n".encode())
            # A 421 closes the connection: no more replies will come, and reading on would
            # turn the server's reason into "connection unexpectedly closed".
            replies = []
            while len(replies) < 3 and (not replies or replies[-1][0] != 421):
                replies.append(connection.getreply())
            mail_reply, rcpt_reply, data_reply = replies + [(0, b"")] * (3 - len(replies))
        else:
            mail_reply = connection.docmd("MAIL", f"FROM:<{sender}>")
            rcpt_reply = data_reply = (0, b"")
            if mail_reply[0] == 250:
                rcpt_reply = connection.docmd("RCPT", f"TO:<{address}>")
                if rcpt_reply[0] in (250, 251):
                    data_reply = connection.docmd("DATA")
        failure = None
        if mail_reply[0] != 250:
            failure = (mail_reply, "MAIL")
        elif rcpt_reply[0] not in (250, 251):
            failure = (rcpt_reply, "RCPT")
        elif data_reply[0] != 354:
            failure = (data_reply, "DATA")
        if failure is None:
            connection.send(data)
            final = connection.getreply()
            if final[0] == 250:
                return
            failure = (final, "DATA")
        elif data_reply[0] == 354:
            connection.send(b".\r\n")  # the server opened DATA anyway: end it empty
            connection.getreply()
        reply, stage = failure
        if reply[0] == 421:
            self.close()
        else:
            try:
                connection.rset()
            except smtplib.SMTPException:
                self.close()
        _raise_for(reply, stage, address)
