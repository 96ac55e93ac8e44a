"""An editor who is not a superuser writes and publishes an article in the Wagtail admin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.blocks import Block
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from news.factories import CaptionedImageFactory, draw_image
from news.models import ArticlePage, CaptionedImage


def article_form(title, image, related_story, related_posts, section, action="action-publish"):
    return nested_form_data(
        {
            "title": title,
            "slug": "austin-rallies-allies",
            "summary": "The Pentagon chief says allies will meet again next month.",
            "lead_image": image.pk,
            "lead_image_caption": "",
            "lead_image_credit": "",
            "body": streamfield(
                [
                    ("paragraph", rich_text("<p>Defence ministers met in Brussels.</p>")),
                    ("quote", {"quote": "We stand together.", "attribution": "Lloyd Austin"}),
                ]
            ),
            "related_story": related_story.pk,
            "related_posts": inline_formset([{"post": p.pk} for p in related_posts]),
            "date": "2026-11-23",
            "section": section.pk,
            "authors": [],
            "tags": "NATO, Defence",
            "source_url": "https://edition.cnn.com/politics/austin",
            "source_name": "CNN",
            action: "1",
        }
    )


@pytest.mark.django_db
def test_editor_creates_and_publishes_an_article(
    editor, editor_client, news_index, make_article, europe
):
    assert not editor.is_superuser
    image = CaptionedImageFactory(caption="Secretary of Defense Lloyd Austin.", credit="cnn.com")
    other, picked = make_article(title="Allies agree"), make_article(title="Picked story")

    add_url = f"/admin/pages/add/news/articlepage/{news_index.pk}/"
    assert editor_client.get(add_url).status_code == 200
    response = editor_client.post(
        add_url, article_form("Austin rallies allies", image, other, [picked], europe)
    )

    assert response.status_code == 302, response.content[:3000]
    article = ArticlePage.objects.get(title="Austin rallies allies")
    assert article.live
    assert article.owner == editor
    assert [link.post for link in article.related_posts.all()] == [picked]
    assert sorted(t.name for t in article.tags.all()) == ["Defence", "NATO"]
    page = editor_client.get(article.url).content.decode()
    assert "Secretary of Defense Lloyd Austin." in page
    assert "Related Story:" in page


@pytest.mark.django_db
def test_editor_sees_a_clear_error_for_a_missing_summary(
    editor_client, news_index, europe, make_article
):
    image = CaptionedImageFactory()
    data = article_form("No summary", image, make_article(), [], europe)
    data["summary"] = ""

    response = editor_client.post(f"/admin/pages/add/news/articlepage/{news_index.pk}/", data)

    assert response.status_code == 200
    assert b"This field is required" in response.content
    assert not ArticlePage.objects.filter(title="No summary").exists()


@pytest.mark.django_db
def test_editor_uploads_a_photo_with_caption_and_credit(editor_client):
    upload = SimpleUploadedFile("austin.jpg", draw_image("Austin"), content_type="image/jpeg")

    response = editor_client.post(
        "/admin/images/add/",
        {
            "title": "Austin at the Pentagon",
            "file": upload,
            "description": "Lloyd Austin at a lectern",
            "caption": "Secretary of Defense Lloyd Austin.",
            "credit": "cnn.com",
            "credit_url": "https://edition.cnn.com",
            "collection": 1,
        },
    )

    assert response.status_code == 302
    image = CaptionedImage.objects.get(title="Austin at the Pentagon")
    assert (image.caption, image.credit) == ("Secretary of Defense Lloyd Austin.", "cnn.com")


@pytest.mark.django_db
@pytest.mark.parametrize("block", ["paragraph", "image", "quote"])
def test_block_previews_render_for_editors(editor_client, block):
    CaptionedImageFactory(caption="Secretary of Defense Lloyd Austin.", credit="cnn.com")

    block_def = ArticlePage.body.field.stream_block.child_blocks[block]
    block_id = next(k for k, v in Block.definition_registry.items() if v is block_def)

    response = editor_client.get("/admin/block-preview/", {"id": block_id})

    assert response.status_code == 200
    assert b'href="/static/css/site.css"' in response.content
