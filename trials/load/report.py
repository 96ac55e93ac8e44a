"""``make load``'s table: the same figures as its JSON file, for people."""

WIDTH = 48  # the figure column


def row(label, value):
    return f"{label:<{WIDTH}}{value}"


def seconds(value):
    return "-" if value is None else f"{value:.1f} s"


def header(results):
    meta = results["meta"]
    options = meta["options"]
    loads = [
        " ".join(f"{n:.2f}" for n in meta[key]) if meta.get(key) else "-"
        for key in ("load_average_start", "load_average_end_of_wrk", "load_average_end")
    ]
    return [
        f"Top Ten under load, {meta['started']} on {meta['host']} ({meta['cpus']} CPUs), "
        f"Python {meta['python']}, commit {meta['commit']}",
        f"Production settings (DEBUG off, page cache on), SQLite, gunicorn -w "
        f"{options['workers']} sync, one db_worker, smtp-sink; {meta['seconds']:.0f} s in all.",
        f"Load average (1/5/15 min): {loads[0]} at start, {loads[1]} as wrk ended, "
        f"{loads[2]} at the end.",
        "",
    ]


def readers(results):
    wrk = results["wrk"]
    latency = wrk["latency_ms"]
    classes = ", ".join(f"{key} {n:,}" for key, n in sorted(wrk["statuses"].items()))
    lines = [
        f"Readers: {wrk['command']}, {len(results['pages'])} pages in turn",
        row("requests", f"{wrk['requests']:,} ({wrk['rps']:,.1f}/s)"),
        row(
            "latency p50 / p90 / p99 (max)",
            f"{latency['p50']} / {latency['p90']} / {latency['p99']} ms ({latency['max']} ms)",
        ),
        row(
            "socket errors connect/read/write/timeout",
            "{connect}/{read}/{write}/{timeout}".format(**wrk["errors"]),
        ),
        row("responses by status class", classes or "none"),
    ]
    sending = wrk.get("while_sending")
    if sending:  # only what gunicorn logged: no queueing, no connection time
        lines.append(
            row(
                "served while the worker sent (first to last)",
                f"{sending['requests']:,} in {sending['seconds']} s ({sending['rps']:,.1f}/s), "
                f"server p50 / p99 {sending['server_p50_ms']} / {sending['server_p99_ms']} ms",
            )
        )
    lines += [
        "  page      requests  not 2xx/3xx  cache hits  server p50  server p99  path",
    ]
    for key, path in results["pages"].items():
        page = wrk["per_page"].get(path)
        if page is None:
            lines.append(f"  {key:<8}  no requests{'':40}{path}")
        else:
            lines.append(
                f"  {key:<8}{page['requests']:>10,}{page['bad']:>13,}"
                f"{page['hits']:>12,}{page['server_p50_ms']:>9} ms"
                f"{page['server_p99_ms']:>9} ms  {path}"
            )
    return lines


def sending(results):
    send = results["send"]
    campaign = send["campaign"]
    by_status = ", ".join(
        f"{status} {n:,}" for status, n in sorted(campaign.get("by_status", {}).items())
    )
    return [
        f"Send of today's issue to {send['subscribers']:,} subscribers (seeding them took "
        f"{seconds(results.get('seed_subscribers_s'))})",
        row(
            f"messages at the sink during the {results['meta']['options']['seconds']} s",
            f"{send['received_during_load']:,}",
        ),
        row("messages at the sink in all", f"{send['received']:,}"),
        row(
            "campaign status; deliveries by status",
            f"{campaign.get('status', 'unknown')}; {by_status or 'none'}",
        ),
        row(
            "send_issue done / first message / last message",
            " / ".join(
                seconds(send[key])
                for key in ("send_issue_command_s", "first_message_s", "all_messages_s")
            ),
        ),
        row(
            "rate, send_issue to the last message",
            "-" if send["rate"] is None else f"{send['rate']:,.1f} msg/s",
        ),
    ]


def render(results):
    lines = header(results)
    if results.get("wrk"):
        lines += readers(results)
    if results.get("send"):
        lines += sending(results)
    for name, problem in results.get("log_problems", {}).items():
        lines.append(
            f"\n{name}.log has {problem['lines']} error lines; the first:\n  {problem['first']}"
        )
    if results.get("error"):
        lines.append(
            "\nThe run could not finish:\n  " + "\n  ".join(results["error"].splitlines()[-15:])
        )
    if results["failures"]:
        lines.append("\nFAILED: " + "; ".join(results["failures"]) + ".")
    else:
        lines.append(
            "\nPASSED: no failed requests, every response 2xx/3xx, and the send "
            "delivered exactly one message per subscriber."
        )
    return "\n".join(lines)
