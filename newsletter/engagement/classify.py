"""Which clicks a person made, and which a machine: the bot rules (docs/analytics.md).

Two steps, both called by the recorder (``newsletter.engagement.recording``):

- ``request_reason(method, user_agent)``, in the redirect view, from the request alone: a HEAD
  request, or a user agent that is empty or names a known mail scanner, security gateway,
  link preview or script (``MACHINE_AGENTS``). Nothing of the request is stored.
- ``apply(clicks)``, when the buffered clicks are written: the rules that need the clicks
  around them. A click is suspect when it came

  * **too soon**: within ``TOO_SOON`` of its message being sent (a security gateway opens every
    link as the message arrives; no reader is that quick);
  * in a **burst**: its message clicked ``BURST_LINKS`` or more different links within
    ``BURST_SPAN`` (a scanner walks the links; a reader reads a story first);
  * near a **canary**: within ``CANARY_SPAN`` of a click on the hidden canary link of the same
    message (no person sees that link, so whatever follows it is a machine, and so is the rest
    of what that client did around then). The canary click itself is always suspect.

  Clicks already stored in the last ``LOOK_BACK`` count too (and are marked suspect with the
  new ones). The first reason found is kept: the request's own, then canary, too soon, burst.

In the ``aggregate`` privacy mode stored clicks name no delivery, so the clicks already
stored can't be found again; a small in-process memory (``RecentClicks``) keeps the last
``LOOK_BACK`` of each delivery's clicks instead, in memory only. Its limit: each process
remembers only its own clicks, and a restart forgets them, so a burst split between two web
processes is caught only where one process saw ``BURST_LINKS`` of its links.
"""

import datetime
import re
import threading
from collections import defaultdict

from django.db.models import Case, Value, When

from newsletter.conf import setting
from newsletter.models import Click, Delivery, TrackedLink

Reason = Click.Reason

# A security gateway (Microsoft Defender, Mimecast, Proofpoint...) follows every link as the
# message is delivered; a reader needs longer than this to open the email and choose a story.
TOO_SOON = datetime.timedelta(seconds=10)
# A scanner fetches the links of a message one after another, a reader clicks one story at a
# time: this many different links of one message within BURST_SPAN is a machine.
BURST_LINKS = 3
BURST_SPAN = datetime.timedelta(seconds=2)
# A client that follows the hidden link is a machine; its other clicks within this much of
# that moment (before or after) are its too.
CANARY_SPAN = datetime.timedelta(seconds=60)
# How far back stored clicks still matter to the rules above (the widest of them).
LOOK_BACK = max(BURST_SPAN, CANARY_SPAN)

# User agents of machines, by what they are (matched anywhere in the header, any case). A
# reader's browser or mail app never says any of these.
MACHINE_AGENTS = {
    "mail security gateways and scanners": [
        r"barracuda",
        r"mimecast",
        r"proofpoint",
        r"ppops-",  # Proofpoint's URL defense
        r"microsoft office",  # Office's link checks ("Microsoft Office Existence Discovery")
        r"ms-?office",
        r"safe ?links",  # Microsoft Defender for Office 365
        r"defender",
        r"symantec",
        r"messagelabs",
        r"trend ?micro",
        r"sophos",
        r"cisco",
        r"ironport",
        r"fireeye",
        r"forcepoint",
        r"websense",
        r"zscaler",
        r"check ?point",
        r"kaspersky",
        r"scanner",
        r"urlscan",
    ],
    "link checkers of mail and search providers": [
        r"google-safety",
        r"google-inspectiontool",
        r"googleother",
        r"apis-google",
        r"google web preview",
        r"yahoo! slurp",
        r"yahoocachesystem",
        r"bingpreview",
        r"microsoftpreview",
        r"skypeuripreview",
    ],
    "link previews of chat and social apps": [
        r"slackbot",
        r"slack-imgproxy",
        r"twitterbot",
        r"facebookexternalhit",
        r"facebot",
        r"whatsapp",
        r"telegrambot",
        r"discordbot",
        r"linkedinbot",
        r"embedly",
    ],
    "crawlers": [
        r"googlebot",
        r"bingbot",
        r"(?<!cu)bot\b",  # any "...bot" word (not the CUBOT phone)
        r"crawler",
        r"spider",
        r"preview",
    ],
    "scripts and headless browsers": [
        r"python-requests",
        r"python-urllib",
        r"aiohttp",
        r"httpx",
        r"\bcurl/",
        r"\bwget",
        r"go-http-client",
        r"okhttp",
        r"java/",
        r"apache-httpclient",
        r"libwww-perl",
        r"node-fetch",
        r"axios/",
        r"scrapy",
        r"headlesschrome",
        r"phantomjs",
        # Nothing after the product: a real browser always names its platform. Apple's
        # Mail Privacy Protection proxy sends exactly this.
        r"^mozilla/\d\.\d$",
    ],
}
MACHINE_AGENT = re.compile(
    "|".join(pattern for patterns in MACHINE_AGENTS.values() for pattern in patterns),
    re.IGNORECASE,
)


