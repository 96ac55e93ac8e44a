"""The site the daily-issue tests work in: a home page with the news and the issue archive
under it, ten published articles, and readers on the Daily list."""

from news.factories import ArticlePageFactory, NewsIndexPageFactory
from newsletter.factories import IssueIndexPageFactory

from .pages import make_home_page


def make_site():
    """``(news_index, issue_index)`` under a new home page that is the default site's root."""
    home = make_home_page()
    return NewsIndexPageFactory(parent=home), IssueIndexPageFactory(parent=home)


def make_articles(news_index, count=10):
    return [ArticlePageFactory(parent=news_index, title=f"Story number {n}")
            for n in range(1, count + 1)]
