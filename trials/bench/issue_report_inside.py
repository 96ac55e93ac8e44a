"""Inside Django (``trials.bench.issue_report`` runs it): an issue sent to ``DELIVERIES``
readers with ``CLICKS`` clicks, put in with ``bulk_create``, and the issue report timed, the
function and the admin page, with the queries of each beside those of a small issue.

    python -m trials.bench.issue_report_inside DELIVERIES CLICKS RUNS

Prints one line of JSON. Run against a copy of the seeded database: it adds rows.
"""

import datetime
import json
import statistics
import sys
import time

from trials.project import setup_django

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from newsletter.engagement.reports import issue_report  # noqa: E402
from newsletter.models import IssueSnapshot  # noqa: E402
from newsletter.tests.engagement_setup import bulk_readers, click, sent_issue  # noqa: E402

HISTORY_ISSUES, HISTORY_READERS = 5, 1000


def build(deliveries, clicks):
    """The big issue (today), a small one and a few earlier ones for the position history.
    Clicks: two in three by people, spread over the ranks as a lead story draws them."""
    started = time.monotonic()
    today = timezone.localdate() + datetime.timedelta(days=400)  # clear of the demo's issues
    readers = bulk_readers(deliveries, prefix="bench-report-")
    for back in range(HISTORY_ISSUES, 0, -1):
        earlier = sent_issue(today - datetime.timedelta(days=back + 1), readers[:HISTORY_READERS])
        for rank in range(1, 11):
            click(earlier, rank, earlier.deliveries[: 200 // rank])
    small = sent_issue(today - datetime.timedelta(days=1), readers[:10])
    click(small, 1, small.deliveries[:3])
    big = sent_issue(today, readers)
    weights = [1 / rank for rank in range(1, 11)]
    per_rank = [int(clicks * weight / sum(weights)) for weight in weights]
    per_rank[0] += clicks - sum(per_rank)
    offset = 0
    for rank, count in enumerate(per_rank, 1):
        chosen = big.deliveries[offset : offset + count]
        offset = (offset + count) % (deliveries - count)
        human = count * 2 // 3
        click(big, rank, chosen[:human], at=rank * 7)
        click(big, rank, chosen[human:], human=False, reason="scanner", at=0.05)
    return small, big, time.monotonic() - started


def timed(function, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1), round(max(times), 1)


def queries(function):
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def main(deliveries, clicks, runs):
    small, big, build_s = build(deliveries, clicks)
    small, big = (IssueSnapshot.objects.get(pk=issue.pk) for issue in (small, big))
    user = get_user_model().objects.filter(is_superuser=True).first()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)

    def page(issue):
        url = reverse("newsletter_reports:issue", args=[issue.issue_date.isoformat()])
        response = client.get(url, secure=True)
        assert response.status_code == 200, response.status_code
        return response

    page(big)  # warm: templates, the session
    function_ms, function_max = timed(lambda: issue_report(big), runs)
    page_ms, page_max = timed(lambda: page(big), runs)
    report = issue_report(big)
    return {
        "deliveries": report["delivered"],
        "clicks": report["clicks"]["raw"],
        "human": report["clicks"]["human"],
        "build_s": round(build_s, 1),
        "runs": runs,
        "function_ms": function_ms,
        "function_max_ms": function_max,
        "page_ms": page_ms,
        "page_max_ms": page_max,
        "queries": queries(lambda: issue_report(big)),
        "queries_small": queries(lambda: issue_report(small)),
        "page_queries": queries(lambda: page(big)),
        "page_queries_small": queries(lambda: page(small)),
    }


if __name__ == "__main__":
    args = [int(arg) for arg in sys.argv[1:4]]
    print(json.dumps(main(*args)))
