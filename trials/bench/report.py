"""The one table of figures, with each target's PASS or MISS, from the run's results."""

from trials.bench import longtail
from trials.bench.report_scale import add_batch_api, add_invalidation, add_relay, add_scale
from trials.bench.tables import Table, number

PAGE_NAMES = {
    "home": "home",
    "article": "article",
    "section": "section page",
    "archive": "archive issue page",
}
QUERY_LIMIT = 10
CPU_LIMIT_MS = 15
PAGE_RATIO = 0.9
CLICK_RATIO = 0.5
SEND_RATIO = 0.5
MEMORY_SPREAD = 0.20
SNAPSHOT_MS = 50
SNAPSHOT_BYTES = 102_000
IMPORT_SECONDS = 30
REPORT_MS = 300
ADMIN_MS = 1000
ADMIN_NAMES = {
    "dashboard": "dashboard",
    "issues": "Newsletter > Issues",
    "issue_edit": "issue edit page",
    "story_chooser": "story chooser",
    "preview": "email preview",
    "article_edit": "article edit page",
    "page_chooser": "page chooser (news list)",
    "image_chooser": "image chooser",
    "review": "Review and send",
}


def build(results):
    table = Table()
    pages, queries = results.get("pages"), results.get("queries", {})
    if pages:
        static = pages["static"]["rps"]
        table.section(f"1. Reader pages ({results['meta']['pages_setup']})")
        runs = len(pages["static"]["runs_rps"])
        table.row(
            f"static file (mean of {runs} runs)",
            f"{number(static)} req/s",
            p50=pages["static"]["p50_ms"],
            p99=pages["static"]["p99_ms"],
            cpu=pages["static"]["cpu_ms"],
            ratio=1.0,
            target="(the ceiling)",
        )
        for cached in (True, False):
            for key, name in PAGE_NAMES.items():
                figures = pages.get(f"{key}_{'cached' if cached else 'uncached'}")
                if not figures:
                    continue
                # Cached pages: to the static runs just before and after each one.
                ceiling = figures.get("static_rps") or static
                ratio = figures["rps"] / ceiling if ceiling else 0
                errors = f" ({figures['errors']} errors)" if figures["errors"] else ""
                target, ok = "", None
                if cached and key == "article":
                    target, ok = f">= {PAGE_RATIO}x static", ratio >= PAGE_RATIO
                if not cached and key in ("home", "article") and figures["cpu_ms"]:
                    target = f"CPU <= {CPU_LIMIT_MS} ms (issue)"
                    ok = figures["cpu_ms"] <= CPU_LIMIT_MS
                table.row(
                    f"{name}, {'cached' if cached else 'uncached'}",
                    f"{number(figures['rps'])} req/s{errors}",
                    p50=figures["p50_ms"],
                    p99=figures["p99_ms"],
                    cpu=figures["cpu_ms"],
                    ratio=ratio,
                    target=target,
                    ok=ok,
                )
        add_click(table, pages.get("click"), results["meta"].get("click_left_out"))
        for key, name in PAGE_NAMES.items():
            figures = queries.get(key)
            if not figures:
                continue
            limited = key in ("home", "article")
            table.row(
                f"{name}: SQL queries, uncached",
                f"{figures['queries']} (first request {figures['queries_first_request']})",
                target=f"<= {QUERY_LIMIT}" if limited else "",
                ok=figures["queries"] <= QUERY_LIMIT if limited else None,
            )
    sending = results.get("sending")
    if sending:
        add_sending(table, sending)
    snapshot = results.get("snapshot")
    if snapshot:
        runs = len(snapshot["runs_ms"])
        table.section("3. Snapshot of today's ten-story issue (build_snapshot, rolled back)")
        table.row(
            f"build, median of {runs} (renditions made)",
            f"{snapshot['median_ms']} ms",
            cpu=snapshot["median_cpu_ms"],
            target=f"< {SNAPSHOT_MS} ms",
            ok=snapshot["median_ms"] < SNAPSHOT_MS,
        )
        table.row("first build (making 10 renditions)", f"{snapshot['first_ms']} ms")
        html = snapshot["bytes"]["html"]
        table.row(
            "email HTML size",
            f"{html / 1000:.1f} kB ({html:,} B)",
            target="< 102 kB",
            ok=html < SNAPSHOT_BYTES,
        )
        table.row(
            "plain text / archive body size",
            f"{snapshot['bytes']['text'] / 1000:.1f} / "
            f"{snapshot['bytes']['web_html'] / 1000:.1f} kB",
        )
    imported = results.get("import")
    if imported:
        table.section("4. manage.py import_subscribers")
        table.row(
            f"{imported['rows']:,}-row CSV, new subscribers",
            f"{imported['seconds']} s (CPU {imported['cpu_s']} s)",
            target=f"< {IMPORT_SECONDS} s",
            ok=imported["seconds"] < IMPORT_SECONDS,
        )
    issue = results.get("issue_report")
    if issue:
        add_issue_report(table, issue)
    admin = results.get("admin")
    if admin:
        add_admin(table, admin)
    longtail.add_rows(table, results.get("longtail"))
    if results.get("batch_api"):
        add_batch_api(table, results["batch_api"])
    if results.get("relay"):
        add_relay(table, results["relay"])
    if results.get("scale"):
        add_scale(table, results["scale"])
    invalidation = results.get("invalidation")
    if invalidation:
        add_invalidation(table, invalidation)
    return table


