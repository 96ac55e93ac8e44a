from django.templatetags.static import static
from django.urls import path
from django.utils.html import format_html
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from news.admin_views import photo_words
from news.models import Author, Section
from news.viewsets import ArticleViewSet

register_snippet(Section)
register_snippet(Author)


@hooks.register("register_admin_viewset")
def register_article_listing():
    return ArticleViewSet()


@hooks.register("construct_page_chooser_queryset")
def page_chooser_statuses_in_bulk(pages, request):
    """The page chooser (an article's Related Story and Related Posts) shows each page's
    status: read every row's scheduled revision and workflow in one query each, as Wagtail's
    own page listings do, not three queries a row."""
    return pages.annotate_approved_schedule().prefetch_workflow_states()


@hooks.register("register_admin_urls")
def register_photo_words_url():
    return [path("news/photos/<int:pk>/words/", photo_words, name="news_photo_words")]


@hooks.register("insert_editor_js")
def photo_words_follow_the_photo():
    """The greyed caption and credit follow the photo chosen (news/forms.py fills them)."""
    return format_html('<script src="{}"></script>', static("news/admin/photo-words.js"))
