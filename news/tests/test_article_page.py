"""What a reader sees on an article page: the photo's caption and credit, related reading."""

import datetime
import json

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.pagecache.generation import forget_memos
from news.factories import CaptionedImageFactory, SectionFactory

# SQL queries of an article page's first view after a change (see count_queries).
COLD = 13


def read(client, page):
    response = client.get(page.url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.django_db
def test_lead_image_shows_the_photos_caption_and_credit(client, make_article):
    image = CaptionedImageFactory(caption="Secretary of Defense Lloyd Austin.", credit="cnn.com")
    article = make_article(title="Austin rallies allies", lead_image=image)

    figure = read(client, article).select_one("figure.lead-image")

    assert figure.find("picture")
    caption = figure.find("figcaption")
    assert caption.get_text(" ", strip=True) == "Secretary of Defense Lloyd Austin. cnn.com"
    assert caption.select_one(".credit").get_text(strip=True) == "cnn.com"


@pytest.mark.django_db
def test_article_overrides_the_photos_caption_and_credit(client, make_article):
    image = CaptionedImageFactory(caption="Library caption.", credit="cnn.com")
    article = make_article(
        lead_image=image,
        lead_image_caption="Austin in Brussels on Monday.",
        lead_image_credit="reuters.com",
    )

    caption = read(client, article).select_one("figure.lead-image figcaption")

    assert caption.get_text(" ", strip=True) == "Austin in Brussels on Monday. reuters.com"
    image.refresh_from_db()
    assert image.caption == "Library caption."


@pytest.mark.django_db
def test_credit_links_to_the_credit_url(client, make_article):
    image = CaptionedImageFactory(credit="cnn.com", credit_url="https://edition.cnn.com/photo")
    article = make_article(lead_image=image)

    link = read(client, article).select_one("figcaption .credit a")

    assert link["href"] == "https://edition.cnn.com/photo"


@pytest.mark.django_db
def test_no_figure_without_caption_or_credit(client, make_article):
    article = make_article(lead_image=CaptionedImageFactory(caption="", credit=""))

    soup = read(client, article)

    assert soup.select_one(".lead-image picture")
    assert not soup.find("figure")
    assert not soup.find("figcaption")


@pytest.mark.django_db
def test_article_without_an_image_renders(client, make_article):
    article = make_article(lead_image=None)

    soup = read(client, article)

    assert soup.find("h1").get_text(strip=True) == article.title
    assert not soup.select(".lead-image")
    assert not soup.find("meta", property="og:image")


@pytest.mark.django_db
def test_html_in_a_caption_is_escaped(client, make_article):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    article = make_article(lead_image=CaptionedImageFactory(caption=hostile, credit="<b>cnn</b>"))

    response = client.get(article.url)
    soup = BeautifulSoup(response.content, "html.parser")

    assert b'<script>alert("x")' not in response.content
    assert b"onerror=alert(1)>" not in response.content
    assert soup.select_one("figcaption").get_text(" ", strip=True).startswith("<script>")
    ld = soup.find("script", type="application/ld+json")
    assert "</script>" not in ld.string
    assert json.loads(ld.string)["image"]["caption"] == hostile


@pytest.mark.django_db
def test_body_image_block_defaults_to_the_photos_caption(client, make_article):
    image = CaptionedImageFactory(caption="Tanks on parade.", credit="apnews.com")
    article = make_article(
        body=[
            {"type": "paragraph", "value": "<p>First paragraph.</p>"},
            {"type": "image", "value": {"image": image.pk, "caption": "", "credit": ""}},
            {"type": "quote", "value": {"quote": "We stand together.", "attribution": "Austin"}},
        ]
    )

    soup = read(client, article)

    assert soup.select_one(".article__body .rich-text").get_text(strip=True) == "First paragraph."
    caption = soup.select_one("figure.body-image figcaption").get_text(" ", strip=True)
    assert caption == "Tanks on parade. apnews.com"
    assert soup.select_one("blockquote.quote footer").get_text(strip=True) == "Austin"


@pytest.mark.django_db
def test_related_story_line_links_to_the_story(client, make_article):
    other = make_article(title="Allies agree to meet again")
    article = make_article(related_story=other)

    line = read(client, article).select_one(".related-story")

    assert line.get_text(" ", strip=True) == "Related Story: Allies agree to meet again"
    assert client.get(line.find("a")["href"]).status_code == 200


@pytest.mark.django_db
def test_unpublished_or_deleted_related_story_disappears(client, make_article):
    other = make_article(title="Withdrawn story")
    article = make_article(related_story=other)

    other.unpublish()
    assert not read(client, article).select(".related-story")

    other.delete()
    article.refresh_from_db()
    assert article.related_story is None
    assert not read(client, article).select(".related-story")


@pytest.mark.django_db
def test_a_private_related_story_is_not_linked(client, make_article):
    from wagtail.models import PageViewRestriction

    secret = make_article(title="Members-only story")
    article = make_article(related_story=secret, related=[secret])
    PageViewRestriction.objects.create(page=secret, restriction_type="password", password="s3cret")

    soup = read(client, article)

    assert not soup.select(".related-story")
    assert "Members-only story" not in related_titles(soup)


@pytest.mark.django_db
def test_a_related_story_that_is_also_a_related_post_shows_in_both_places(client, make_article):
    other = make_article(title="Both places")
    article = make_article(related_story=other, related=[other])

    soup = read(client, article)

    assert soup.select_one(".related-story a").get_text(strip=True) == "Both places"
    assert related_titles(soup)[0] == "Both places"


def related_titles(soup):
    return [a.get_text(strip=True) for a in soup.select(".related-posts .card__title a")]


@pytest.mark.django_db
def test_related_posts_keep_the_editors_order(client, make_article):
    first, second, third = (make_article(title=t) for t in ("First", "Second", "Third"))
    article = make_article(related=[third, first, second])

    assert related_titles(read(client, article)) == ["Third", "First", "Second"]


@pytest.mark.django_db
def test_related_posts_are_filled_from_section_and_tags_newest_first(client, make_article):
    today = datetime.date.today()
    science = SectionFactory(name="Science", slug="science")
    picked = make_article(title="Picked", section=science)
    make_article(title="Older in section", date=today - datetime.timedelta(days=3))
    make_article(title="Newer in section", date=today - datetime.timedelta(days=1))
    make_article(
        title="Same tag", section=science, tags=["NATO"], date=today - datetime.timedelta(days=2)
    )
    make_article(title="Unrelated", section=science)
    make_article(title="Draft in section", live=False)
    article = make_article(title="The story", related=[picked], tags=["NATO"])

    titles = related_titles(read(client, article))

    assert titles == ["Picked", "Newer in section", "Same tag"]


@pytest.mark.django_db
def test_unpublished_related_posts_are_dropped(client, make_article):
    gone = make_article(title="Gone")
    kept = make_article(title="Kept")
    article = make_article(related=[gone, kept])
    gone.unpublish()

    titles = related_titles(read(client, article))

    assert "Gone" not in titles
    assert titles[0] == "Kept"
    assert "The story" not in titles


@pytest.mark.django_db
def test_drafts_are_never_shown(client, make_article, news_index):
    draft = make_article(title="Secret draft", live=False)

    assert client.get(f"/{draft.slug}/").status_code == 404
    for url in ("/", "/feed/", "/search/?q=Secret", "/sitemap.xml"):
        assert b"Secret draft" not in client.get(url).content, url


@pytest.mark.django_db
def test_structured_data_and_social_tags(client, make_article):
    image = CaptionedImageFactory(caption="Secretary of Defense Lloyd Austin.", credit="cnn.com")
    article = make_article(
        title="Austin rallies allies", lead_image=image, source_url="https://edition.cnn.com/story"
    )

    soup = read(client, article)

    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Austin rallies allies"
    assert data["image"]["creditText"] == "cnn.com"
    assert data["isBasedOn"] == "https://edition.cnn.com/story"
    assert soup.find("meta", property="og:title")["content"] == "Austin rallies allies"
    assert soup.find("meta", property="og:image")["content"].startswith("http://")
    assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"


def count_queries(client, url):
    client.get(url)  # renditions are generated on the first view
    forget_memos()  # as in a process that hasn't served this generation yet
    counts = []
    for _ in ("cold", "warm"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries.captured_queries))
    return counts


