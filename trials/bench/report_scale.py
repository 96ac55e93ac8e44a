"""The rows of ``make bench``'s table for the parts past one machine: the batch API (8), the
SMTP relay (9), subscribers at scale (10) and two web machines (11)."""

from trials.bench.tables import number


def add_batch_api(table, figures):
    """The batch API beside one call per message, both through anymail's Mailgun client."""
    batched, single = figures["batch"], figures["single"]
    table.section(
        f"8. Sending through Mailgun's API (local server, {figures['delay_s'] * 1000:.0f} ms "
        "a call, anymail's real client)"
    )
    minutes = batched["total_s"] / 60
    table.row(
        f"batch API, {batched['readers']:,} readers (Send to last copy)",
        f"{number(batched['rate'])} msg/s, {minutes:.1f} min",
        cpu=batched["worker_cpu_s"] * 1000 / max(batched["received"], 1),
        target="complete, no duplicate",
        ok=batched["complete"],
    )
    table.row(
        "  calls / recipients per call",
        f"{batched['calls']:,} / {number(batched['recipients_per_call'])}",
    )
    table.row(
        f"one call per message, {single['readers']:,}-reader sample",
        f"{number(single['rate'])} msg/s",
        cpu=single["worker_cpu_s"] * 1000 / max(single["received"], 1),
    )
    projected = figures["single_projected_s"]
    table.row(
        f"  one call per message, {batched['readers']:,} readers (projected)",
        f"{projected / 60:.0f} min" if projected else "-",
    )
    table.row(
        "batch API / one call per message",
        f"{figures['speedup']}x" if figures["speedup"] else "-",
        target=">= 100x",
        ok=bool(figures["speedup"]) and figures["speedup"] >= 100,
    )


def add_invalidation(table, figures):
    """A publish through web machine A, served fresh by machine B through Redis."""
    bound = figures["check_seconds"] * 1000
    table.section(f"11. Two web machines, one Redis ({figures['changes']} changes published)")
    table.row(
        "publish on A: B stale for, median / max",
        f"{figures['median_ms']} / {figures['max_ms']} ms",
        target=f"<= {bound:.0f} ms + 1 request",
        ok=figures["max_ms"] <= bound + 100,
    )
    table.row(
        f"  stale answers sent >= {bound:.0f} ms after",
        str(figures["stale_after_bound"]),
        target="0",
        ok=figures["stale_after_bound"] == 0,
    )


RELAY_SECONDS = 300  # 100,000 recipients through the 50 ms relay, first message to last
FREEZE_SECONDS = 60
SCALE_MEMORY = 1.2
SEND_SECONDS = 300  # a million through the batch API, from the Send


def add_relay(table, relay):
    """Loopback and the 50 ms relay side by side, and the 100,000 send (measured or
    projected from the relay's own rate)."""
    runs = relay["runs"]
    first = next(iter(runs.values()))
    table.section(
        f"9. SMTP relay across the internet (trials.relay, {first['connections']} connections, "
        f"{relay['subscribers']:,} recipients)"
    )
    loopback = runs.get("loopback", {}).get("relay_rate")
    for key, name in (
        ("loopback", "replies at once (loopback)"),
        ("relay", f"each reply after {relay['delay_ms']} ms"),
        ("relay_100k", f"100,000 recipients, {relay['delay_ms']} ms"),
    ):
        figures = runs.get(key)
        if not figures:
            continue
        rate = figures.get("relay_rate")
        ratio = rate / loopback if rate and loopback else None
        table.row(
            name,
            f"{number(rate)} msg/s ({figures['received']:,} in {figures['first_to_last_s']} s)",
            cpu=figures.get("worker_cpu_ms_per_message"),
            ratio=ratio,
        )
    measured = runs.get("relay_100k")
    if measured and measured.get("first_to_last_s"):
        seconds, how = measured["first_to_last_s"], "measured"
        ok = measured["complete"] and seconds < RELAY_SECONDS
    else:
        seconds, how = runs.get("relay", {}).get("projected_100k_s"), "projected"
        ok = seconds is not None and seconds < RELAY_SECONDS
    table.row(
        f"100,000 via the relay ({how})",
        f"{number(seconds)} s",
        target=f"< {RELAY_SECONDS} s",
        ok=ok,
    )


def add_scale(table, scale):
    if scale.get("left_out"):
        table.section("10. Subscribers at scale on PostgreSQL")
        table.row("not measured", scale["left_out"])
        return
    sizes = scale["sizes"]
    if scale.get("batch_api"):
        table.section(
            "10. Subscribers at scale on PostgreSQL, each whole send through the local Mailgun "
            "API (200 ms, 1,000 a call, 2 workers)"
        )
    else:
        table.section(
            "10. Subscribers at scale on PostgreSQL "
            f"(worker RSS after {scale['messages']:,} messages)"
        )
    for n, figures in sizes.items():
        count = f"{int(n):,}"
        freeze = figures["freeze"]
        table.row(f"{count}: seed (generate_series, ANALYZE)", f"{figures['seed']['seconds']} s")
        table.row(
            f"{count}: freeze alone ({freeze['freeze_queries']} queries)",
            f"{freeze['freeze_s']} s",
        )
        big = int(n) >= 1_000_000
        table.row(
            f"{count}: Send (snapshot, freeze, commit)",
            f"{freeze['send_issue_now_s']} s",
            target=f"< {FREEZE_SECONDS} s" if big else "",
            ok=freeze["send_issue_now_s"] < FREEZE_SECONDS if big else None,
        )
        worker = figures["worker"]
        if figures.get("batch_api"):
            table.row(
                f"{count}: whole send, Send to last row sent",
                f"{figures['send_s']} s, {worker['sent']:,} sent, {figures['calls']:,} calls",
                target=f"< {SEND_SECONDS} s" if big else "",
                ok=figures["send_s"] < SEND_SECONDS and worker["sent"] >= int(n) if big else None,
            )
        table.row(
            f"{count}: worker peak RSS (idle {worker['idle_rss_kb'] // 1024} MB)",
            f"{worker['peak_rss_kb'] / 1024:.1f} MB" if worker["peak_rss_kb"] else "-",
        )
    small, large = (sizes[key]["worker"]["peak_rss_kb"] for key in list(sizes)[:2])
    if small and large:
        keys = [f"{int(key):,}" for key in list(sizes)[:2]]
        table.row(
            f"worker peak RSS, {keys[0]} -> {keys[1]}",
            f"{large / small:.2f}x",
            target=f"< {SCALE_MEMORY}x",
            ok=large / small < SCALE_MEMORY,
        )
