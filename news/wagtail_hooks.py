from wagtail import hooks
from wagtail.snippets.models import register_snippet

from news.models import Author, Section
from news.viewsets import ArticleViewSet

register_snippet(Section)
register_snippet(Author)


@hooks.register("register_admin_viewset")
def register_article_listing():
    return ArticleViewSet()
