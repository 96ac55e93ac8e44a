"""Inside Django (``trials.bench.scale`` runs it), on PostgreSQL or SQLite:

    python -m trials.bench.scale_inside seed N     N more active readers on the Daily list,
                                                   made by the database (generate_series)
    python -m trials.bench.scale_inside freeze     send today's issue (send_issue_now) and time
                                                   it, the freeze on its own and its queries
    python -m trials.bench.scale_inside sent       the latest campaign's rows sent so far

Each prints one line of JSON. Run against a copy of a seeded database: it adds rows.
"""

import json
import sys
import time

from trials.project import setup_django

setup_django()

from django.db import connection, models, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from newsletter.models import Campaign, Delivery, IssuePage, MailingList, Subscriber  # noqa: E402
from newsletter.sending import orchestration  # noqa: E402
from newsletter.sending.recipients import DEFAULT_LIST_SLUG  # noqa: E402

PREFIX = "scale"


def _value_sql(field):
    """What a new bulk reader has in ``field``, as SQL (``g`` is the reader's number)."""
    fixed = {
        "email": f"'{PREFIX}' || lpad(g::text, 7, '0') || '@example.com'",
        "status": f"'{Subscriber.Status.ACTIVE}'",
        "source": f"'{Subscriber.Source.IMPORT}'",
        "consent_url": "'Benchmark readers (trials.bench.scale)'",
    }
    if field.name in fixed:
        return fixed[field.name]
    if isinstance(field, models.DateTimeField) and not field.null:
        return "%(now)s"
    if field.name in ("confirmed_at", "consent_at"):
        return "%(now)s"
    if field.null:
        return "NULL"
    if isinstance(field, models.BooleanField):
        return "false"
    if isinstance(field, (models.CharField, models.TextField)):
        return "''"
    raise ValueError(f"no bulk value for Subscriber.{field.name}")


def seed(n):
    """``n`` new active readers on the Daily list, scale0000001@example.com onwards (after any
    made before), in two statements run by the database, then ANALYZE (what autovacuum would
    do after such a load; the freeze's plan depends on it)."""
    if connection.vendor != "postgresql":
        raise SystemExit("seed needs PostgreSQL (generate_series)")
    mailing_list = MailingList.objects.get(slug=DEFAULT_LIST_SLUG)
    start = Subscriber.objects.filter(email__startswith=PREFIX).count() + 1
    fields = [f for f in Subscriber._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    table = quote(Subscriber._meta.db_table)
    membership = Subscriber.lists.through._meta
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(_value_sql(f) for f in fields)
    sql = (
        f"WITH new AS (INSERT INTO {table} ({columns}) "
        f"SELECT {values} FROM generate_series(%(first)s, %(last)s) AS g RETURNING id) "
        f"INSERT INTO {quote(membership.db_table)} "
        f"({quote(membership.get_field('subscriber').column)}, "
        f"{quote(membership.get_field('mailinglist').column)}) "
        f"SELECT id, %(list)s FROM new"
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            sql,
            {"now": timezone.now(), "first": start, "last": start + n - 1, "list": mailing_list.pk},
        )
    inserted_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        for model in (Subscriber, Subscriber.lists.through):
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
    return {
        "added": n,
        "receiving": mailing_list.members().count(),
        "insert_s": round(inserted_s, 2),
        "seconds": round(time.perf_counter() - started, 2),
    }


def freeze():
    """Today's issue sent the Newsletter tab's way, timed: ``send_issue_now`` in all (the
    snapshot, the freeze, the commit) and the freeze alone, with its SQL queries."""
    timing = {}
    real_freeze = orchestration.freeze

    def timed_freeze(campaign, members):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            count = real_freeze(campaign, members)
        timing["freeze_s"] = round(time.perf_counter() - started, 2)
        timing["freeze_queries"] = len(queries)
        return count

    orchestration.freeze = timed_freeze
    issue = IssuePage.objects.filter(issue_date=timezone.localdate()).first()
    started = time.perf_counter()
    campaign = orchestration.send_issue_now(issue)
    total = time.perf_counter() - started
    return {
        "campaign": campaign.pk,
        "recipients": campaign.recipient_count,
        "send_issue_now_s": round(total, 2),
        **timing,
        "delivery_rows": Delivery.objects.filter(campaign_id=campaign.pk).count(),
    }


def sent():
    campaign = Campaign.objects.exclude(snapshot=None).order_by("-pk").first()
    if campaign is None:
        return {"campaign": None, "sent": 0}
    rows = Delivery.objects.filter(campaign_id=campaign.pk, status=Delivery.Status.SENT)
    return {"campaign": campaign.pk, "status": campaign.status, "sent": rows.count()}


def main(argv):
    command = argv[0]
    if command == "seed":
        result = seed(int(argv[1]))
    elif command == "freeze":
        result = freeze()
    elif command == "sent":
        result = sent()
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
