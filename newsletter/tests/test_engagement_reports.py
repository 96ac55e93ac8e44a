"""The engagement reports' figures, exactly, from rows made in the tables: three issues sent
to ten readers over three mornings, with human and suspect clicks, a roll-up, leavers and
complaints; and a fixed number of queries however many clicks there are."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import ModelLogEntry

from newsletter.engagement.reports import growth, issue_report, leaderboards, position_curve
from newsletter.models import Click, ClickRollup, DailyClicks, IssueSnapshot, Subscriber

from .engagement_setup import bulk_readers, click, sent_issue, three_mornings
from .issue_setup import make_articles

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAYS = [TODAY - datetime.timedelta(days=2), TODAY - datetime.timedelta(days=1), TODAY]


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def log(subscriber_id, action, when):
    return ModelLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Subscriber),
        object_id=str(subscriber_id),
        label="reader",
        action=action,
        timestamp=when,
    )


@pytest.fixture
def readers(db):
    return bulk_readers(10)


@pytest.fixture
def three_issues(readers, news_index):
    return three_mornings(readers, news_index)


def test_issue_report_counts_human_clicks_readers_and_the_position_index(three_issues, readers):
    today = three_issues[2]
    report = issue_report(today)
    assert report["date"] == TODAY
    assert report["delivered"] == 10
    assert report["clicks"] == {"human_unique": 6, "human": 12, "raw": 15}
    assert report["click_rate"] == pytest.approx(0.6)
    assert report["suspect"] == 3
    assert report["history"] == 3
    first, second, third = report["stories"][:3]
    assert [story["rank"] for story in report["stories"]] == list(range(1, 11))
    assert first["headline"] == "Story number 1"
    assert first["clicks"] == {"human_unique": 5, "human": 7, "raw": 10}
    assert first["by_role"] == {"headline": 6, "image": 1}
    assert first["share"] == pytest.approx(7 / 12)
    assert first["rate"] == pytest.approx(0.5)
    # Rank 1's rates were 0.4, 0.6 and 0.5: the median is 0.5, so it did as usual.
    assert first["position_index"] == pytest.approx(1.0)
    # Rank 2's were 0.2, 0.1 and 0.4: twice the usual.
    assert second["clicks"] == {"human_unique": 4, "human": 4, "raw": 4}
    assert second["usual_rate"] == pytest.approx(0.2)
    assert second["position_index"] == pytest.approx(2.0)
    # Nobody ever clicks rank 3: no usual rate, no index.
    assert third["clicks"] == {"human_unique": 0, "human": 0, "raw": 0}
    assert third["position_index"] is None
    # The scanner was first, but the first human click came five minutes after the send.
    assert report["time_to_first_click"] == datetime.timedelta(minutes=5)
    hours = report["per_hour"]
    assert len(hours) == 24
    assert [(h["human"], h["raw"]) for h in hours[:3]] == [(7, 10), (4, 4), (0, 0)]
    assert sum(h["human"] for h in hours) == 11  # the footer click came after 24 hours


def test_the_first_issue_has_no_position_index(three_issues):
    report = issue_report(three_issues[0])
    assert report["history"] == 1
    assert [story["position_index"] for story in report["stories"]] == [None] * 10


def test_leavers_are_counted_against_the_issue_they_left_after(three_issues, readers):
    yesterday, today = three_issues[1:]
    Subscriber.objects.filter(pk=readers[7]).update(
        status="unsubscribed", unsubscribed_at=at(DAYS[1], 7)
    )
    Subscriber.objects.filter(pk=readers[8]).update(
        status="unsubscribed", unsubscribed_at=at(DAYS[2], 9)
    )
    log(readers[6], "newsletter.complaint", at(DAYS[2], 10))
    log(readers[5], "newsletter.complaint", at(DAYS[1], 5))  # before yesterday's send
    assert (issue_report(yesterday)["unsubscribed"], issue_report(yesterday)["complained"]) == (
        1,
        0,
    )
    report = issue_report(today)
    assert (report["unsubscribed"], report["complained"]) == (1, 1)


def roll_up(snapshot):
    """What the retention job leaves: daily counts per link, the unique clickers, no rows."""
    from django.db.models import Count, Q

    clicks = Click.objects.filter(snapshot=snapshot)
    story_unique = dict(
        clicks.filter(human=True, rank__isnull=False)
        .values_list("rank")
        .annotate(n=Count("delivery_id", distinct=True))
        .order_by()
    )
    human_unique = clicks.filter(human=True).values("delivery_id").distinct().count()
    for link_id, rank, raw, human in (
        clicks.values_list("link_id", "rank")
        .annotate(raw=Count("pk"), human=Count("pk", filter=Q(human=True)))
        .order_by()
    ):
        DailyClicks.objects.create(
            link_id=link_id, snapshot=snapshot, rank=rank, day=DAYS[2], raw=raw, human=human
        )
    ClickRollup.objects.create(
        snapshot=snapshot,
        human_unique=human_unique,
        story_unique={str(rank): n for rank, n in story_unique.items()},
    )
    clicks.delete()


def test_a_rolled_up_issue_keeps_its_figures(three_issues):
    today = three_issues[2]
    before = issue_report(today)
    roll_up(today)
    after = issue_report(today)
    assert after["rolled_up"]
    assert after["clicks"] == before["clicks"]
    for old, new in zip(before["stories"], after["stories"], strict=True):
        assert (new["clicks"], new["by_role"], new["position_index"]) == (
            old["clicks"],
            old["by_role"],
            old["position_index"],
        )
    # Click times are not kept: the curve is empty after the roll-up.
    assert sum(hour["raw"] for hour in after["per_hour"]) == 0


def test_aggregate_clicks_have_no_unique_readers(readers):
    snapshot = sent_issue(TODAY, readers)
    click(snapshot, 1, [None, None, None])
    report = issue_report(snapshot)
    assert report["clicks"] == {"human_unique": None, "human": 3, "raw": 3}
    assert report["click_rate"] is None
    assert report["basis"] == "clicks"
    assert report["stories"][0]["clicks"]["human_unique"] is None


def test_position_curve_is_the_median_rate_by_rank(three_issues):
    curve = position_curve()
    assert [row["rank"] for row in curve] == list(range(1, 11))
    assert curve[0]["median_rate"] == pytest.approx(0.5)
    assert curve[1]["median_rate"] == pytest.approx(0.2)
    assert curve[2]["median_rate"] == 0
    assert curve[0]["issues"] == 3
    assert position_curve(last=1)[1]["median_rate"] == pytest.approx(0.4)


def test_leaderboards_score_by_position_index(three_issues):
    boards = leaderboards(days=30)
    assert boards["stories"] == 30
    # Story 2 is Lisa's, from Reuters: yesterday 0.1 over 0.15 (two issues), today 2.0.
    (lisa,) = boards["boards"]["author"]
    assert lisa["name"] == "Lisa Marchetti"
    assert (lisa["stories"], lisa["scored"]) == (3, 2)
    assert lisa["mean_index"] == pytest.approx((0.1 / 0.15 + 2.0) / 2)
    assert boards["boards"]["source"][0]["name"] == "Reuters"
    beat = boards["beat_their_slot"]
    # Today's story 2 at twice its slot's usual rate, yesterday's lead at 0.6 over 0.5.
    assert [(story["date"], story["rank"]) for story in beat] == [(DAYS[2], 2), (DAYS[1], 1)]
    assert beat[0]["position_index"] == pytest.approx(2.0)
    assert beat[1]["position_index"] == pytest.approx(1.2)


def test_growth_counts_each_day_and_works_the_total_back(readers):
    day = DAYS[1]
    Subscriber.objects.filter(pk__in=readers[:3]).update(confirmed_at=at(day, 9))
    Subscriber.objects.filter(pk=readers[3]).update(
        status="unsubscribed", unsubscribed_at=at(TODAY, 8)
    )
    Subscriber.objects.filter(pk=readers[4]).update(status="bounced")
    log(readers[4], "newsletter.bounce", at(TODAY, 8))
    Subscriber.objects.create(
        email="new@example.org", source="form", consent_url="https://x.example/news/a/?utm=1"
    )
    Subscriber.objects.create(
        email="two@example.org",
        source="form",
        status="active",
        consent_url="https://x.example/news/a/",
    )
    Subscriber.objects.create(email="three@example.org", source="form", consent_url="/about/")
    report = growth(days=3)
    by_day = {row["date"]: row for row in report["days"]}
    assert report["active"] == 9  # ten readers, one left, one bounced, one new
    assert by_day[day]["confirmed"] == 3
    assert by_day[TODAY]["confirmed"] == 8  # seven readers confirmed today, and "two"
    assert (by_day[TODAY]["unsubscribed"], by_day[TODAY]["bounced"]) == (1, 1)
    assert by_day[TODAY]["net"] == 6
    assert by_day[TODAY]["active"] == 9
    assert by_day[day]["active"] == 3
    assert report["pages"] == [
        {"page": "/news/a/", "signups": 2},
        {"page": "/about/", "signups": 1},
    ]
    assert (report["signups"], report["confirmed_signups"]) == (3, 1)
    assert report["confirmation_rate"] == pytest.approx(1 / 3)


@pytest.mark.parametrize("many", [False, True])
def test_the_issue_report_costs_the_same_queries_for_one_click_or_many(
    readers, many, django_assert_num_queries
):
    earlier = sent_issue(DAYS[1], readers)
    snapshot = sent_issue(TODAY, readers if many else readers[:1])
    click(earlier, 3, earlier.deliveries[:2])
    if many:
        for rank in range(1, 11):
            click(snapshot, rank, snapshot.deliveries, times=3)
        click(snapshot, 1, snapshot.deliveries, role="image", human=False, reason="burst")
    else:
        click(snapshot, 1, snapshot.deliveries[:1])
    snapshot = IssueSnapshot.objects.get(pk=snapshot.pk)
    with django_assert_num_queries(13):  # 12, and the pixel's loads
        report = issue_report(snapshot)
    assert report["clicks"]["raw"] == (310 if many else 1)


@pytest.mark.parametrize("many", [False, True])
def test_across_issues_and_growth_cost_the_same_queries(
    readers, news_index, many, django_assert_num_queries
):
    articles = make_articles(news_index, lead_image=None)
    for day in DAYS[: 3 if many else 1]:
        snapshot = sent_issue(day, readers, articles=articles)
        click(snapshot, 1, snapshot.deliveries[: 8 if many else 1])
    with django_assert_num_queries(5):
        position_curve()
    with django_assert_num_queries(8):
        leaderboards()
    with django_assert_num_queries(6):
        growth()