@pytest.mark.django_db
def test_article_query_count_does_not_grow_with_related_posts(client, make_article):
    stories = [make_article(title=f"Story {n}") for n in range(6)]
    few = make_article(
        title="Few",
        related=stories[:1],
        tags=["NATO"],
        body=[{"type": "image", "value": {"image": stories[0].lead_image_id}}],
    )
    many = make_article(
        title="Many",
        related=stories[1:3],
        tags=["NATO", "EU"],
        body=[{"type": "image", "value": {"image": s.lead_image_id}} for s in stories],
    )

    # Cold, the first view in a process after a change (13): the site and its root page (2),
    # the article with its section and lead image, its tags, authors and related-post links,
    # whether any page is private, the related story and posts with their sections and images,
    # their renditions, the photos in the body, the lead and body photos' renditions, the two
    # settings rows: the same whatever the number of related posts, tags or photos. Warm,
    # every view after it until the next change: none (news.models.kept).
    assert count_queries(client, few.url) == [COLD, 0]
    assert count_queries(client, many.url) == [COLD, 0]


@pytest.mark.django_db
def test_an_image_whose_file_was_lost_does_not_break_the_page(client, make_article):
    article = make_article(title="Lost photo")
    article.lead_image.file.storage.delete(article.lead_image.file.name)

    response = client.get(article.url)

    assert response.status_code == 200
    assert b"Lost photo" in response.content


@pytest.mark.django_db
def test_a_private_article_stays_private(client, make_article):
    from wagtail.models import PageViewRestriction

    private = make_article(title="Members only")
    client.get("/")  # "no page is private" is remembered...
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="s3cret")

    response = client.get(private.url)  # ...until a restriction is added

    assert b'name="password"' in response.content
    assert private.summary.encode() not in response.content
    assert b"Members only" not in client.get("/").content
    assert b"Members only" not in client.get("/feed/").content
