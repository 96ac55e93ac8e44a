"""Tomorrow's draft appears by itself: the worker prepares it once a day from
``NEWSLETTER_PREPARE_AT`` (``prepare_if_due``, on a fake clock), the next free date, with the
newest stories the issue before it doesn't hold and the sign-up list's readers; and the real
worker loop does it without ever stopping on a failure."""

import datetime
import logging

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from news.factories import ArticlePageFactory
from newsletter.checks import prepare_at_check
from newsletter.factories import IssuePageFactory, daily_list
from newsletter.issues import preparing
from newsletter.management.commands import db_worker
from newsletter.models import IssuePage, PreparedDraft

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 12, 2)  # a Wednesday
ONE_DAY = datetime.timedelta(days=1)


def at(day, hour, minute=0):
    """An aware moment at ``hour:minute`` on ``day``, the publication's local time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture(autouse=True)
def prepare_at_five(settings):
    settings.NEWSLETTER_PREPARE_AT = "17:00"


@pytest.fixture
def stories(news_index):
    """Twelve live articles, newest first, and a draft article (never a story)."""
    ArticlePageFactory(parent=news_index, title="Not published", live=False, date=DAY)
    return [
        ArticlePageFactory(parent=news_index, title=f"Story {n}", date=DAY - n * ONE_DAY)
        for n in range(12)
    ]


@pytest.fixture
def todays_issue(archive, stories):
    """This morning's issue, holding the two newest stories."""
    return IssuePageFactory(parent=archive, issue_date=DAY, articles=stories[:2])


def draft_of(day):
    issue = IssuePage.objects.get(issue_date=day)
    return issue, [story.article for story in issue.latest_revision.as_object().stories.all()]


def test_nothing_before_the_hour_then_tomorrows_draft(archive, stories, todays_issue, caplog):
    daily_list()
    assert preparing.prepare_if_due(at(DAY, 16, 59)) is None
    assert IssuePage.objects.count() == 1

    with caplog.at_level(logging.INFO, logger="newsletter.issues.preparing"):
        issue = preparing.prepare_if_due(at(DAY, 17, 0))

    assert issue is not None
    issue, articles = draft_of(DAY + ONE_DAY)
    assert issue.title == "Issue of 3 December 2026" and issue.slug == "2026-12-03"
    assert not issue.live  # a draft for the editors to finish and publish
    assert articles == stories[2:12]  # the ten newest that this morning's issue doesn't hold
    assert issue.newsletter_recipients.audience == str(daily_list().pk)
    assert issue.get_parent().pk == archive.pk
    assert "Prepared the draft of 2026-12-03 with 10 of 10 stories" in caplog.text


def test_the_draft_has_fewer_stories_rather_than_yesterdays_again(archive, stories):
    IssuePageFactory(parent=archive, issue_date=DAY, articles=stories[:10])

    preparing.prepare_if_due(at(DAY, 18))

    assert draft_of(DAY + ONE_DAY)[1] == stories[10:]  # two: the editor adds eight


def test_it_takes_the_next_free_date_and_never_touches_an_issue(archive, stories):
    tomorrow = IssuePageFactory(
        parent=archive, issue_date=DAY + ONE_DAY, articles=stories[:3], title="Mine"
    )
    IssuePageFactory(parent=archive, issue_date=DAY + 2 * ONE_DAY, articles=stories[3:4])

    issue = preparing.prepare_if_due(at(DAY, 17, 30))

    assert issue.issue_date == DAY + 3 * ONE_DAY
    assert draft_of(DAY + 3 * ONE_DAY)[1] == stories[:3] + stories[4:11]
    tomorrow.refresh_from_db()
    assert tomorrow.title == "Mine" and tomorrow.stories.count() == 3


def test_once_a_day_even_if_the_editor_deletes_the_draft(archive, stories):
    preparing.prepare_if_due(at(DAY, 17))
    assert preparing.prepare_if_due(at(DAY, 17, 5)) is None  # the next round: nothing more
    IssuePage.objects.get(issue_date=DAY + ONE_DAY).delete()  # the editor didn't want it

    assert preparing.prepare_if_due(at(DAY, 23, 59)) is None
    assert not IssuePage.objects.exists()

    # The next day, after the hour, the next free date after it gets its draft.
    assert preparing.prepare_if_due(at(DAY + ONE_DAY, 9)) is None
    assert preparing.prepare_if_due(at(DAY + ONE_DAY, 17)).issue_date == DAY + 2 * ONE_DAY
    assert list(PreparedDraft.objects.values_list("prepared_on", "issue_date")) == [
        (DAY + ONE_DAY, DAY + 2 * ONE_DAY),
        (DAY, DAY + ONE_DAY),
    ]


@pytest.mark.parametrize("off", [None, ""])
def test_off_when_the_setting_is_empty(archive, stories, settings, off):
    settings.NEWSLETTER_PREPARE_AT = off

    assert preparing.prepare_if_due(at(DAY, 23)) is None
    assert not IssuePage.objects.exists() and not PreparedDraft.objects.exists()


