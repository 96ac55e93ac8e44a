"""Inside Django (``trials.bench.invalidation`` runs it): the live articles, newest first, and
the news index that lists them, for the two-machine invalidation trial.

    python -m trials.bench.invalidation_inside

Prints one line of JSON: {"index": URL, "articles": [{"id": ..., "url": ...}, ...]}.
"""

import json

from trials.project import setup_django

setup_django()

from news.models import ArticlePage, NewsIndexPage  # noqa: E402

index = NewsIndexPage.objects.live().first()
articles = ArticlePage.objects.live().order_by("-first_published_at")[:20]
print(
    json.dumps(
        {
            "index": index.url if index else None,
            "articles": [{"id": page.pk, "url": page.url} for page in articles],
        }
    )
)
