"""One-off measurements inside Django, against a tool's database (``trials.project.probe``
runs it for bench and load; run by hand from the repository's root with
``python -m trials.probe COMMAND``):

    urls                      the pages to load: home, an article, a section, the archive
                              issue, and the hashed static file (JSON)
    queries URL...            per page, with Django's test Client: SQL queries of a warm
                              request (and of the first), CPU ms per request
    snapshot RUNS OUTDIR      time build_snapshot() on today's unsent issue inside a
                              transaction rolled back each time; writes its HTML and text to
                              OUTDIR for the smtplib ceiling
    deliveries                the latest campaign: rows by status, first/last sent_at
    click_url                 /r/<token>/ of the lead story's headline link in the latest
                              sent issue, in one delivered reader's copy (JSON: path, link,
                              delivery, target; path null when no issue was sent)
    clicks                    Click rows stored: in all, by people, set aside (JSON)
    profile URL [N]           cProfile of N uncached requests (top 30, cumulative)
    sql URL                   every SQL statement of one warm request

Settings come from the environment (the tools set production ones); run it with the page
cache off (PAGE_CACHE_ENABLED=0) to count what a page costs when rendered.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

from trials.project import setup_django

setup_django()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

HOST = "127.0.0.1"
CPU_REQUESTS = int(os.environ.get("BENCH_CPU_REQUESTS", 30))


def page_path(page):
    parts = page.get_url_parts()
    return parts[2] if parts else None


def urls():
    from django.templatetags.static import static

    from home.models import HomePage
    from news.models import ArticlePage, NewsIndexPage
    from newsletter.issues.rendering import archive_path
    from newsletter.models import IssueSnapshot

    home = HomePage.objects.live().order_by("path").first()
    articles = ArticlePage.objects.live().order_by("pk")
    # The richest article: a related story, a lead image and a section, as the site check.
    article = (
        articles.filter(
            related_story__isnull=False, lead_image__isnull=False, section__isnull=False
        ).first()
        or articles.first()
    )
    index = NewsIndexPage.objects.live().order_by("path").first()
    section = None
    if index is not None and article is not None and article.section_id:
        section = page_path(index) + index.reverse_subpage("section", args=[article.section.slug])
    sent = IssueSnapshot.objects.order_by("-issue_date").first()
    return {
        "home": page_path(home) if home else None,
        "article": page_path(article) if article else None,
        "section": section,
        "archive": archive_path(sent.issue_date) if sent else None,
        "static": static("css/site.css"),
    }


def client():
    return Client(HTTP_HOST=HOST)


def queries(paths):
    browser = client()
    figures = {}
    for path in paths:
        # Count at once: a new connection (CONN_MAX_AGE=0: one per request) clears the log.
        with CaptureQueriesContext(connection) as first:
            response = browser.get(path)
        first_count = len(first.captured_queries)
        with CaptureQueriesContext(connection) as warm:
            response = browser.get(path)
        warm_count = len(warm.captured_queries)
        started = time.process_time()
        for _ in range(CPU_REQUESTS):
            browser.get(path)
        cpu_ms = (time.process_time() - started) * 1000 / CPU_REQUESTS
        figures[path] = {
            "status": response.status_code,
            "queries": warm_count,
            "queries_first_request": first_count,
            "cpu_ms": round(cpu_ms, 2),
            "bytes": len(response.content),
            "page_cache": response.get("X-Page-Cache", ""),
        }
    return figures


def sql(path):
    browser = client()
    browser.get(path)
    with CaptureQueriesContext(connection) as warm:
        browser.get(path)
    for number, query in enumerate(warm.captured_queries, start=1):
        print(f"{number:3d}. [{query['time']}s] {query['sql'][:600]}")


def profile(path, count=50):
    import cProfile
    import pstats

    browser = client()
    browser.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        browser.get(path)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


class Rollback(Exception):
    pass


def today_issue():
    from newsletter.models import IssuePage

    issue = IssuePage.objects.filter(issue_date=timezone.localdate()).first()
    if issue is None:
        raise SystemExit("no issue for today: seed_demo makes one")
    return issue


def snapshot(runs, outdir):
    """build_snapshot() timed: the first build (making the email renditions), then ``runs``
    builds with the renditions in place, as after the editor's preview. Each build's
    transaction is rolled back, so the issue stays unsent."""
    from newsletter.issues.rendering import build_snapshot, email_rendition, load_stories

    issue = today_issue()
    first_ms, timings, cpu_timings, sizes, query_counts = None, [], [], {}, []
    for run in range(runs + 1):
        try:
            with transaction.atomic():
                with CaptureQueriesContext(connection) as captured:
                    started, cpu = time.perf_counter(), time.process_time()
                    built = build_snapshot(issue)
                    elapsed = (time.perf_counter() - started) * 1000
                    cpu = (time.process_time() - cpu) * 1000
                count = len(captured.captured_queries)
                sizes = {
                    "html": len(built.html.encode()),
                    "text": len(built.text.encode()),
                    "web_html": len(built.web_html.encode()),
                    "stories": len(built.stories),
                }
                html, text = built.html, built.text
                raise Rollback
        except Rollback:
            pass
        if run == 0:
            first_ms = elapsed
            # Keep the email renditions (an editor's preview makes them before a send).
            for _story, article in load_stories(issue):
                email_rendition(article.lead_image)
        else:
            timings.append(elapsed)
            cpu_timings.append(cpu)
            query_counts.append(count)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "message.html").write_text(html)
    (out / "message.txt").write_text(text)
    return {
        "first_ms": round(first_ms, 1),
        "runs_ms": [round(t, 1) for t in timings],
        "median_ms": round(statistics.median(timings), 1),
        "median_cpu_ms": round(statistics.median(cpu_timings), 1),
        "queries": max(query_counts),
        "bytes": sizes,
        "subject": issue.get_newsletter_subject(),
    }


def deliveries():
    from django.db.models import Count, Max, Min

    from newsletter.models import Campaign, Delivery

    campaign = Campaign.objects.order_by("-pk").first()
    if campaign is None:
        return {}
    rows = Delivery.objects.filter(campaign=campaign)
    by_status = dict(rows.values_list("status").annotate(n=Count("pk")).order_by())
    times = rows.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    span = (times["last"] - times["first"]).total_seconds() if times["first"] else None
    return {
        "campaign": campaign.pk,
        "status": campaign.status,
        "recipient_count": campaign.recipient_count,
        "by_status": by_status,
        "sent_span_s": span,
    }


def click_url():
    """A real tracked link of the latest sent issue, as one of its readers got it."""
    from newsletter.engagement.tokens import link_token
    from newsletter.models import Delivery, TrackedLink

    delivery = (
        Delivery.objects.filter(campaign__snapshot__isnull=False, status=Delivery.Status.SENT)
        .select_related("campaign")
        .order_by("-campaign__snapshot__issue_date", "pk")
        .first()
    )
    if delivery is None:
        return {"path": None, "reason": "no delivery of a sent issue in this database"}
    links = TrackedLink.objects.filter(snapshot_id=delivery.campaign.snapshot_id)
    link = links.filter(rank=1, role=TrackedLink.Role.HEADLINE).first() or links.first()
    if link is None:
        return {"path": None, "reason": "the sent issue has no tracked links"}
    return {
        "path": f"/r/{link_token(link.pk, delivery.pk)}/",
        "link": link.pk,
        "delivery": delivery.pk,
        "target": link.url,
    }


def clicks():
    from django.db.models import Count, Q

    from newsletter.models import Click

    return Click.objects.aggregate(
        stored=Count("pk"),
        by_people=Count("pk", filter=Q(human=True)),
        set_aside=Count("pk", filter=Q(human=False)),
    )


def main(argv):
    command, args = argv[0], argv[1:]
    if command == "urls":
        result = urls()
    elif command == "queries":
        result = queries(args)
    elif command == "snapshot":
        result = snapshot(int(args[0]), args[1])
    elif command == "deliveries":
        result = deliveries()
    elif command == "click_url":
        result = click_url()
    elif command == "clicks":
        result = clicks()
    elif command == "profile":
        return profile(args[0], int(args[1]) if len(args) > 1 else 50)
    elif command == "sql":
        return sql(args[0])
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main(sys.argv[1:] or ["help"])
