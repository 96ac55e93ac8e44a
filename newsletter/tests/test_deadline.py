"""The "delivered by" time: the projection at fixed times (``now`` passed in), and the warning
an editor reads on the campaign report, the dashboard and Review and send."""

import datetime
import zoneinfo

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from newsletter.models import Campaign, Delivery, NewsletterSettings
from newsletter.sending import deadline
from newsletter.sending.orchestration import report

from .sending_helpers import frozen_campaign, make_issue, readers

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")
DAY = datetime.date(2026, 12, 8)  # GMT: local time is UTC


def at(hours, minutes=0, seconds=0, day=DAY):
    return datetime.datetime(day.year, day.month, day.day, hours, minutes, seconds, tzinfo=LONDON)


SEVEN = at(7)
ADVICE = "Start earlier, or ask whoever runs the site to raise the sending rate."


def words(node):
    return " ".join(node.get_text(" ").split()) if node else ""


# The one projection, at fixed times


def test_a_send_that_would_finish_late_says_when_by_how_much_and_what_to_do():
    # 36,000 readers at 10 a second: an hour from 06:40.
    got = deadline.project(deadline=SEVEN, remaining=36_000, rate=10, now=at(6, 40))

    assert got.late and got.finish == at(7, 40)
    assert got.message == (
        f"At this rate the last reader gets it at 07:40, 40 minutes after 07:00. {ADVICE}"
    )


def test_a_send_on_time_says_so_without_alarm():
    got = deadline.project(deadline=SEVEN, remaining=36_000, rate=40, now=at(6, 30))

    assert not got.late and got.finish == at(6, 45)
    assert got.message == "The last reader gets it at about 06:45, 15 minutes before 07:00."


def test_before_the_send_the_projection_names_the_rate_it_assumed():
    # 500,000 at 100 a second: 5,000 s from 06:00 is 07:23:20, shown as 07:24 (a finish is
    # rounded up to the minute, never promised early).
    late = deadline.project(
        deadline=SEVEN, remaining=500_000, rate=100, now=at(6, 0), before_send=True
    )
    on_time = deadline.project(
        deadline=SEVEN, remaining=25_000, rate=100, now=at(6, 0), before_send=True
    )

    assert late.late and late.finish == at(7, 23, 20)
    assert late.message == (
        "Sent now at 100 a second, the last reader would get it at 07:24, "
        f"24 minutes after 07:00. {ADVICE}"
    )
    assert not on_time.late
    assert on_time.message == (
        "Sent now, the last reader would get it at about 06:05, 55 minutes before 07:00."
    )


def test_a_finish_on_another_day_names_the_day():
    got = deadline.project(deadline=SEVEN, remaining=86_400, rate=1, now=at(7, 30))

    assert got.message.startswith(
        "At this rate the last reader gets it at 07:30 on Wednesday 9 December, 24 hours "
        "30 minutes after 07:00."
    )


def test_nothing_sent_yet_is_no_alarm_until_the_deadline_passes():
    early = deadline.project(deadline=SEVEN, remaining=500, rate=0, now=at(6, 59))
    past = deadline.project(deadline=SEVEN, remaining=500, rate=0, now=at(7, 5))

    assert not early.late and early.message == ""
    assert past.late
    assert past.message == f"It is 5 minutes past 07:00 and 500 readers are still waiting. {ADVICE}"


def test_without_a_deadline_the_finish_alone_and_nothing_left_nothing_to_say():
    during = deadline.project(deadline=None, remaining=600, rate=1, now=at(6))
    before = deadline.project(deadline=None, remaining=600, rate=1, now=at(6), before_send=True)

    assert (
        not during.late and during.message == "At this rate the last reader gets it at about 06:10."
    )
    assert before.message == "Sent now at 1 a second, the last reader would get it at about 06:10."
    assert deadline.project(deadline=None, remaining=600, rate=0, now=at(6)).message == ""
    done = deadline.project(deadline=SEVEN, remaining=0, rate=0, now=at(8))
    assert not done.late and done.message == ""


def test_the_issue_time_wins_over_the_daily_default():
    settings = NewsletterSettings.load()
    assert deadline.deadline_of(DAY) is None  # neither: no deadline
    settings.delivered_by = datetime.time(7, 0)
    settings.save()

    assert deadline.deadline_of(DAY) == SEVEN
    assert deadline.deadline_of(DAY, datetime.time(6, 30)) == at(6, 30)


# During the send: the rate so far


def sending(subscribers, *, started, sent, **fields):
    """A sending campaign started at ``started`` whose first ``sent`` rows went out."""
    campaign = frozen_campaign(subscribers, **fields)
    Campaign.objects.filter(pk=campaign.pk).update(started_at=started)
    campaign.refresh_from_db()
    first = campaign.deliveries.order_by("pk").values_list("pk", flat=True)[:sent]
    Delivery.objects.filter(pk__in=list(first)).update(status=Delivery.Status.SENT, sent_at=started)
    return campaign