def request_reason(method, user_agent):
    """Why the request alone says a machine made this click (a ``Click.Reason``), or ``""``."""
    if (method or "").upper() == "HEAD":
        return Reason.HEAD
    agent = (user_agent or "").strip()
    if not agent or MACHINE_AGENT.search(agent):
        return Reason.SCANNER
    return Reason.NONE


def is_machine_agent(user_agent):
    """Whether ``user_agent`` is empty or names a known machine (the pixel uses it too)."""
    return request_reason("GET", user_agent) == Reason.SCANNER


# The clicks around the new ones ---------------------------------------------------------------


class Seen:
    """One click as the rules see it: new (``click``, unsaved) or stored (``pk``)."""

    __slots__ = ("at", "link_id", "role", "click", "pk", "reason")

    def __init__(self, at, link_id, role, *, click=None, pk=None, reason=""):
        self.at, self.link_id, self.role = at, link_id, role
        self.click, self.pk, self.reason = click, pk, reason


class RecentClicks:
    """The last ``LOOK_BACK`` of clicks per delivery, in this process's memory only.

    For the ``aggregate`` mode, where stored clicks name no delivery. It holds the click
    objects the recorder wrote (their ``pk`` is set once saved) so a burst that began in an
    earlier flush is marked in the database too. At most ``MAX_DELIVERIES`` are remembered.
    """

    MAX_DELIVERIES = 50_000

    def __init__(self):
        self.lock = threading.Lock()
        self.by_delivery = defaultdict(list)

    def around(self, delivery_ids, since):
        """Remembered clicks of these deliveries since ``since`` (and forget older ones)."""
        with self.lock:
            for delivery_id in list(self.by_delivery):
                kept = [c for c in self.by_delivery[delivery_id] if c.at >= since]
                if kept:
                    self.by_delivery[delivery_id] = kept
                else:
                    del self.by_delivery[delivery_id]
            return {d: list(self.by_delivery.get(d, ())) for d in delivery_ids}

    def remember(self, clicks):
        with self.lock:
            for click in clicks:
                if len(self.by_delivery) >= self.MAX_DELIVERIES:
                    break
                self.by_delivery[click.delivery_id].append(click)

    def forget(self):
        with self.lock:
            self.by_delivery.clear()


recent = RecentClicks()


def _stored(delivery_ids, since, until):
    """The stored clicks of these deliveries between ``since`` and ``until``: one query."""
    rows = Click.objects.filter(delivery_id__in=delivery_ids, at__gte=since, at__lte=until)
    seen = defaultdict(list)
    for pk, delivery_id, at, link_id, role, reason in rows.values_list(
        "pk", "delivery_id", "at", "link_id", "link__role", "reason"
    ):
        seen[delivery_id].append(Seen(at, link_id, role, pk=pk, reason=reason))
    return seen


