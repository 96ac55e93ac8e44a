"""The email's pictures, frozen into ``media/issues/<date>/`` when an issue is sent, carry no
GPS position, camera or photographer metadata, even from a photo stored with all of it."""

import datetime
import io

import pytest
from bs4 import BeautifulSoup
from django.core.files.images import ImageFile

from core.tests.photos import media_bytes, metadata_in, photo_with_metadata
from news.factories import ArticlePageFactory, CaptionedImageFactory
from newsletter.factories import IssuePageFactory
from newsletter.issues.rendering import build_snapshot

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 23)


def test_the_frozen_email_images_carry_no_metadata(news_index, archive):
    photo = CaptionedImageFactory(
        file=ImageFile(io.BytesIO(photo_with_metadata()), name="source.jpg")
    )
    articles = [
        ArticlePageFactory(parent=news_index, title=f"Story {n}", lead_image=photo)
        for n in range(1, 11)
    ]
    issue = IssuePageFactory(parent=archive, articles=articles, issue_date=DAY)

    snapshot = build_snapshot(issue)

    sources = [
        img["src"]
        for img in BeautifulSoup(snapshot.html, "html.parser").find_all("img")
        if "/issues/2026-11-23/" in img["src"]
    ]
    assert len(sources) == 10
    for src in sources:
        assert metadata_in(media_bytes(src)) == []
