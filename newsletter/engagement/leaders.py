"""Across issues: which sections, authors, photo credits and sources beat their slots, and
the stories of this week that did.

A story is scored by its position index (its click rate over the usual rate of its rank,
``newsletter.engagement.figures``), so a story in slot 9 that doubled slot 9's usual rate
counts for as much as a lead story that doubled slot 1's: the rank an editor gave it is
taken out. A group's score is the mean index of its stories that have one.
"""

import datetime
import statistics

from django.utils import timezone

from news.models import ArticlePage
from newsletter.models import IssueSnapshot

from . import figures as f

WEEK = 7
GROUPS = {
    "section": "Section",
    "author": "Author",
    "credit": "Photo credit",
    "source": "Source",
}


def scored_stories(days):
    """Every story of the issues of the last ``days`` days with its position index, newest
    issue first (eight queries)."""
    start = timezone.localdate() - datetime.timedelta(days=days - 1)
    period = list(
        IssueSnapshot.objects.filter(issue_date__gte=start)
        .order_by("-issue_date")
        .only("pk", "issue_date", "subject", "stories")
    )
    if not period:
        return []
    # The period's issues are the newest; each is scored against the HISTORY issues up to it.
    window = f.window_ids(last=len(period) + f.HISTORY - 1)
    figures = f.issue_figures(window)
    article_ids = {story.get("article_id") for issue in period for story in issue.stories}
    articles = dict(ArticlePage.objects.filter(pk__in=article_ids).values_list("pk", "source_name"))
    authors = {}
    through = ArticlePage.authors.through.objects.filter(articlepage_id__in=article_ids)
    for article_id, name in through.values_list("articlepage_id", "author__name"):
        authors.setdefault(article_id, []).append(name)
    stories = []
    for issue in period:
        at = window.index(issue.pk)
        own = figures[issue.pk]
        basis = f.basis_of(own)
        medians, history = f.median_rates(figures, window[at : at + f.HISTORY], basis)
        for story in sorted(issue.stories, key=lambda story: story["rank"]):
            rank, article_id = story["rank"], story.get("article_id")
            rate = own.rate(rank, basis)
            stories.append(
                {
                    "date": issue.issue_date,
                    "snapshot_id": issue.pk,
                    "rank": rank,
                    "headline": story.get("headline", ""),
                    "url": story.get("url", ""),
                    "section": story.get("section", ""),
                    "credit": story.get("credit", ""),
                    "source": articles.get(article_id, ""),
                    "authors": sorted(authors.get(article_id, [])),
                    "rate": rate,
                    "usual_rate": medians.get(rank),
                    "position_index": f.position_index(rate, medians.get(rank), history),
                }
            )
    return stories


def board(stories, key):
    """Groups of stories by ``key`` (a list for authors), best mean position index first."""
    groups = {}
    for story in stories:
        names = story["authors"] if key == "author" else [story[key]]
        for name in names:
            if name:
                groups.setdefault(name, []).append(story["position_index"])
    rows = []
    for name, indexes in groups.items():
        scored = [index for index in indexes if index is not None]
        rows.append(
            {
                "name": name,
                "stories": len(indexes),
                "scored": len(scored),
                "mean_index": statistics.mean(scored) if scored else None,
                "beat_their_slot": sum(1 for index in scored if index > 1),
            }
        )
    rows.sort(key=lambda row: (row["mean_index"] is None, -(row["mean_index"] or 0), row["name"]))
    return rows


def leaderboards(days=30):
    """{"days", "boards": {key: rows}, "beat_their_slot": stories of the last week whose
    index is above 1, best first}."""
    stories = scored_stories(days)
    week = timezone.localdate() - datetime.timedelta(days=WEEK - 1)
    beat = [
        story for story in stories if story["date"] >= week and (story["position_index"] or 0) > 1
    ]
    beat.sort(key=lambda story: -story["position_index"])
    return {
        "days": days,
        "stories": len(stories),
        "boards": {key: board(stories, key) for key in GROUPS},
        "beat_their_slot": beat,
    }
