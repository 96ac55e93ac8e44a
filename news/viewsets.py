"""The admin's Articles menu: every article in one flat list, newest change first, with
search, filters and a "New article" button that opens the add form under the news index
(Wagtail's page listing for one page type, ``PageListingViewSet``)."""

from django.urls import reverse
from wagtail.admin.views.pages.listing import IndexView
from wagtail.admin.viewsets.pages import PageListingViewSet

from news.models import ArticlePage, NewsIndexPage


def new_article_url():
    """Wagtail's "add an article" form under the news index, or None without one."""
    index = NewsIndexPage.objects.order_by("path").only("pk").first()
    if index is None:
        return None
    return reverse("wagtailadmin_pages:add", args=["news", "articlepage", index.pk])


class ArticleIndexView(IndexView):
    add_item_label = "New article"

    def get_add_url(self):
        # Straight to the form when there is a news index; else Wagtail asks where to put it.
        return new_article_url() or super().get_add_url()


class ArticleViewSet(PageListingViewSet):
    model = ArticlePage
    index_view_class = ArticleIndexView
    name = "articles"
    url_prefix = "articles"
    icon = "doc-full-inverse"
    menu_label = "Articles"
    menu_order = 150  # after Pages, before the Newsletter menu
    add_to_admin_menu = True
