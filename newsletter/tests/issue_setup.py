"""The articles of the daily-issue tests: ten published stories, "Story number 1" to "Story
number 10" (the site they go in is the root conftest's page tree)."""

from news.factories import ArticlePageFactory


def make_articles(news_index, count=10, **fields):
    return [
        ArticlePageFactory(parent=news_index, title=f"Story number {n}", **fields)
        for n in range(1, count + 1)
    ]
