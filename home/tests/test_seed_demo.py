"""seed_demo builds the demo publication, and running it again changes nothing."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from taggit.models import Tag
from wagtail.models import Page, Revision, Site

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

DEFENCE_SLUG = "austin-rallies-allies-to-keep-weapons-flowing-to-ukraine"
COUNTED = [Page, HomePage, NewsIndexPage, ArticlePage, ArticleRelatedPost, ArticlePageTag, Tag,
           Revision, CaptionedImage, Section, Author, Site, PublicationSettings, User, Group]


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

        assert all(page.lead_image and page.image_caption and page.image_credit
                   for page in articles)
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