def _remembered(delivery_ids, since):
    seen = defaultdict(list)
    for delivery_id, clicks in recent.around(delivery_ids, since).items():
        for click in clicks:
            seen[delivery_id].append(
                Seen(click.at, click.link_id, click.role, pk=click.pk, reason=click.reason)
            )
    return seen


def _mark(items, reason):
    for item in items:
        if not item.reason:
            item.reason = reason


def _canary(items):
    for canary in [item for item in items if item.role == TrackedLink.Role.CANARY]:
        _mark([i for i in items if abs(i.at - canary.at) <= CANARY_SPAN], Reason.CANARY)


def _too_soon(items, sent_at):
    if sent_at is not None:
        _mark([i for i in items if i.click and i.at - sent_at < TOO_SOON], Reason.TOO_SOON)


def _burst(items):
    for start in range(len(items)):
        window = [i for i in items[start:] if i.at - items[start].at <= BURST_SPAN]
        if len({i.link_id for i in window}) >= BURST_LINKS:
            _mark(window, Reason.BURST)


def apply(clicks):
    """Class ``clicks`` (unsaved ``Click``\\ s with ``delivery_id`` and a ``role``) human or
    suspect, and mark stored clicks that the new ones show were a machine's.

    At most three queries whatever the number of clicks: the deliveries' send times, their
    clicks already stored around these (not in the aggregate mode: see ``RecentClicks``),
    and one UPDATE of those that become suspect.
    """
    for click in clicks:
        if click.role == TrackedLink.Role.CANARY and not click.reason:
            click.reason = Reason.CANARY
    ids = {click.delivery_id for click in clicks if click.delivery_id is not None}
    if ids:
        _apply_with_deliveries(clicks, ids)
    for click in clicks:
        click.human = not click.reason


def _apply_with_deliveries(clicks, ids):
    earliest = min(click.at for click in clicks if click.delivery_id is not None)
    latest = max(click.at for click in clicks if click.delivery_id is not None)
    sent = dict(Delivery.objects.filter(pk__in=ids).values_list("pk", "sent_at"))
    aggregate = setting("NEWSLETTER_ANALYTICS_PRIVACY") == "aggregate"
    if aggregate:
        before = _remembered(ids, earliest - LOOK_BACK)
    else:
        before = _stored(ids, earliest - LOOK_BACK, latest + LOOK_BACK)
    new = defaultdict(list)
    for click in clicks:
        if click.delivery_id is not None:
            new[click.delivery_id].append(
                Seen(click.at, click.link_id, click.role, click=click, reason=click.reason)
            )
    newly_suspect = {}
    for delivery_id, items in new.items():
        items = sorted(before.get(delivery_id, []) + items, key=lambda item: item.at)
        already = {id(item): item.reason for item in items}
        _canary(items)
        _too_soon(items, sent.get(delivery_id))
        _burst(items)
        for item in items:
            if item.click is not None:
                item.click.reason = item.reason
            elif item.pk is not None and item.reason and not already[id(item)]:
                newly_suspect[item.pk] = item.reason
    if newly_suspect:
        Click.objects.filter(pk__in=newly_suspect, human=True).update(
            human=False,
            reason=Case(
                *[When(pk=pk, then=Value(reason)) for pk, reason in newly_suspect.items()],
                default=Value(Reason.BURST),
            ),
        )
    if aggregate:
        _note_marks(newly_suspect)
        recent.remember([click for click in clicks if click.delivery_id is not None])


def _note_marks(newly_suspect):
    """Remembered clicks just marked in the database carry the mark in memory too."""
    with recent.lock:
        for clicks in recent.by_delivery.values():
            for click in clicks:
                if click.pk in newly_suspect:
                    click.reason, click.human = newly_suspect[click.pk], False
