"""Anonymous readers get pages from the cache; any change readers would see clears it."""

import pytest
from django.test import Client
from wagtail.models import Site

from home.models import PublicationSettings


@pytest.fixture(autouse=True)
def page_cache(settings, tmp_path):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_GENERATION_FILE = tmp_path / "generation"


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestPageCache:
    """Transactional, because the cache is cleared when the change is committed."""

    def test_second_visit_is_served_from_the_cache(
        self, client, make_article, django_assert_num_queries
    ):
        article = make_article(title="Austin rallies allies")
        first = fetch(client, article.url)

        with django_assert_num_queries(0):
            second = fetch(client, article.url)

        assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
        assert second.content == first.content
        assert second["Content-Type"] == first["Content-Type"]

    def test_publishing_a_change_shows_at_once_on_the_article_and_home(self, client, make_article):
        article = make_article(title="Old headline")
        fetch(client, article.url), fetch(client, "/")

        article.title = "New headline"
        article.save_revision().publish()

        assert b"New headline" in fetch(client, article.url).content
        assert b"New headline" in fetch(client, "/").content

    def test_unpublished_and_deleted_pages_leave_at_once(self, client, make_article):
        gone, deleted = make_article(title="Gone story"), make_article(title="Deleted story")
        url = deleted.url
        fetch(client, "/"), fetch(client, url)

        gone.unpublish()
        assert b"Gone story" not in fetch(client, "/").content

        deleted.delete()
        assert client.get(url).status_code == 404
        assert b"Deleted story" not in fetch(client, "/").content

    def test_drafts_do_not_clear_the_cache(self, client, make_article):
        article = make_article(title="Live headline")
        fetch(client, article.url)

        article.title = "Draft headline"
        article.save_revision()

        response = fetch(client, article.url)
        assert response["X-Page-Cache"] == "hit"
        assert b"Draft headline" not in response.content

    def test_a_changed_photo_or_setting_clears_the_cache(self, client, make_article):
        article = make_article()
        fetch(client, article.url)

        article.lead_image.caption = "A corrected caption."
        article.lead_image.save()
        assert b"A corrected caption." in fetch(client, article.url).content

        settings = PublicationSettings.for_site(Site.objects.get(is_default_site=True))
        settings.tagline = "A brand new tagline."
        settings.save()
        assert b"A brand new tagline." in fetch(client, "/").content

    def test_editors_are_never_served_or_stored(self, client, make_article, django_user_model):
        article = make_article()
        editor = Client()
        editor.force_login(django_user_model.objects.create_superuser("ed", "e@x.org", "pw"))

        response = fetch(editor, article.url)
        assert "X-Page-Cache" not in response
        assert fetch(client, article.url)["X-Page-Cache"] == "miss"
        assert "X-Page-Cache" not in fetch(editor, article.url)

    def test_sign_up_form_works_on_a_cached_page(self, client, home_page, mailoutbox):
        fetch(client, "/")
        cached = fetch(client, "/")
        assert cached["X-Page-Cache"] == "hit"
        assert not cached.cookies

        response = client.post(
            "/newsletter/subscribe/", {"email": "reader@example.org", "source_url": "/"}
        )

        assert response.status_code in (200, 302)
        assert len(mailoutbox) == 1
        assert "X-Page-Cache" not in response

    def test_errors_and_searches_are_not_cached(self, client, home_page):
        assert client.get("/no-such-page/").status_code == 404
        assert "X-Page-Cache" not in client.get("/no-such-page/")
        assert "X-Page-Cache" not in client.get("/search/?q=austin")
