"""Photos leave the site without what the camera wrote into them (GPS position, maker,
photographer, XMP, IPTC, comments), and the right way up: every rendition the article page
shows, and its og:image. The upload as stored and served: ``core/tests/test_uploads.py``; the
frozen email copies: ``newsletter/tests/test_issue_images.py``."""

import io

import pytest
from bs4 import BeautifulSoup
from django.core.files.images import ImageFile

from core.tests.photos import (
    assert_upright_without_metadata,
    media_bytes,
    metadata_in,
    photo_with_metadata,
    upload,
)
from news.factories import CaptionedImageFactory

pytestmark = pytest.mark.django_db


def stored_before_the_fix(kind="jpeg"):
    """A photo saved with all its metadata, as uploads were before metadata was stripped."""
    return CaptionedImageFactory(
        title="At the source's house",
        file=ImageFile(io.BytesIO(photo_with_metadata(kind)), name=f"source.{kind}"),
    )


def page_image_urls(response):
    soup = BeautifulSoup(response.content, "html.parser")
    urls = {soup.find("meta", property="og:image")["content"]}
    for tag in soup.select("picture source, picture img"):
        for candidate in (tag.get("srcset") or tag.get("src")).split(","):
            urls.add(candidate.split()[0])
    return urls


@pytest.mark.parametrize("source", ["uploaded", "stored before the fix"])
@pytest.mark.parametrize("kind", ["jpeg", "png"])
def test_the_article_page_and_its_og_image_show_no_metadata(
    client, editor_client, make_article, source, kind
):
    image = upload(editor_client, kind)[0] if source == "uploaded" else stored_before_the_fix(kind)
    article = make_article(title="Where it happened", lead_image=image)

    urls = page_image_urls(client.get(article.url))

    # og:image (cropped to 1200x630), and width-720 and width-1440 as WebP and JPEG
    assert len(urls) == 5, urls
    for url in urls:
        assert metadata_in(media_bytes(url)) == []
    for url in urls - {soup_og_image(client.get(article.url))}:
        assert_upright_without_metadata(media_bytes(url))


def soup_og_image(response):
    return BeautifulSoup(response.content, "html.parser").find("meta", property="og:image")[
        "content"
    ]


def test_cards_of_a_photo_stored_before_the_fix_show_no_metadata(client, make_article):
    make_article(title="Where it happened", lead_image=stored_before_the_fix())

    soup = BeautifulSoup(client.get("/search/", {"q": "happened"}).content, "html.parser")
    urls = {
        candidate.split()[0]
        for tag in soup.select(".cards picture source, .cards img")
        for candidate in (tag.get("srcset") or tag.get("src")).split(",")
    }

    assert len(urls) == 4, urls
    for url in urls:
        assert metadata_in(media_bytes(url)) == []
