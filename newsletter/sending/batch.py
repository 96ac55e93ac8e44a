"""Sending through a mail provider's batch API: many deliveries in one call, each reader's own
links as the provider's merge fields.

Mailgun's messages API takes up to 1,000 ``to`` addresses in one call with our own HTML and
text and ``recipient-variables`` (django-anymail's ``merge_data``): it sends each address its
own copy with ``%recipient.<name>%`` replaced by that reader's values, in the bodies and in
the headers. So a batch of deliveries is one call: every tracked link is
``/r/%recipient.c%/<link id>/`` and the pixel ``/o/%recipient.c%.gif``, with ``c`` the
copy's one signed key (``tokens.copy_key``: one field a reader, not one a link), and the
unsubscribe and preferences addresses, in the bodies and in ``List-Unsubscribe``, carry the
reader's signed ``%recipient.u%`` and ``%recipient.p%``. Mailgun sets each
copy's ``Message-ID`` and ``Date``; its own click and open tracking are turned off (ours are
in the links).

What a call's answer means for its rows (``BatchSender.send`` reports it to a ``Recorder``):

- 200 "Queued": every row is sent, recorded in one UPDATE. Rows are marked only then.
- 400 (Mailgun refuses the whole call for one address it can't take, without naming it):
  the batch is split in halves and each half sent again, down to the one address refused,
  which is handled as SMTP's 5xx to RCPT (``transport.Permanent``: bounced, suppressed).
  A 400 that is not about an address refuses the message itself: the rows fail
  (``transport.Rejected``), nobody is suppressed.
- 401/403/404: our key or sending domain is wrong, a set-up problem, not the readers': the
  rows wait and are tried again (never failed for it), and the worker stops.
- 429, 5xx, a dropped connection or a timeout: the rows are tried again later (the worker's
  backoff). When the call may have reached the provider (the answer was lost: a read
  timeout, a connection dropped after the form went out), the provider may have queued it:
  the rows are flagged ``possible_duplicate`` and the report counts them. Mailgun has no
  idempotency key, so that is as exact as it can be.

A worker killed in the middle of a call loses nothing: its rows are still pending, and the
next worker takes them over when the lease runs out, flagging the whole batch (the call was
in flight) as possible duplicates (``claims.new_owner(in_flight=...)``).

Providers with no usable batch API go through ``transport.GenericSender``, one call per
message; ``concurrent.ConcurrentSender`` makes several of those calls at once.
"""

import logging

import requests
from anymail.backends.base_requests import AnymailRequestsBackend
from anymail.backends.mailgun import EmailBackend as MailgunBackend
from anymail.backends.mailgun import MailgunPayload
from anymail.exceptions import AnymailError, AnymailRequestsAPIError
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from newsletter import mailformat
from newsletter.conf import setting
from newsletter.engagement.tokens import copy_key
from newsletter.issues.links import LINK_PATTERN
from newsletter.issues.rendering import OPEN_PLACEHOLDER as OPEN
from newsletter.issues.rendering import PREFERENCES_PLACEHOLDER as PREFERENCES
from newsletter.issues.rendering import UNSUBSCRIBE_PLACEHOLDER as UNSUBSCRIBE
from newsletter.sending import transport
from newsletter.sending.addresses import read_quickly
from newsletter.sending.message import BLANK_GIF

logger = logging.getLogger("newsletter.sending.worker")

# Recipients per call, by provider (the provider's own limit), and the class of anymail's
# payload for it: only providers whose batch API keeps our HTML and substitutes
# per-recipient values in bodies and headers.
PROVIDER_LIMITS = ((MailgunBackend, MailgunPayload, 1000),)
# Words of a 400 that is about an address (Mailgun: "'to' parameter is not a valid
# address"), rather than about the message.
ADDRESS_WORDS = ("'to'", "address", "recipient")


def _provider(backend):
    """``(anymail's payload class, recipients per call)`` for ``backend``, or None."""
    for backend_class, payload_class, limit in PROVIDER_LIMITS:
        if isinstance(backend, backend_class):
            return payload_class, limit
    return None


def batch_limit(backend):
    """Most recipients one call of ``backend`` takes, or 0 when it has no batch API."""
    provider = _provider(backend)
    return provider[1] if provider else 0


