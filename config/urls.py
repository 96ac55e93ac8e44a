from django.conf import settings
from django.urls import include, path
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from core.admin_auth import ThrottledPasswordResetView
from home.views import favicon
from news.feeds import LatestArticlesAtomFeed, LatestArticlesFeed
from news.views import search
from newsletter.views.clicks import click, click_in_copy
from newsletter.views.opens import pixel

urlpatterns = [
    # Wagtail's own view, with a rate limit (core.admin_auth); the rest of the reset is Wagtail's.
    path(
        "admin/password_reset/",
        ThrottledPasswordResetView.as_view(),
        name="wagtailadmin_password_reset",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search, name="search"),
    path("feed/", LatestArticlesFeed(), name="feed"),
    path("feed/atom/", LatestArticlesAtomFeed(), name="feed-atom"),
    path("sitemap.xml", sitemap, name="sitemap"),
    # A link in a sent issue (newsletter.views.clicks): before Wagtail's catch-all.
    path("r/<str:token>/", click, name="newsletter_click"),
    path("r/<str:key>/<int:link_id>/", click_in_copy, name="newsletter_click_in_copy"),
    path("o/<str:token>.gif", pixel, name="open-pixel"),
    path("favicon.ico", favicon, name="favicon"),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("newsletter/", include("newsletter.urls"))]
urlpatterns += [path("", include(wagtail_urls))]
