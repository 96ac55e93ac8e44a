"""Inside Django (``trials.bench.admin`` runs it): the editor's morning pages on the seeded
demo, a signed-in editor's session for them, and what each page costs in SQL queries.

    python -m trials.bench.admin_inside setup           JSON: session cookie, pages, queries
    python -m trials.bench.admin_inside profile URL [N] cProfile of N signed-in requests
    python -m trials.bench.admin_inside sql URL         every query of one warm request

The editor is ``seed_demo``'s ``editor`` (Wagtail's Editors group, not a superuser): the
pages are measured as the person who does the morning's job sees them.
"""

import json
import sys

from trials.project import setup_django

setup_django()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

EDITOR = "editor"
HOST = "127.0.0.1"


def editor():
    user = get_user_model().objects.filter(username=EDITOR, is_active=True).first()
    if user is None:
        raise SystemExit(f"no {EDITOR!r} login: seed_demo makes it")
    return user


def pages():
    """``{key: path}``: the morning's admin pages on the demo data, in the order of the job."""
    from news.models import ArticlePage, NewsIndexPage
    from newsletter.models import IssuePage

    issue = IssuePage.objects.filter(issue_date=timezone.localdate()).first()
    if issue is None:
        raise SystemExit("no issue for today: seed_demo makes one")
    articles = ArticlePage.objects.live().order_by("pk")
    # The richest article, as the reader pages' benchmark takes it.
    article = (
        articles.filter(
            related_story__isnull=False, lead_image__isnull=False, section__isnull=False
        ).first()
        or articles.first()
    )
    news_index = NewsIndexPage.objects.live().order_by("path").first()
    in_issue = ",".join(str(pk) for pk in issue.stories.values_list("article_id", flat=True))
    story_chooser = reverse("newsletter_story_chooser:choose")
    return {
        "dashboard": reverse("wagtailadmin_home"),
        "issues": reverse("newsletter_issues:index"),
        "issue_edit": reverse("wagtailadmin_pages:edit", args=[issue.pk]),
        "story_chooser": f"{story_chooser}?multiple=1&issue_date={issue.issue_date.isoformat()}"
        f"&in_issue={in_issue}",
        "preview": reverse("wagtailadmin_pages:view_draft", args=[issue.pk]),
        "article_edit": reverse("wagtailadmin_pages:edit", args=[article.pk]),
        # The article form's Related Story and Related Posts choosers open on the news list.
        "page_chooser": reverse("wagtailadmin_choose_page_child", args=[news_index.pk])
        + "?page_type=news.articlepage",
        "image_chooser": reverse("wagtailimages_chooser:choose"),
        "review": reverse("newsletter_review:review", args=[issue.pk]),
    }


def signed_in():
    client = Client(HTTP_HOST=HOST)
    client.force_login(editor())
    return client


def get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code} to the signed-in editor")
    return response


def setup():
    """The session the server is measured with, the pages, and each page's SQL queries on
    a warm request (the first request's count beside it)."""
    client = signed_in()
    paths = pages()
    queries = {}
    for key, path in paths.items():
        with CaptureQueriesContext(connection) as first:
            get(client, path)
        with CaptureQueriesContext(connection) as warm:
            response = get(client, path)
        queries[key] = {
            "queries": len(warm.captured_queries),
            "queries_first_request": len(first.captured_queries),
            "bytes": len(response.content),
        }
    # A session of its own for the server (the test client's is saved in the database too).
    server = signed_in()
    return {
        "user": EDITOR,
        "cookie": {
            "name": settings.SESSION_COOKIE_NAME,
            "value": server.cookies[settings.SESSION_COOKIE_NAME].value,
        },
        "paths": paths,
        "queries": queries,
    }


def profile(path, count=20):
    import cProfile
    import pstats

    client = signed_in()
    get(client, path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        get(client, path)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def sql(path):
    client = signed_in()
    get(client, path)
    with CaptureQueriesContext(connection) as warm:
        get(client, path)
    for number, query in enumerate(warm.captured_queries, start=1):
        print(f"{number:3d}. [{query['time']}s] {query['sql'][:600]}")


def main(argv):
    command, args = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "setup":
        print(json.dumps(setup()))
    elif command == "profile":
        profile(args[0], int(args[1]) if len(args) > 1 else 20)
    elif command == "sql":
        sql(args[0])
    elif command == "urls":
        print(json.dumps(pages()))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
