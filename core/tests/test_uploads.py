"""The admin's image upload form (``core.uploads``): a file that is not a picture is refused in
plain words; a photo past the pixel limit (``WAGTAILIMAGES_MAX_IMAGE_PIXELS``, 64 megapixels)
is refused from its header, never decoded, with the size to resize it to; an accepted photo is
stored without what the camera wrote into it (GPS position, maker, photographer, XMP, IPTC,
comments) and the right way up (``core.images``). The pictures readers get:
``news/tests/test_image_metadata.py`` and ``news/tests/test_image_size.py``."""

import io

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from wagtail.images import get_image_model

from .photos import assert_upright_without_metadata, huge_jpeg, media_bytes, upload

pytestmark = pytest.mark.django_db


def images():
    return get_image_model().objects


def test_a_file_that_is_not_an_image_is_refused_with_a_message(editor_client):
    fake = SimpleUploadedFile("notes.jpg", b"not really a jpeg", content_type="image/jpeg")

    response = editor_client.post(
        "/admin/images/add/",
        {
            "title": "Fake",
            "file": fake,
            "description": "x",
            "collection": 1,
        },
    )

    assert response.status_code == 200
    assert b"Upload a valid image" in response.content or b"Not a valid" in response.content
    assert not images().filter(title="Fake").exists()


# The pixel limit -----------------------------------------------------------------------------


def test_a_photo_past_the_pixel_limit_is_refused_with_the_size_to_resize_to(editor_client):
    response = editor_client.post(
        "/admin/images/add/",
        {
            "title": "Huge",
            "description": "",
            "collection": 1,
            "file": SimpleUploadedFile("huge.jpg", huge_jpeg(), content_type="image/jpeg"),
        },
    )

    assert response.status_code == 200
    error = " ".join(
        node.get_text(" ", strip=True)
        for node in BeautifulSoup(response.content, "html.parser").select(".error-message")
    )
    assert "11,000 × 11,000 (121 megapixels)" in error, error
    assert "up to 64 megapixels" in error
    assert "Resize it to at most 8,000 × 8,000 pixels" in error
    assert not images().exists()


def test_a_photo_at_the_limit_is_accepted(editor_client):
    buffer = io.BytesIO()
    Image.new("1", (8_000, 8_000)).save(buffer, "PNG")

    response = editor_client.post(
        "/admin/images/add/",
        {
            "title": "At the limit",
            "description": "",
            "collection": 1,
            "file": SimpleUploadedFile("limit.png", buffer.getvalue(), content_type="image/png"),
        },
    )

    assert response.status_code == 302
    assert images().get(title="At the limit").width == 8_000


# Metadata ------------------------------------------------------------------------------------


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

    response = editor_client.post(
        "/admin/images/add/",
        {
            "title": "Plain",
            "description": "",
            "collection": 1,
            "file": SimpleUploadedFile("plain.jpg", buffer.getvalue(), content_type="image/jpeg"),
        },
    )

    assert response.status_code == 302
    assert media_bytes(images().get(title="Plain").file.url) == buffer.getvalue()
