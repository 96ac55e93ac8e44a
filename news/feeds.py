"""RSS and Atom feeds of the newest articles."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from wagtail.models import Site

from core.pagecache.privacy import public
from news.models import ArticlePage

FEED_LENGTH = 30


class LatestArticlesFeed(Feed):
    link = "/"

    def title(self, site):
        return f"{getattr(site, 'site_name', '') or 'Top Ten'}: latest stories"

    def description(self, site):
        return f"The newest stories from {getattr(site, 'site_name', '') or 'Top Ten'}."

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return Site.find_for_request(request)

    def items(self, site):
        pages = public(ArticlePage.objects.live()).select_related("section")
        return pages.order_by("-date", "-pk")[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_url(request=self.request)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.last_published_at or item.published_at

    def item_categories(self, item):
        return [item.section.name] if item.section else []


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed

    def subtitle(self, site):
        return self.description(site)