def test_the_report_projects_the_finish_from_the_rate_so_far(site):
    issue = make_issue(site, DAY)
    issue.delivered_by = datetime.time(7, 0)
    issue.save()
    # 40 of 100 in the half hour since 06:00: 80 an hour, so the other 60 take 45 minutes.
    campaign = sending(readers(count=100), started=at(6), sent=40, issue=issue)

    figures = report(campaign, now=at(6, 30))

    projection = figures["projection"]
    assert projection.finish == at(7, 15) and projection.late
    assert projection.message == (
        f"At this rate the last reader gets it at 07:15, 15 minutes after 07:00. {ADVICE}"
    )
    on_time = report(Campaign.objects.get(pk=campaign.pk), now=at(6, 10))["projection"]
    # 40 in ten minutes: 60 more in 15, by 06:25.
    assert not on_time.late and on_time.finish == at(6, 25)


def test_a_sent_campaign_has_no_projection(site):
    issue = make_issue(site, DAY)
    campaign = sending(readers(count=3), started=at(6), sent=3, issue=issue)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENT)
    campaign.refresh_from_db()

    assert "projection" not in report(campaign, now=at(6, 30))


@pytest.fixture
def late_send(site):
    """Today's issue, due by 23:59, sending for an hour with 10 of 1,000 sent: at that rate
    the rest takes 99 hours, so it is late whatever time the test runs."""
    issue = make_issue(site)
    issue.delivered_by = datetime.time(23, 59)
    issue.save()
    started = timezone.now() - datetime.timedelta(hours=1)
    return sending(readers(count=1000), started=started, sent=10, issue=issue)


def test_the_campaign_report_page_warns_during_the_send(editor_client, late_send):
    response = editor_client.get(reverse("newsletter_campaigns:report", args=[late_send.pk]))

    page = BeautifulSoup(response.content, "html.parser")
    warning = page.select_one("[data-deadline][data-deadline-late]")
    assert warning is not None and not warning.has_attr("hidden")
    text = words(warning)
    assert text.startswith("At this rate the last reader gets it at ")
    assert "after 23:59" in text and text.endswith(ADVICE)

    progress = editor_client.get(reverse("newsletter_campaigns:progress", args=[late_send.pk]))
    assert progress.json()["deadline_late"] is True
    # The figures move on between the two requests: the same words, a later finish.
    followed = progress.json()["deadline"]
    assert followed.startswith("At this rate the last reader gets it at ")
    assert followed.endswith(ADVICE)


def test_the_dashboard_warns_during_the_send(editor_client, late_send):
    page = BeautifulSoup(editor_client.get("/admin/").content, "html.parser")

    panel = page.select_one("#newsletter-today-section, [id^=newsletter-today]")
    warning = (panel or page).select_one("[data-deadline][data-deadline-late]")
    assert "At this rate the last reader gets it at" in words(warning)


def test_no_deadline_no_warning_only_the_finish(editor_client, site):
    started = timezone.now() - datetime.timedelta(minutes=10)
    campaign = sending(readers(count=10), started=started, sent=1, issue=make_issue(site))

    report_page = editor_client.get(reverse("newsletter_campaigns:report", args=[campaign.pk]))
    dashboard = editor_client.get("/admin/")

    for response in (report_page, dashboard):
        page = BeautifulSoup(response.content, "html.parser")
        assert page.select("[data-deadline-late]") == []
        assert words(page.select_one("[data-deadline]")).startswith(
            "At this rate the last reader gets it at about "
        )


# Before the send: the expected duration


def test_the_measured_rate_is_the_last_full_send(settings):
    settings.NEWSLETTER_RATE_SAMPLE_MIN = 100
    assert deadline.measured_rate() == 0
    # 1,000 readers in 500 s, then a tiny send (ignored: the queue's start-up dominates it).
    Campaign.objects.create(
        status=Campaign.Status.SENT,
        recipient_count=1000,
        started_at=at(6),
        finished_at=at(6, 8, 20),
    )
    Campaign.objects.create(
        status=Campaign.Status.SENT, recipient_count=5, started_at=at(9), finished_at=at(9, 1)
    )

    assert deadline.measured_rate() == 2
    settings.NEWSLETTER_RATE_LIMIT = 50
    assert deadline.expected_rate() == 2  # measured wins over configured
    Campaign.objects.all().delete()
    assert deadline.expected_rate() == 50
    settings.NEWSLETTER_RATE_LIMIT = 0
    assert deadline.expected_rate() == 0


def test_review_and_send_warns_when_the_send_would_miss_the_deadline(editor_client, site, settings):
    # Due at midnight today: already past, so even three readers at one a second are late.
    issue = make_issue(site)
    issue.delivered_by = datetime.time(0, 0)
    issue.save_revision().publish()
    readers(count=3)
    settings.NEWSLETTER_RATE_LIMIT = 1

    response = editor_client.get(reverse("newsletter_review:review", args=[issue.pk]))

    page = BeautifulSoup(response.content, "html.parser")
    warning = page.select_one("[data-deadline][data-deadline-late]")
    text = words(warning)
    assert text.startswith("Sent now at 1 a second, the last reader would get it at ")
    assert "after 00:00" in text and text.endswith(ADVICE)


def test_review_and_send_says_nothing_without_a_rate_to_project_from(editor_client, site):
    issue = make_issue(site)
    issue.delivered_by = datetime.time(23, 59)
    issue.save_revision().publish()
    readers(count=3)

    response = editor_client.get(reverse("newsletter_review:review", args=[issue.pk]))

    warning = BeautifulSoup(response.content, "html.parser").select_one("[data-deadline]")
    # No send measured, no rate configured: nothing to say before 23:59.
    assert warning is None or warning.has_attr("hidden")