def api_batch_size(backend):
    """Recipients per call: ``NEWSLETTER_API_BATCH_SIZE`` up to the provider's limit (None:
    the limit); 0 when the provider has no batch API or the setting is 0 (one call per
    message)."""
    limit = batch_limit(backend)
    size = setting("NEWSLETTER_API_BATCH_SIZE")
    size = limit if size is None else size
    return max(0, min(size, limit))


def call_timeout(lease_seconds):
    """Seconds a provider call may take: ``NEWSLETTER_API_TIMEOUT``, but at most half a lease,
    so a call in flight always ends before its rows could be taken over (and sent again) by
    another worker."""
    return max(0.5, min(setting("NEWSLETTER_API_TIMEOUT"), lease_seconds / 2))


def bound_calls(backend, lease_seconds):
    """Give an HTTP API backend's calls a timeout (see ``call_timeout``); an ``EMAIL_URL``'s
    own ``timeout`` is kept if shorter. Other backends are left as they are."""
    if isinstance(backend, AnymailRequestsBackend):
        limit = call_timeout(lease_seconds)
        own = backend.timeout if isinstance(backend.timeout, int | float) else None
        backend.timeout = min(own, limit) if own else limit
    return backend


# The message with merge fields

KEY = "%recipient.c%"  # the copy's signed key (tokens.copy_key)
UNSUBSCRIBE_KEY = "%recipient.u%"  # the reader's unsubscribe token, signed as the site does
PREFERENCES_KEY = "%recipient.p%"  # and their preferences token


def url_with(name, field, *args):
    """The absolute address of URL ``name`` with the merge ``field`` where its first argument
    goes, the other ``args`` as they are."""
    marker = "KEY0MARKER"
    url = mailformat.absolute_url(reverse(name, args=[marker, *args]))
    return url.replace(marker, field)


class MergeMessage:
    """The campaign's frozen message with each reader's part of their links as merge fields.

    A reader's variables are three short signed tokens, whatever the number of links: the
    copy's key (``c``: every tracked link and the pixel), and the tokens of their unsubscribe
    (``u``) and preferences (``p``) addresses. The rest of each address, and the whole
    ``List-Unsubscribe`` header around ``u``, is written once for the call."""

    def __init__(self, frozen):
        self.frozen = frozen
        links = frozen.links
        self.unsubscribe_url = (
            f"{links.unsubscribe_prefix}{UNSUBSCRIBE_KEY}{links.unsubscribe_suffix}"
        )
        self.preferences_url = (
            f"{links.preferences_prefix}{PREFERENCES_KEY}{links.preferences_suffix}"
        )
        self.positions = set()
        self.pixel = frozen.open_snapshot_id is not None
        self.html = self._fields(frozen.html)
        self.text = self._fields(frozen.text)
        self.keyed = self.pixel or bool(self.positions)
        unsubscribe = links.list_unsubscribe(self.unsubscribe_url)["List-Unsubscribe"]
        self.list_unsubscribe = str(unsubscribe)

    def _fields(self, content):
        frozen = self.frozen

        def link(found):
            position = int(found.group(1))
            if position in frozen.link_ids:
                self.positions.add(position)
                return url_with("newsletter_click_in_copy", KEY, frozen.link_ids[position])
            return frozen.direct(position)

        content = content.replace(UNSUBSCRIBE, self.unsubscribe_url)
        content = content.replace(PREFERENCES, self.preferences_url)
        content = content.replace(OPEN, url_with("open-pixel", KEY) if self.pixel else BLANK_GIF)
        return LINK_PATTERN.sub(link, content)

    def values(self, row):
        """The merge data of one reader."""
        unsubscribe, preferences = self.frozen.links.tokens_for_subscriber(row.subscriber_id)
        data = {"u": unsubscribe, "p": preferences}
        if self.keyed:
            data["c"] = copy_key(row.pk)
        return data

    def email(self, rows):
        """One API call's message to ``rows``."""
        frozen = self.frozen
        headers = {
            "List-Id": frozen.list_id,
            "List-Unsubscribe": self.list_unsubscribe,
            "List-Unsubscribe-Post": mailformat.ONE_CLICK,
        }
        if frozen.feedback_id:
            headers["Feedback-ID"] = frozen.feedback_id
        message = EmailMultiAlternatives(
            subject=frozen.subject,
            body=self.text,
            from_email=frozen.from_email,
            to=[row.email for row in rows],
            reply_to=[frozen.reply_to] if frozen.reply_to else [],
            headers=headers,
        )
        message.attach_alternative(self.html, "text/html")
        message.merge_data = {row.email: self.values(row) for row in rows}
        message.track_clicks = False
        message.track_opens = False
        return message


