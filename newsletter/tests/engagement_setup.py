"""Sent issues with readers and clicks made directly in the tables, for the report tests and
the report benchmark (``trials.bench.issue_report``): a snapshot with its stories, a sent
campaign, one sent delivery per reader, two tracked links per story (headline and photo)
plus the footer, and clicks put in with ``bulk_create``.

Nothing here renders or sends an email: the reports read only these tables.
"""

import datetime

from django.utils import timezone

from news.factories import AuthorFactory
from newsletter.models import Campaign, Click, Delivery, IssueSnapshot, Subscriber, TrackedLink

from .issue_setup import make_articles

ROLES = (TrackedLink.Role.HEADLINE, TrackedLink.Role.IMAGE)
BATCH = 5000


def story(rank, article=None, **fields):
    """One story as ``IssueSnapshot.stories`` holds it."""
    data = {
        "rank": rank,
        "article_id": article.pk if article else None,
        "headline": article.title if article else f"Story number {rank}",
        "url": f"https://lisastopten.example/news/story-{rank}/",
        "section": article.section.name if article and article.section else "World",
        "credit": "cnn.com",
    }
    data.update(fields)
    return data


def sent_issue(day, readers=(), *, stories=None, articles=None, sent_at=None):
    """A sent issue of ``day`` to ``readers`` (subscribers, or a number of new addresses
    made here with ``bulk_create``). Returns the snapshot with three attributes more:
    ``tracked`` {(rank, role): TrackedLink}, ``footer`` (the footer's link) and
    ``deliveries`` (their ids in order)."""
    if stories is None:
        stories = [story(rank, article) for rank, article in enumerate(articles or [None] * 10, 1)]
    sent_at = sent_at or timezone.make_aware(datetime.datetime.combine(day, datetime.time(6)))
    snapshot = IssueSnapshot(
        issue_date=day,
        subject=f"Lisa's Top Ten: {day:%A %-d %B %Y}",
        html="<p>[[UNSUBSCRIBE_URL]]</p>",
        text="[[UNSUBSCRIBE_URL]]",
        web_html="<p>web</p>",
        stories=stories,
        sent_at=sent_at,
    )
    snapshot.save()
    campaign = Campaign.objects.create(
        subject=snapshot.subject,
        snapshot=snapshot,
        status=Campaign.Status.SENT,
        started_at=sent_at,
        finished_at=sent_at,
    )
    if isinstance(readers, int):
        readers = bulk_readers(readers, prefix=f"r{day:%Y%m%d}-")
    rows = [
        Delivery(
            campaign=campaign,
            subscriber_id=getattr(reader, "pk", reader),
            email=f"{getattr(reader, 'pk', reader)}@example.org",
            status=Delivery.Status.SENT,
            sent_at=sent_at,
        )
        for reader in readers
    ]
    Delivery.objects.bulk_create(rows, batch_size=BATCH)
    campaign.recipient_count = len(rows)
    campaign.save(update_fields=["recipient_count"])
    links = [
        TrackedLink(snapshot=snapshot, position=0, rank=data["rank"], role=role, url=data["url"])
        for data in stories
        for role in ROLES
    ]
    links.append(
        TrackedLink(snapshot=snapshot, position=0, role="footer", url="https://x.example/")
    )
    for position, link in enumerate(links, 1):
        link.position = position
    TrackedLink.objects.bulk_create(links)
    saved = TrackedLink.objects.filter(snapshot=snapshot)
    snapshot.tracked = {(link.rank, link.role): link for link in saved}
    snapshot.footer = snapshot.tracked[(None, "footer")]
    snapshot.deliveries = list(
        Delivery.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True)
    )
    return snapshot


def bulk_readers(count, prefix="r"):
    """``count`` new active subscribers (no lists), their ids in order."""
    now = timezone.now()
    Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=f"{prefix}{number}@example.org",
                status=Subscriber.Status.ACTIVE,
                confirmed_at=now,
            )
            for number in range(count)
        ],
        batch_size=BATCH,
    )
    return list(
        Subscriber.objects.filter(email__startswith=prefix)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def click(snapshot, rank, deliveries, *, role="headline", human=True, reason="", at=None, times=1):
    """Clicks on story ``rank``'s ``role`` link (None: the footer), ``times`` per delivery
    (a delivery of None: an aggregate-mode click). ``at``: a time, or minutes after the
    send."""
    link = snapshot.footer if rank is None else snapshot.tracked[(rank, role)]
    if at is None or isinstance(at, int | float):
        at = snapshot.sent_at + datetime.timedelta(minutes=at or 30)
    rows = [
        Click(
            link=link,
            snapshot=snapshot,
            rank=rank,
            delivery_id=delivery,
            at=at,
            human=human,
            reason=reason,
        )
        for delivery in deliveries
        for _ in range(times)
    ]
    Click.objects.bulk_create(rows, batch_size=BATCH)
    return rows


def three_mornings(readers, news_index):
    """Three issues sent to ``readers`` (ten) on the last three mornings, of the same ten
    articles (story 2 by Lisa Marchetti, from Reuters): rank 1 clicked by 4, 6 and 5 of the
    ten readers, rank 2 by 2, 1 and 4, and suspect clicks besides."""
    days = [timezone.localdate() - datetime.timedelta(days=back) for back in (2, 1, 0)]
    articles = make_articles(news_index, lead_image=None)
    author = AuthorFactory(name="Lisa Marchetti")
    articles[1].authors.add(author)
    articles[1].source_name = "Reuters"
    articles[1].save_revision().publish()
    issues = [sent_issue(day, readers, articles=articles) for day in days]
    old, yesterday, today = issues
    click(old, 1, old.deliveries[:4])
    click(old, 2, old.deliveries[:2])
    click(yesterday, 1, yesterday.deliveries[:6])
    click(yesterday, 2, yesterday.deliveries[:1])
    # Today: five readers on story 1 (the first twice, the second also on its photo) ...
    click(today, 1, today.deliveries[:1], at=5)
    click(today, 1, today.deliveries[:5], at=20)
    click(today, 1, today.deliveries[1:2], role="image", at=30)
    # ... three scanner fetches seconds after the send, four readers on story 2 an hour
    # and a half later and one on the footer the next day.
    click(today, 1, today.deliveries[5:8], human=False, reason="scanner", at=0.1)
    click(today, 2, today.deliveries[:4], at=90)
    click(today, None, today.deliveries[9:10], at=25 * 60)
    return issues