def test_two_workers_at_once_make_one_draft(archive, stories, monkeypatch):
    """The other worker prepares the day between this one's check and its write: this one's
    write of the day fails on the unique day and changes nothing."""
    real_index = preparing.issue_index
    other_worker = []

    def index_after_the_other_worker_was_first():
        if not other_worker:
            other_worker.append(None)
            other_worker[0] = preparing.prepare_if_due(at(DAY, 17))
        return real_index()

    monkeypatch.setattr(preparing, "issue_index", index_after_the_other_worker_was_first)

    assert preparing.prepare_if_due(at(DAY, 17)) is None

    assert other_worker[0].issue_date == DAY + ONE_DAY
    assert list(IssuePage.objects.values_list("issue_date", flat=True)) == [DAY + ONE_DAY]
    assert PreparedDraft.objects.count() == 1


def test_an_editor_taking_the_date_meanwhile_is_left_alone(archive, stories, monkeypatch):
    """The date is taken between choosing it and making the draft (the issue date is unique):
    no draft, nothing written down, and the next round prepares the next free date."""
    IssuePageFactory(parent=archive, issue_date=DAY + ONE_DAY, title="The editor's")
    monkeypatch.setattr(preparing, "next_free_date", lambda start: start)

    assert preparing.prepare_if_due(at(DAY, 17)) is None
    assert IssuePage.objects.get().title == "The editor's"
    assert not PreparedDraft.objects.exists()

    monkeypatch.undo()
    assert preparing.prepare_if_due(at(DAY, 17, 5)).issue_date == DAY + 2 * ONE_DAY


def test_without_an_archive_it_says_so_once_a_day(home_page, caplog):
    preparing._warned_on = None
    with caplog.at_level(logging.WARNING, logger="newsletter.issues.preparing"):
        assert preparing.prepare_if_due(at(DAY, 17)) is None
        assert preparing.prepare_if_due(at(DAY, 17, 1)) is None
    assert caplog.text.count("No issue archive page") == 1
    assert not PreparedDraft.objects.exists()  # made as soon as there is an archive


# The setting's check


@pytest.mark.parametrize("good", ["17:00", "7:30", "00:00", "23:59", None, "", datetime.time(6)])
def test_the_check_takes_a_time_of_day_or_nothing(settings, good):
    settings.NEWSLETTER_PREPARE_AT = good
    assert prepare_at_check(None) == []


@pytest.mark.parametrize("bad", ["5pm", "17", "24:00", "17:60", "17:5", 17])
def test_the_check_says_what_to_write(settings, bad):
    settings.NEWSLETTER_PREPARE_AT = bad

    [error] = prepare_at_check(None)

    assert error.id == "newsletter.E005"
    assert f"NEWSLETTER_PREPARE_AT is {bad!r}" in error.msg and "HH:MM" in error.msg
    assert 'NEWSLETTER_PREPARE_AT="17:00"' in error.hint


# The real worker


@pytest.fixture
def inline_worker(monkeypatch):
    """db_worker inside the test's transaction, which it must not close."""
    from django_tasks_db.management.commands import db_worker as tasks_db_worker

    monkeypatch.setattr(tasks_db_worker, "valid_backend_name", str)
    monkeypatch.setattr(tasks_db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def test_the_worker_prepares_the_draft_when_it_starts(archive, stories, settings, inline_worker):
    settings.NEWSLETTER_PREPARE_AT = "00:00"  # whenever this test runs, the hour has come

    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--housekeeping-interval",
        "1",
        verbosity=0,
    )

    tomorrow = timezone.localdate() + ONE_DAY
    assert draft_of(tomorrow)[1] == stories[:10]


class Rounds:
    """``STOPPING`` for the housekeeping loop: lets it run ``count`` rounds, then stops it."""

    def __init__(self, count):
        self.left = count

    def wait(self, interval):
        self.left -= 1
        return self.left < 0


def test_the_housekeeping_loop_outlives_a_failure_and_prepares_next_round(
    archive, stories, settings, inline_worker, monkeypatch, caplog
):
    settings.NEWSLETTER_PREPARE_AT = "00:00"
    real_fresh_articles = preparing.fresh_articles
    calls = []

    def database_away_once(issue_date):
        calls.append(issue_date)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real_fresh_articles(issue_date)

    monkeypatch.setattr(preparing, "fresh_articles", database_away_once)
    monkeypatch.setattr(db_worker, "STOPPING", Rounds(3))

    with caplog.at_level(logging.INFO):
        db_worker.housekeeping(0)  # here, not in a thread: inside the test's transaction

    assert "Preparing the next issue's draft failed; trying again next round" in caplog.text
    tomorrow = timezone.localdate() + ONE_DAY
    assert len(calls) == 2  # failed, then made; the third round found the day done
    assert draft_of(tomorrow)[1] == stories[:10]
    assert list(PreparedDraft.objects.values_list("issue_date", flat=True)) == [tomorrow]
