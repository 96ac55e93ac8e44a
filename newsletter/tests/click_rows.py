"""A sent issue with its tracked links and deliveries, made directly (no rendering, no
sending), for the tests of the bot rules, retention and the GDPR export of clicks.

``sent_issue(subscribers, sent_at=...)`` gives an ``Issue``: its ``snapshot``, ``campaign``,
``deliveries`` (by address) and ``links`` by ``(rank, role)`` ("Story number 1" to
"Story number 10", a headline and a "Read the story" link each), plus the masthead, footer
and hidden ``canary``. ``unsaved_click`` builds what the recorder hands to ``classify.apply``.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from newsletter.models import Campaign, Click, Delivery, IssueSnapshot, TrackedLink

Role = TrackedLink.Role
_days = iter(range(1, 10_000))


@dataclass
class Issue:
    snapshot: IssueSnapshot
    campaign: Campaign
    deliveries: dict
    links: dict

    def link(self, rank, role=Role.HEADLINE):
        return self.links[rank, role]

    @property
    def canary(self):
        return self.links[None, Role.CANARY]


def sent_issue(subscribers, *, sent_at=None, day=None, stories=10):
    """An issue sent at ``sent_at`` (now) to ``subscribers``, one delivery each."""
    sent_at = sent_at or timezone.now()
    day = day or datetime.date(2001, 1, 1) + datetime.timedelta(days=next(_days))
    snapshot = IssueSnapshot(
        issue_date=day,
        subject=f"Lisa's Top Ten for {day}",
        html="<p>email</p>",
        text="email",
        web_html="<p>web</p>",
        stories=[
            {"rank": rank, "headline": f"Story number {rank}", "url": f"https://x.test/{rank}/"}
            for rank in range(1, stories + 1)
        ],
        sent_at=sent_at,
    )
    snapshot.save()
    campaign = Campaign.objects.create(
        subject=snapshot.subject,
        snapshot=snapshot,
        status=Campaign.Status.SENT,
        started_at=sent_at,
        finished_at=sent_at,
        recipient_count=len(subscribers),
    )
    deliveries = {
        subscriber.email: Delivery.objects.create(
            campaign=campaign,
            subscriber=subscriber,
            email=subscriber.email,
            status=Delivery.Status.SENT,
            sent_at=sent_at,
        )
        for subscriber in subscribers
    }
    rows = [(None, Role.MASTHEAD, "Lisa's Top Ten", "https://x.test/")]
    for rank in range(1, stories + 1):
        url = f"https://x.test/{rank}/"
        rows += [
            (rank, Role.HEADLINE, f"Story number {rank}", url),
            (rank, Role.READ_MORE, "Read the story", url),
        ]
    rows += [
        (None, Role.FOOTER, "Our website", "https://x.test/about/"),
        (None, Role.CANARY, "", "https://x.test/"),
    ]
    links = {
        (rank, role): TrackedLink.objects.create(
            snapshot=snapshot, position=position, rank=rank, role=role, url=url, label=label
        )
        for position, (rank, role, label, url) in enumerate(rows, start=1)
    }
    return Issue(snapshot, campaign, deliveries, links)


def unsaved_click(link, delivery, at, reason=""):
    """A click as the recorder hands it to ``classify.apply``: unsaved, with its link's role."""
    click = Click(
        link_id=link.pk,
        snapshot_id=link.snapshot_id,
        rank=link.rank,
        delivery_id=delivery.pk if delivery is not None else None,
        at=at,
        human=not reason,
        reason=reason,
    )
    click.role = link.role
    return click


def stored_click(link, delivery, at, reason=""):
    """A click already written."""
    return Click.objects.create(
        link=link,
        snapshot_id=link.snapshot_id,
        rank=link.rank,
        delivery=delivery,
        at=at,
        human=not reason,
        reason=reason,
    )


def seconds(issue, n):
    """``n`` seconds after the issue was sent."""
    return issue.snapshot.sent_at + datetime.timedelta(seconds=n)
