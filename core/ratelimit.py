"""One sliding-window rate limiter for every limit on the site, and the client it counts.

Used by the sign-up form (``newsletter.subscriptions.throttle``), the admin sign-in and the
admin's "Forgot password?" form (``core.admin_auth``).

Why a table: the site runs several gunicorn workers (and the default cache is per process),
so counts must live somewhere they all share. Each counted request adds one ``Attempt`` row
per kind of key it is counted under, holding keyed hashes (``salted_hmac`` with
``SECRET_KEY``) of the values, never the values themselves. Rows are deleted once the longest
window that counts them has passed. A check is one indexed query per rule. Two requests
racing may both pass at the very edge of a limit; that overshoot of one is acceptable here.

A ``Limiter`` has a scope (``"signup"``, ``"login"``, ...) and rules. A ``Rule`` counts the
requests recorded under one kind of key (``"client"``, ``"email"``, ...) in its last
``seconds`` and refuses once there are ``allowed``. Two variants:

- ``distinct=True`` counts the different *items* recorded under the key (the mailboxes
  signed up from one network, say) and refuses a new one once there are ``allowed``; an item
  already among them passes.
- ``spare_new="account"``: when the rule is broken, a request whose ``account`` key has no
  rows in the window still passes. Over 100 failures for a username from everywhere, an
  address that has not failed for that username still gets its password checked, so
  strangers can't lock an editor out.

Callers decide what counts: ``check`` never writes, ``record`` does.
"""

import datetime
import ipaddress
import math
from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.conf import setting
from core.models import Attempt


@dataclass(frozen=True)
class Rule:
    kind: str
    allowed: int
    seconds: int
    distinct: bool = False
    spare_new: str = ""


@dataclass(frozen=True)
class Refusal:
    """The rule a request broke, and how many seconds until it would pass."""

    kind: str
    seconds: int

    @property
    def minutes(self):
        """The wait in words for a message: "1 minute", "15 minutes"."""
        minutes = max(1, math.ceil(self.seconds / 60))
        return f"{minutes} minute{'s' if minutes != 1 else ''}"


def client_address(request):
    """The client a limit counts: its IP, read from X-Forwarded-For behind
    ``NEWSLETTER_TRUSTED_PROXIES`` proxies.

    An IPv4-mapped IPv6 address (``::ffff:203.0.113.5``, what a dual-stack socket or proxy
    reports for an IPv4 client) is the IPv4 address it carries. Any other IPv6 address is
    reduced to its /64 network, the block one household or phone usually gets.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = setting("NEWSLETTER_TRUSTED_PROXIES")
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return address[:64]
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(parsed) >> 64 << 64, 64)))
    return str(parsed)


class Limiter:
    """Sliding-window limits in one scope. ``rules`` is a callable returning ``Rule``s (or
    ``(kind, allowed, seconds)`` tuples), so settings are read at each request."""

    def __init__(self, scope, rules):
        self.scope = scope
        self._rules = rules

    def rules(self):
        return [rule if isinstance(rule, Rule) else Rule(*rule) for rule in self._rules()]

    def key(self, kind, value):
        if isinstance(value, tuple):
            value = "\n".join(value)
        return salted_hmac(
            f"core.ratelimit.{self.scope}.{kind}", value, algorithm="sha256"
        ).hexdigest()

    def check(self, values, item=""):
        """The first rule that a request counted under ``values`` ({kind: value}) for
        ``item`` would break, as a ``Refusal``; ``None`` if it may go ahead."""
        now = timezone.now()
        item_key = self.key("item", item) if item else ""
        for rule in self.rules():
            if rule.kind not in values:
                continue
            window = datetime.timedelta(seconds=rule.seconds)
            recent = Attempt.objects.filter(
                key=self.key(rule.kind, values[rule.kind]), created_at__gt=now - window
            )
            until = (self._distinct_until if rule.distinct else self._until)(rule, recent, item_key)
            if (
                until
                and rule.spare_new in values
                and not Attempt.objects.filter(
                    key=self.key(rule.spare_new, values[rule.spare_new]),
                    created_at__gt=now - window,
                ).exists()
            ):
                until = None
            if until:
                return Refusal(rule.kind, max(1, math.ceil((until + window - now).total_seconds())))
        return None

    @staticmethod
    def _until(rule, recent, item_key):
        """When the oldest of the last ``allowed`` rows leaves the window (None: not broken)."""
        if rule.allowed <= 0:
            return timezone.now()
        times = list(
            recent.order_by("-created_at").values_list("created_at", flat=True)[: rule.allowed]
        )
        return times[-1] if len(times) >= rule.allowed else None

    @staticmethod
    def _distinct_until(rule, recent, item_key):
        """For a new item: when enough items have left the window to make room for it."""
        seen = {
            row["item"]: row["last"]
            for row in recent.exclude(item="")
            .values("item")
            .annotate(last=Max("created_at"))
            .order_by()
        }
        if not item_key or item_key in seen or len(seen) < rule.allowed:
            return None
        if rule.allowed <= 0:
            return timezone.now()
        return sorted(seen.values())[len(seen) - rule.allowed]

    def record(self, values, item=""):
        """Count one request under each of ``values``, for ``item``; forget expired rows."""
        now = timezone.now()
        Attempt.objects.filter(expires_at__lte=now).delete()
        longest = {}
        for rule in self.rules():
            for kind in filter(None, (rule.kind, rule.spare_new)):
                longest[kind] = max(longest.get(kind, 0), rule.seconds)
        item_key = self.key("item", item) if item else ""
        Attempt.objects.bulk_create(
            Attempt(
                scope=self.scope,
                key=self.key(kind, value),
                item=item_key,
                created_at=now,
                expires_at=now + datetime.timedelta(seconds=longest[kind]),
            )
            for kind, value in values.items()
            if kind in longest
        )

    def forget(self, kind, value):
        """Delete what is counted under ``kind``'s ``value`` or for it as an item."""
        Attempt.objects.filter(
            Q(key=self.key(kind, value)) | Q(item=self.key("item", value)), scope=self.scope
        ).delete()
