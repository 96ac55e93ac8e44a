"""seed_demo builds the demo publication, and running it again changes nothing."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Page, Revision, Site
from wagtail_newsletter.models import NewsletterRecipients

from home.models import HomePage, PublicationSettings
from news.models import (
    ArticlePage,
    ArticlePageTag,
    ArticleRelatedPost,
    Author,
    CaptionedImage,
    NewsIndexPage,
    Section,
)
from newsletter.factories import SubscriberFactory, daily_list, top_up_subscribers
from newsletter.issues.preparing import prepare_if_due
from newsletter.issues.rendering import render_issue_html
from newsletter.models import (
    IssueIndexPage,
    IssuePage,
    IssueSnapshot,
    IssueStory,
    NewsletterSettings,
    Subscriber,
)
from newsletter.rules import sending_problems

DEFENCE_SLUG = "austin-rallies-allies-to-keep-weapons-flowing-to-ukraine"
COUNTED = [
    Page,
    HomePage,
    NewsIndexPage,
    ArticlePage,
    ArticleRelatedPost,
    ArticlePageTag,
    Tag,
    Revision,
    CaptionedImage,
    Section,
    Author,
    Site,
    PublicationSettings,
    User,
    Group,
]


@pytest.fixture(scope="module", autouse=True)
def media_root(tmp_path_factory):
    """Drawn photos go to a temporary folder, not the shared test media."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


def seed_demo():
    output = StringIO()
    call_command("seed_demo", stdout=output)
    return output.getvalue()


