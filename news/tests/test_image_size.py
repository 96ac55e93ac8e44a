"""Photos past Lisa's Top Ten's pixel limit (``WAGTAILIMAGES_MAX_IMAGE_PIXELS``, 64
megapixels) are refused at upload, read from the header and never decoded, with the size to
resize them to; one already stored past it is not decoded for a page either."""

import io

import pytest
from bs4 import BeautifulSoup
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from news.factories import CaptionedImageFactory
from news.models import CaptionedImage

pytestmark = pytest.mark.django_db


def huge_jpeg(size=(11_000, 11_000)):
    """An 11,000 x 11,000 JPEG of one grey: about 375 kB, 121 megapixels."""
    buffer = io.BytesIO()
    Image.new("L", size, 128).save(buffer, "JPEG", quality=50)
    return buffer.getvalue()


def test_a_photo_past_the_pixel_limit_is_refused_with_the_size_to_resize_to(editor_client):
    response = editor_client.post("/admin/images/add/", {
        "title": "Huge", "description": "", "collection": 1,
        "file": SimpleUploadedFile("huge.jpg", huge_jpeg(), content_type="image/jpeg")})

    assert response.status_code == 200
    error = " ".join(node.get_text(" ", strip=True) for node in
                     BeautifulSoup(response.content, "html.parser").select(".error-message"))
    assert "11,000 × 11,000 (121 megapixels)" in error, error
    assert "up to 64 megapixels" in error
    assert "Resize it to at most 8,000 × 8,000 pixels" in error
    assert not CaptionedImage.objects.exists()


def test_a_photo_at_the_limit_is_accepted(editor_client):
    buffer = io.BytesIO()
    Image.new("1", (8_000, 8_000)).save(buffer, "PNG")

    response = editor_client.post("/admin/images/add/", {
        "title": "At the limit", "description": "", "collection": 1,
        "file": SimpleUploadedFile("limit.png", buffer.getvalue(), content_type="image/png")})

    assert response.status_code == 302
    assert CaptionedImage.objects.get(title="At the limit").width == 8_000


def test_a_stored_photo_past_the_limit_is_not_decoded_for_the_page(client, make_article):
    image = CaptionedImageFactory(file=ImageFile(io.BytesIO(huge_jpeg()), name="huge.jpg"))
    article = make_article(title="Huge photo", lead_image=image)

    response = client.get(article.url)

    assert response.status_code == 200
    assert not image.renditions.exists()
