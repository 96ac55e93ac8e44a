"""Who a campaign goes to, and freezing that list into one ``Delivery`` row per subscriber.

The audience is the campaign's list or segment (wagtail-newsletter's ids: ``"<list pk>"`` and
``"<list pk>/<segment pk>"``), else the issue's Newsletter-tab recipients, else the Daily
list. Freezing copies the list inside the database, so 100,000 recipients never sit in memory
at once; running it again adds nobody twice.
"""

from django.db import connections
from django.db.models import F

from newsletter.models import Delivery, MailingList, Segment

DEFAULT_LIST_SLUG = "daily"


class NoAudience(Exception):
    """The campaign's list or segment no longer exists."""


def audience_of(campaign, issue=None):
    """``(audience, segment)`` ids the campaign goes to, filling in the fallbacks."""
    if campaign.audience:
        return campaign.audience, campaign.segment
    recipients = getattr(issue, "newsletter_recipients", None) if issue else None
    if recipients is not None and recipients.audience:
        return recipients.audience, recipients.segment or ""
    daily = MailingList.objects.filter(slug=DEFAULT_LIST_SLUG).first()
    if daily is None:
        raise NoAudience(
            "There is no Daily list to send to: choose recipients in the issue's Newsletter tab."
        )
    return str(daily.pk), ""


def members_of(audience, segment=""):
    """The subscribers receiving mail today in that list or segment, as a queryset."""
    list_pk = str(audience or "").split("/")[0]
    segment_pk = str(segment or "").split("/")[-1] if segment else ""
    if segment_pk:
        found = (
            Segment.objects.filter(pk=segment_pk, mailing_list_id=list_pk).first()
            if segment_pk.isdigit() and list_pk.isdigit()
            else None
        )
        if found is None:
            raise NoAudience(
                "The segment this issue was meant for no longer exists: "
                "choose recipients again in the Newsletter tab."
            )
        return found.members()
    found = MailingList.objects.filter(pk=list_pk).first() if list_pk.isdigit() else None
    if found is None:
        raise NoAudience(
            "The list this issue was meant for no longer exists: choose "
            "recipients again in the Newsletter tab."
        )
    return found.members()


def freeze(campaign, members, batch_size=None):
    """One pending ``Delivery`` per member of ``members``; returns how many rows exist now.

    Rows already there are left alone (the unique (campaign, subscriber) constraint), so a
    retry adds nobody twice. On SQLite and PostgreSQL one ``INSERT ... SELECT`` copies the
    list inside the database (100,000 rows in about a second, nothing held in Python);
    elsewhere the members are streamed and inserted a batch at a time.
    """
    members = members.order_by()
    if connections[Delivery.objects.db].vendor in ("sqlite", "postgresql"):
        _insert_select(campaign, members)
    else:
        _bulk_insert(campaign, members, batch_size)
    return Delivery.objects.filter(campaign_id=campaign.pk).count()


def _insert_select(campaign, members):
    connection = connections[Delivery.objects.db]
    quote = connection.ops.quote_name
    columns = [
        "campaign_id",
        "subscriber_id",
        "email",
        "status",
        "attempts",
        "lease_owner",
        "last_error",
    ]
    members = members.values(member_id=F("pk"), member_email=F("email"))
    select, params = members.query.sql_with_params()
    # "WHERE true" keeps SQLite from reading ON CONFLICT as part of a join.
    sql = (
        f"INSERT INTO {quote(Delivery._meta.db_table)} "
        f"({', '.join(quote(column) for column in columns)}) "
        f"SELECT %s, member.member_id, member.member_email, %s, 0, '', '' "
        f"FROM ({select}) AS member WHERE true ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk, Delivery.Status.PENDING, *params])


def _bulk_insert(campaign, members, batch_size=None):
    batch_size = batch_size or 2000
    batch = []
    for pk, email in members.values_list("pk", "email").iterator(chunk_size=batch_size):
        batch.append(Delivery(campaign_id=campaign.pk, subscriber_id=pk, email=email))
        if len(batch) >= batch_size:
            Delivery.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Delivery.objects.bulk_create(batch, ignore_conflicts=True)
