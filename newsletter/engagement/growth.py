"""How the list grows: readers confirmed, unsubscribed, bounced and complained per day, the
pages sign-ups came from and how many sign-ups were confirmed.

Dates: a subscriber row keeps when it last confirmed (``confirmed_at``) and last unsubscribed
(``unsubscribed_at``); bounces and complaints are dated by the subscriber's history (the audit
log entry the suppression code writes when the provider reports one), which is exact where
``updated_at`` would move with any later edit. A reader who confirmed, left and came back
counts once, on their latest date. The total on each day is worked back from today's count of
active readers, so it matches the subscriber list today.
"""

import datetime
from urllib.parse import urlsplit

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from wagtail.models import ModelLogEntry

from newsletter.models import Subscriber

TOP_PAGES = 10
SUPPRESSIONS = {"newsletter.bounce": "bounced", "newsletter.complaint": "complained"}


def per_day(rows, field, start):
    """{date: count} of subscribers by the day of ``field`` (one query)."""
    return dict(
        rows.filter(**{f"{field}__date__gte": start})
        .annotate(day=TruncDate(field))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by()
    )


def suppressions_per_day(start):
    """{(date, "bounced"|"complained"): subscribers} from the audit log (one query)."""
    rows = (
        ModelLogEntry.objects.filter(
            content_type__app_label="newsletter",
            content_type__model="subscriber",
            action__in=list(SUPPRESSIONS),
            timestamp__date__gte=start,
        )
        .annotate(day=TruncDate("timestamp"))
        .values_list("day", "action")
        .annotate(n=Count("object_id", distinct=True))
        .order_by()
    )
    return {(day, SUPPRESSIONS[action]): n for day, action, n in rows}


def signup_pages(signups):
    """The pages sign-ups came from, most first (one query; the grouping is by distinct
    address, so it grows with the site's pages, not its readers)."""
    pages = {}
    for url, n in signups.values_list("consent_url").annotate(n=Count("pk")).order_by():
        path = urlsplit(url).path or url or "(not recorded)"
        pages[path] = pages.get(path, 0) + n
    ranked = sorted(pages.items(), key=lambda item: (-item[1], item[0]))
    return [{"page": page, "signups": n} for page, n in ranked[:TOP_PAGES]]


def growth(days=90):
    """The last ``days`` days of the list: {"days": [{"date", "confirmed", "unsubscribed",
    "bounced", "complained", "net", "active"}], "pages", "signups", "confirmed_signups",
    "confirmation_rate", "active"} (seven queries)."""
    today = timezone.localdate()
    start = today - datetime.timedelta(days=days - 1)
    everyone = Subscriber.objects.all()
    confirmed = per_day(everyone, "confirmed_at", start)
    unsubscribed = per_day(everyone, "unsubscribed_at", start)
    suppressed = suppressions_per_day(start)
    active = everyone.filter(status=Subscriber.Status.ACTIVE).count()
    rows = []
    for number in range(days):
        day = start + datetime.timedelta(days=number)
        row = {
            "date": day,
            "confirmed": confirmed.get(day, 0),
            "unsubscribed": unsubscribed.get(day, 0),
            "bounced": suppressed.get((day, "bounced"), 0),
            "complained": suppressed.get((day, "complained"), 0),
        }
        row["net"] = row["confirmed"] - row["unsubscribed"] - row["bounced"] - row["complained"]
        rows.append(row)
    total = active
    for row in reversed(rows):  # today's total, then each day before it
        row["active"] = total
        total -= row["net"]
    signups = everyone.filter(source=Subscriber.Source.FORM, created_at__date__gte=start)
    counted = signups.aggregate(
        created=Count("pk"), confirmed=Count("pk", filter=Q(confirmed_at__isnull=False))
    )
    return {
        "days": rows,
        "active": active,
        "pages": signup_pages(signups),
        "signups": counted["created"],
        "confirmed_signups": counted["confirmed"],
        "confirmation_rate": (
            counted["confirmed"] / counted["created"] if counted["created"] else None
        ),
    }
