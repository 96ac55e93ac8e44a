"""The page chooser an article's Related Story and Related Posts open: the news list with each
article's status, read in bulk (news/wagtail_hooks.py), so the list costs the same queries
for its scheduling and workflow whether it shows three articles or twelve."""

import json

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def choose(client, news_index):
    """The chooser's list of the news index's articles: ``(rows' text, queries)``."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(
            f"/admin/choose-page/{news_index.pk}/", {"page_type": "news.articlepage"}
        )
    assert response.status_code == 200
    html = BeautifulSoup(json.loads(response.content)["html"], "html.parser")
    rows = [" ".join(row.get_text(" ").split()) for row in html.select("tbody tr")]
    return rows, [query["sql"] for query in captured.captured_queries]


def per_row(queries):
    """Queries of the rows' status: a scheduled revision, a workflow in progress."""
    return [
        sql
        for sql in queries
        if 'FROM "wagtailcore_revision"' in sql or 'FROM "wagtailcore_workflowstate"' in sql
    ]


def test_the_rows_status_is_read_in_bulk(editor_client, make_article, news_index):
    for n in range(3):
        make_article(title=f"Few articles {n}")
    rows, few = choose(editor_client, news_index)
    assert len(rows) == 1 + 3  # the news index itself, then its articles
    for n in range(9):
        make_article(title=f"More articles {n}")

    rows, many = choose(editor_client, news_index)

    assert len(rows) == 1 + 12
    assert len(per_row(many)) == len(per_row(few)) <= 4


def test_the_chooser_still_shows_a_draft_as_a_draft(editor_client, make_article, news_index):
    make_article(title="Published story")
    draft = make_article(title="Story still in draft")
    draft.unpublish()

    rows, _ = choose(editor_client, news_index)

    [draft_row] = [row for row in rows if "Story still in draft" in row]
    assert "Draft" in draft_row or "draft" in draft_row
    [live_row] = [row for row in rows if "Published story" in row]
    assert "draft" not in live_row.lower()
