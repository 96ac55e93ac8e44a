"""The news index: every article, newest first, with a page per section and per tag."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from taggit.models import Tag
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from core.pagecache.privacy import FastPrivacyMixin, public

from .article import ArticlePage, as_cards, with_card_renditions
from .kept import KEPT_ARTICLES, kept
from .taxonomy import Section

PER_PAGE = 12


class NewsIndexPage(FastPrivacyMixin, RoutablePageMixin, Page):
    """The list of all stories; articles live under it."""

    intro = models.TextField(blank=True, help_text="One sentence shown above the list of stories.")

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["news.ArticlePage"]
    max_count = 1

    class Meta:
        verbose_name = "news index"

    def articles(self):
        return as_cards(
            public(ArticlePage.objects.live()).descendant_of(self).order_by("-date", "-pk")
        )

    def route(self, request, path_components):
        # An article is routed to with everything its page shows already loaded, and kept so
        # until the content generation changes (news.models.kept): no query for a reader.
        if self.live and len(path_components) == 1:
            slug = path_components[0]
            article = kept(
                "articles", (self.pk, slug), lambda: self.find_article(slug), KEPT_ARTICLES
            )
            if article is not None:
                return article.route(request, [])  # a draft: 404
        return super().route(request, path_components)

    def find_article(self, slug):
        """The article at ``slug`` under this index (live or not), or None; a live one with
        all its page shows loaded (``ArticlePage.load_for_readers``)."""
        # A slug is unique among siblings: no ORDER BY, as .first() would add.
        found = (
            ArticlePage.objects.child_of(self)
            .filter(slug=slug)
            .select_related("section", "lead_image")
        )[:1]
        article = next(iter(found), None)
        if article is not None and article.live:
            article._cached_parent_obj = self
            article.load_for_readers()
        return article

    def get_cached_paths(self):
        """For a CDN purge (core.pagecache.purge): the index and every section page."""
        return [
            "/",
            *(
                self.reverse_subpage("section", args=[slug])
                for slug in Section.objects.values_list("slug", flat=True)
            ),
        ]

    def paginate(self, request, articles):
        paginator = Paginator(articles, PER_PAGE)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page = paginator.page(1)
        except EmptyPage as error:
            raise Http404("No such page of stories") from error
        page.object_list = with_card_renditions(page.object_list)
        return page

    def render_list(self, request, articles, **extra):
        context = {"articles": self.paginate(request, articles), **extra}
        return self.render(request, context_overrides=context)

    @path("")
    def all_articles(self, request):
        return self.render_list(request, self.articles())

    @path("section/<slug:slug>/", name="section")
    def section(self, request, slug):
        section = get_object_or_404(Section, slug=slug)
        return self.render_list(request, self.articles().filter(section=section), section=section)

    @path("tag/<slug:slug>/", name="tag")
    def tag(self, request, slug):
        tag = get_object_or_404(Tag, slug=slug)
        return self.render_list(request, self.articles().filter(tags=tag), tag=tag)
