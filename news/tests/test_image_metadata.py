"""Photos leave the site without what the camera wrote into them (GPS position, maker,
photographer, XMP, IPTC, comments), and the right way up: the upload as stored and served,
every rendition the article page shows, and its og:image. The frozen email copies:
``newsletter/tests/test_issue_images.py``."""

import io

import pytest
from bs4 import BeautifulSoup
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from news.factories import CaptionedImageFactory
from news.models import CaptionedImage

from .photos import is_red, media_bytes, metadata_in, photo_with_metadata, pixels

pytestmark = pytest.mark.django_db
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def upload(editor_client, kind="jpeg"):
    data = photo_with_metadata(kind)
    response = editor_client.post("/admin/images/add/", {
        "title": "At the source's house", "description": "", "collection": 1,
        "file": SimpleUploadedFile(f"source.{'jpg' if kind == 'jpeg' else kind}", data,
                                   content_type=CONTENT_TYPES[kind])})
    assert response.status_code == 302, response.content.decode()[-2000:]
    return CaptionedImage.objects.get(title="At the source's house"), data


def stored_before_the_fix(kind="jpeg"):
    """A photo saved with all its metadata, as uploads were before metadata was stripped."""
    return CaptionedImageFactory(
        title="At the source's house",
        file=ImageFile(io.BytesIO(photo_with_metadata(kind)), name=f"source.{kind}"))


def assert_upright_without_metadata(data):
    assert metadata_in(data) == []
    size, top, left = pixels(data)
    assert size[0] < size[1]  # shown portrait: the "rotate 90" was applied to the pixels
    assert is_red(top) and not is_red(left)


@pytest.mark.parametrize("kind", ["jpeg", "png", "webp"])
def test_an_uploaded_photo_is_stored_and_served_without_metadata(editor_client, kind):
    image, uploaded = upload(editor_client, kind)

    served = media_bytes(image.file.url)

    assert_upright_without_metadata(served)
    assert (image.width, image.height) == (200, 300)
    with Image.open(io.BytesIO(served)) as opened:
        assert opened.format == kind.upper()  # the editor's format, kept
    assert image.file.name.endswith(f".{'jpg' if kind == 'jpeg' else kind}")
    assert len(served) < len(uploaded) * 1.2  # re-encoded at the photo's own quality


def test_a_photo_without_metadata_is_stored_byte_for_byte(editor_client):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(buffer, "JPEG", quality=93)

    response = editor_client.post("/admin/images/add/", {
        "title": "Plain", "description": "", "collection": 1,
        "file": SimpleUploadedFile("plain.jpg", buffer.getvalue(), content_type="image/jpeg")})

    assert response.status_code == 302
    assert media_bytes(CaptionedImage.objects.get(title="Plain").file.url) == buffer.getvalue()


def page_image_urls(response):
    soup = BeautifulSoup(response.content, "html.parser")
    urls = {soup.find("meta", property="og:image")["content"]}
    for tag in soup.select("picture source, picture img"):
        for candidate in (tag.get("srcset") or tag.get("src")).split(","):
            urls.add(candidate.split()[0])
    return urls


@pytest.mark.parametrize("source", ["uploaded", "stored before the fix"])
@pytest.mark.parametrize("kind", ["jpeg", "png"])
def test_the_article_page_and_its_og_image_show_no_metadata(client, editor_client, make_article,
                                                             source, kind):
    image = upload(editor_client, kind)[0] if source == "uploaded" else \
        stored_before_the_fix(kind)
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
        "content"]


def test_cards_of_a_photo_stored_before_the_fix_show_no_metadata(client, make_article):
    make_article(title="Where it happened", lead_image=stored_before_the_fix())

    soup = BeautifulSoup(client.get("/search/", {"q": "happened"}).content, "html.parser")
    urls = {candidate.split()[0] for tag in soup.select(".cards picture source, .cards img")
            for candidate in (tag.get("srcset") or tag.get("src")).split(",")}

    assert len(urls) == 4, urls
    for url in urls:
        assert metadata_in(media_bytes(url)) == []
