"""A photo stored past Lisa's Top Ten's pixel limit (``WAGTAILIMAGES_MAX_IMAGE_PIXELS``, 64
megapixels) is not decoded for a page (uploads past it are refused:
``core/tests/test_uploads.py``)."""

import io

import pytest
from django.core.files.images import ImageFile

from core.tests.photos import huge_jpeg
from news.factories import CaptionedImageFactory

pytestmark = pytest.mark.django_db


def test_a_stored_photo_past_the_limit_is_not_decoded_for_the_page(client, make_article):
    image = CaptionedImageFactory(file=ImageFile(io.BytesIO(huge_jpeg()), name="huge.jpg"))
    article = make_article(title="Huge photo", lead_image=image)

    response = client.get(article.url)

    assert response.status_code == 200
    assert not image.renditions.exists()