def counts():
    return {model._meta.label: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """Seeds once per test class, in a transaction rolled back after the class's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(demo, db):
    return demo


@pytest.mark.django_db
def test_running_twice_creates_nothing_new():
    seed_demo()
    first = counts()
    output = seed_demo()

    assert counts() == first
    assert first["news.ArticlePage"] >= 15
    assert first["news.CaptionedImage"] >= first["news.ArticlePage"]
    assert first["news.Section"] == 6
    assert first["auth.User"] == 3
    assert "articles: 0 created" in output


class TestDemoContent:
    """What the seeded demo contains (seeded once for all of these tests)."""

    def test_defence_article_has_its_photo_credit_and_related_reading(self, seeded):
        page = ArticlePage.objects.get(slug=DEFENCE_SLUG)

        assert page.live and page.first_published_at is not None
        assert page.image_caption == "Secretary of Defense Lloyd Austin."
        assert page.image_credit == "cnn.com"
        story = page.get_related_story()
        assert story is not None and story.live and story.pk != page.pk
        assert page.related_posts.count() == 2
        picks = [link.post for link in page.related_posts.all()]
        related = page.get_related_posts()
        assert related[:2] == picks and len(related) == 3  # the third is filled in
        assert {"image", "quote"} <= {block.block_type for block in page.body}

    def test_other_articles_have_photos_credits_and_related_stories(self, seeded):
        articles = ArticlePage.objects.live()

        assert all(
            page.lead_image and page.image_caption and page.image_credit for page in articles
        )
        assert articles.filter(related_story__isnull=False).count() >= 4
        assert len({page.lead_image_id for page in articles}) == articles.count()

    def test_home_page_is_the_default_sites_root(self, seeded):
        site = Site.objects.get(is_default_site=True)

        assert isinstance(site.root_page.specific, HomePage)
        assert site.root_page.title == "Home"
        assert (site.hostname, site.port) == ("localhost", 80)
        assert Page.objects.filter(depth=2).count() == 1  # Wagtail's Welcome page is gone
        news = NewsIndexPage.objects.get(slug="news")
        assert news.get_parent().pk == site.root_page.pk

    def test_publication_settings(self, seeded):
        publication = PublicationSettings.for_site(Site.objects.get(is_default_site=True))

        assert publication.name == "Lisa's Top Ten"
        assert publication.tagline == "The daily email that brings you the world."
        assert "Home of Lisa's Top Ten, the daily email that brings you the world." in (
            publication.pitch
        )
        assert "The first task of the day" in publication.pitch

    def test_development_accounts(self, seeded):
        admin = User.objects.get(username="admin")
        editor = User.objects.get(username="editor")
        moderator = User.objects.get(username="moderator")

        assert admin.is_superuser and admin.check_password("admin")
        assert not editor.is_superuser and editor.check_password("editor")
        assert list(editor.groups.values_list("name", flat=True)) == ["Editors"]
        assert list(moderator.groups.values_list("name", flat=True)) == ["Moderators"]
        assert editor.has_perm("wagtailadmin.access_admin")
        assert "admin / admin" in seeded


@pytest.mark.django_db
def test_refuses_to_run_outside_development(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "a-production-key-" * 4

    with pytest.raises(CommandError, match="development"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()


@pytest.mark.django_db
def test_the_worker_prepares_the_demos_tomorrow_after_the_hour(settings):
    """``make run``'s worker, past NEWSLETTER_PREPARE_AT: tomorrow's draft of the demo
    articles today's issue doesn't hold, going to the same readers."""
    settings.NEWSLETTER_PREPARE_AT = "17:00"
    output = seed_demo()
    assert "Tomorrow's draft: the task worker (make run starts it) prepares it from 17:00" in (
        output
    )
    today = IssuePage.objects.get(issue_date=timezone.localdate())
    evening = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(17, 0))
    )

    draft = prepare_if_due(evening)

    assert draft.issue_date == timezone.localdate() + datetime.timedelta(days=1)
    assert not draft.live and draft.newsletter_recipients == today.newsletter_recipients
    todays = {story.article_id for story in today.stories.all()}
    stories = [story.article for story in draft.stories.all()]
    assert stories and not todays & {article.pk for article in stories}
    assert len(stories) == min(10, ArticlePage.objects.live().count() - len(todays))
    assert prepare_if_due(evening) is None  # once a day
    seed_demo()  # seeding again leaves the draft as it is
    assert IssuePage.objects.count() == 2 and draft.stories.count() == len(stories)


class TestDemoIssue:
    """Today's issue, its archive and its readers (seeded once for all of these tests)."""

    def test_todays_issue_is_published_with_the_ten_newest_stories_and_not_sent(self, seeded):
        issue = IssuePage.objects.get(issue_date=timezone.localdate())
        newest = ArticlePage.objects.live().order_by("-date", "-first_published_at", "-pk")

        assert issue.live and not issue.has_unpublished_changes
        assert sending_problems(issue) == []
        assert [story.article_id for story in issue.stories.all()] == [
            article.pk for article in newest[:10]
        ]
        assert not IssueSnapshot.objects.exists()
        assert issue.get_parent().specific == IssueIndexPage.objects.get(slug="issues")
        assert issue.get_parent().get_parent().specific_class is HomePage
        assert "Issue of" in seeded

    def test_the_issue_goes_to_the_daily_readers(self, seeded):
        issue = IssuePage.objects.get(issue_date=timezone.localdate())

        assert issue.newsletter_recipients.name == "Daily readers"
        assert issue.newsletter_recipients.audience == str(daily_list().pk)
        assert issue.newsletter_recipients.segment in (None, "")

    def test_a_few_confirmed_readers_and_a_postal_address(self, seeded):
        readers = daily_list().members()

        assert readers.count() == 5
        assert all(reader.confirmed_at and reader.consent_at for reader in readers)
        assert "London" in NewsletterSettings.load().postal_address

    def test_the_issue_renders_as_an_email_and_is_public_once_sent(self, seeded, client):
        issue = IssuePage.objects.get(issue_date=timezone.localdate())
        html = render_issue_html(issue)

        assert html.count("<h2") == 10 and len(html.encode()) < 102 * 1024
        assert client.get(f"/issues/{issue.issue_date.isoformat()}/").status_code == 404


def daily_readers():
    return daily_list().members().count()


def seeded_counts():
    return [
        model.objects.count()
        for model in (IssueIndexPage, IssuePage, IssueStory, Subscriber, NewsletterRecipients)
    ]


@pytest.mark.django_db
def test_subscribers_option_tops_the_daily_list_up_to_exactly_n():
    SubscriberFactory(email="reader00002@example.com", status=Subscriber.Status.UNSUBSCRIBED)
    output = StringIO()
    call_command("seed_demo", "--subscribers", "12", stdout=output)

    assert daily_readers() == 12
    assert "7 added in bulk in" in output.getvalue()
    bulk = Subscriber.objects.filter(email__startswith="reader0").order_by("email")
    assert [reader.email for reader in bulk][:3] == [
        "reader00001@example.com",
        "reader00002@example.com",
        "reader00003@example.com",
    ]
    assert Subscriber.objects.get(email="reader00002@example.com").status == "unsubscribed"
    assert Subscriber.objects.get(email="reader00008@example.com").lists.get().slug == "daily"

    before = seeded_counts()
    call_command("seed_demo", "--subscribers", "12", stdout=StringIO())
    assert seeded_counts() == before  # running again adds nothing

    call_command("seed_demo", "--subscribers", "15", "--quiet", stdout=StringIO())
    assert daily_readers() == 15


@pytest.mark.django_db
def test_fewer_subscribers_than_the_demo_readers():
    call_command("seed_demo", "--subscribers", "3", "--quiet", stdout=StringIO())

    assert daily_readers() == 3
    with pytest.raises(CommandError, match="0 or more"):
        call_command("seed_demo", "--subscribers", "-1", stdout=StringIO())


@pytest.mark.django_db
def test_bulk_top_up_works_in_batches():
    assert top_up_subscribers(daily_list(), 25, batch_size=10) == 25
    assert top_up_subscribers(daily_list(), 25, batch_size=10) == 0
    assert daily_readers() == 25
    assert Subscriber.lists.through.objects.count() == 25