# One call and what its answer means


def _reached_provider(error):
    """Could the provider have queued the call whose answer we lost?"""
    if isinstance(error, requests.ConnectTimeout):
        return False
    if isinstance(error, requests.ConnectionError):
        text = repr(error.__cause__ or error)
        return not any(
            words in text for words in ("NewConnectionError", "Connection refused", "Failed to")
        )
    return isinstance(error, requests.Timeout)


def _words(error):
    response = getattr(error, "response", None)
    if response is not None:
        try:
            return str(response.json().get("message", ""))[:300] or response.text[:300]
        except ValueError:
            return response.text[:300]
    return str(error).splitlines()[0][:300] if str(error) else type(error).__name__


class BatchSender:
    """Sends claimed rows through a batch API, one call per batch (``send``)."""

    def __init__(self, backend, frozen):
        # Its addresses are plain: read quickly (newsletter.sending.addresses).
        self.backend = read_quickly(backend, _provider(backend)[0])
        self.merge = MergeMessage(frozen)
        self.opened = False

    def close(self):
        if self.opened:
            self.opened = False
            try:
                self.backend.close()
            except Exception:  # closing after a failure must not hide the failure
                logger.debug("Closing the mail backend failed", exc_info=True)

    def send(self, rows, recorder):
        """Send ``rows`` (distinct addresses) in one call, halving it after an address
        refusal; each outcome goes to ``recorder`` as it is known. False when the worker
        should stop (the provider failed the call, can't be reached or refuses our key): its
        rows wait for their retry, which the worker's housekeeping starts."""
        try:
            if not self.opened:
                self.backend.open()
                self.opened = True
            self.backend.send_messages([self.merge.email(rows)])
        except AnymailRequestsAPIError as error:
            return self._failed(rows, recorder, error)
        except AnymailError as error:  # refused before any call (an address anymail can't parse)
            return self._refused(rows, recorder, str(error))
        except Exception as error:
            logger.exception("Mail backend failed for a batch of %s", len(rows))
            recorder.retry(rows, transport.Transient(f"The mail backend failed ({error})."))
            return True
        recorder.sent(rows)
        return True

    def _failed(self, rows, recorder, error):
        status = getattr(error, "status_code", None)
        words = _words(error)
        if status == 400 or status == 413:
            return self._refused(rows, recorder, words)
        if status in (401, 403, 404):
            recorder.retry(
                rows,
                transport.Transient(
                    f"The mail provider refused our API key or sending domain ({status}: "
                    f"{words}): check EMAIL_URL.",
                    status,
                    connect=True,
                ),
            )
            return False
        if status is not None:
            recorder.retry(
                rows,
                transport.Transient(f"The mail provider answered {status} ({words}).", status),
            )
            return False  # the provider is struggling: this worker stops, the rows wait
        reached = _reached_provider(error.__cause__ or error)
        self.close()
        what = "did not answer in time" if isinstance(error, requests.Timeout) else "hung up"
        recorder.retry(
            rows,
            transport.Transient(
                f"The mail provider {what} ({type(error).__mro__[2].__name__}).",
                connect=not reached,
                silent=isinstance(error, requests.Timeout),
            ),
            maybe_taken=reached,
        )
        return False

    def _refused(self, rows, recorder, words):
        about_address = any(marker in words.lower() for marker in ADDRESS_WORDS)
        if len(rows) == 1 and about_address:
            recorder.refused(
                rows[0],
                transport.Permanent(f"The mail provider refused {rows[0].email} ({words}).", 550),
            )
            return True
        if len(rows) > 1 and about_address:
            half = len(rows) // 2
            return self.send(rows[:half], recorder) and self.send(rows[half:], recorder)
        for row in rows:
            recorder.refused(
                row, transport.Rejected(f"The mail provider refused the message ({words}).")
            )
        return True


def split(rows):
    """``(in one call, one by one)``: a batch API keys each reader's values by address, so an
    address twice (in any case) or one that needs IDNA goes by itself."""
    together, alone, seen = [], [], set()
    for row in rows:
        key = row.email.lower()
        if key in seen or not row.email.isascii():
            alone.append(row)
        else:
            seen.add(key)
            together.append(row)
    return together, alone