def add_click(table, figures, left_out):
    """The click redirect beside the static runs around it, and whether every click it
    answered was stored (wrk's count, plus at most one cut-off request per connection)."""
    if not figures:
        if left_out:
            table.row("click redirect /r/<token>/ (302)", f"not measured: {left_out}")
        return
    ratio = figures["rps"] / figures["static_rps"] if figures["static_rps"] else 0
    # wrk counts 3xx as success: an error here is a socket error or a 4xx/5xx.
    errors = f" ({figures['errors']} errors)" if figures["errors"] else ""
    table.row(
        "click redirect /r/<token>/ (302)",
        f"{number(figures['rps'])} req/s{errors}",
        p50=figures["p50_ms"],
        p99=figures["p99_ms"],
        cpu=figures["cpu_ms"],
        ratio=ratio,
        target=f">= {CLICK_RATIO}x static",
        ok=ratio >= CLICK_RATIO and not figures["errors"],
    )
    requests, connections = figures["requests"], figures["connections"]
    table.row(
        "  clicks stored / wrk's requests",
        f"{figures['clicks_stored']:,} / {requests:,}",
        target=f"requests + 0-{connections}",
        ok=figures["counted"],
    )


def add_issue_report(table, issue):
    table.section(
        f"5. Issue report ({issue['deliveries']:,} deliveries, {issue['clicks']:,} clicks, "
        f"median of {issue['runs']})"
    )
    table.row(
        "issue_report() (the figures)",
        f"{issue['function_ms']} ms (max {issue['function_max_ms']})",
        target=f"< {REPORT_MS} ms",
        ok=issue["function_ms"] < REPORT_MS,
    )
    table.row(
        "admin issue report page",
        f"{issue['page_ms']} ms (max {issue['page_max_ms']})",
        target=f"< {REPORT_MS} ms",
        ok=issue["page_ms"] < REPORT_MS,
    )
    table.row(
        "SQL queries, this issue / 10 readers",
        f"{issue['queries']} / {issue['queries_small']} "
        f"(page {issue['page_queries']} / {issue['page_queries_small']})",
        target="equal",
        ok=issue["queries"] == issue["queries_small"]
        and issue["page_queries"] == issue["page_queries_small"],
    )


def add_sending(table, sending):
    ceiling = sending["ceiling"]["rate"]
    runs = sending["ceiling"]["runs"]
    table.section(
        f"2. Sending into smtp-sink ({sending['ceiling']['message_bytes']:,}-byte messages)"
    )
    table.row(
        "smtplib, serialised in advance, 1 conn",
        f"{number(ceiling)} msg/s",
        ratio=1.0,
        target="(the ceiling)",
    )
    table.row(
        "  ceiling runs (before / after the send)",
        " / ".join(f"{number(run['rate'])}" for run in runs),
    )
    for n, figures in sending["pipeline"].items():
        count = f"{int(n):,}"
        if figures is None:
            table.row(f"pipeline, {count} subscribers", "not run: BENCH_FULL=1 runs it")
            continue
        ratio = figures["rate"] / ceiling if ceiling else 0
        complete = "" if figures["complete"] else f" ({figures['received']:,} arrived)"
        first = int(n) == min(int(key) for key in sending["pipeline"])
        table.row(
            f"pipeline, {count} subscribers (end to end)",
            f"{number(figures['rate'])} msg/s{complete}",
            ratio=ratio,
            target=f">= {SEND_RATIO}x ceiling" if first else "",
            ok=(ratio >= SEND_RATIO and figures["complete"]) if first else None,
        )
        if figures["delivery_rate"]:
            table.row(
                "  worker alone (first to last message)",
                f"{number(figures['delivery_rate'])} msg/s",
                cpu=figures.get("worker_cpu_ms_per_message"),
                ratio=figures["delivery_rate"] / ceiling if ceiling else 0,
            )
        table.row(
            "  send_issue command / first message at",
            f"{figures['send_issue_command_s']} s / {figures['first_message_s']} s",
        )
        table.row(
            f"  worker peak RSS (idle {figures['worker_idle_rss_kb'] // 1024} MB)",
            f"{figures['worker_peak_rss_kb'] / 1024:.1f} MB"
            if figures["worker_peak_rss_kb"]
            else "-",
        )
    small, large = (sending["pipeline"].get(key) for key in ("10000", "100000"))
    if small and large and small["worker_peak_rss_kb"] and large["worker_peak_rss_kb"]:
        growth = large["worker_peak_rss_kb"] / small["worker_peak_rss_kb"] - 1
        table.row(
            "worker peak RSS, 10,000 -> 100,000",
            f"{growth:+.1%}",
            target=f"within {MEMORY_SPREAD:.0%}",
            ok=abs(growth) <= MEMORY_SPREAD,
        )
    else:
        table.row(
            "worker peak RSS, 10,000 -> 100,000",
            "not measured (BENCH_FULL=1)",
            target=f"within {MEMORY_SPREAD:.0%}",
        )


def add_admin(table, admin):
    """Each page of the editor's morning: its server time, p50 (the target) and p90, the
    worker's CPU time, and its SQL queries on a warm request."""
    table.section(
        f"6. The editor's morning (gunicorn -w 1, signed-in {admin['user']}, "
        f"{admin['requests']} requests a page, server time)"
    )
    for key, figures in admin["pages"].items():
        table.row(
            ADMIN_NAMES.get(key, key),
            f"p90 {number(figures['p90_ms'])} ms, {figures['queries']} SQL",
            p50=figures["p50_ms"],
            cpu=figures["cpu_p50_ms"],
            target=f"p50 < {ADMIN_MS / 1000:.0f} s",
            ok=figures["p50_ms"] < ADMIN_MS,
        )
