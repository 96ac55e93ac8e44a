"""Part 6: a publish through one web machine, served fresh by another, through Redis.

Two gunicorn processes (1 sync worker each) with their own working folders and generation
files, on one copy of the seeded database and one ``redis-server`` started here (Debian's;
as root it is installed when missing). The editor (``editor``/``editor``) unpublishes and
publishes again, ``BENCH_INVALIDATION_TRIALS`` times (10), one article through machine A's
bulk actions, while readers keep reading the news index on machine B, which has it cached.
Measured: how long after A's response to the editor B still answered with the old page
(its last stale answer), and whether any request B got ``PAGE_CACHE_GENERATION_CHECK_SECONDS``
(0.25 s) or more after A answered was stale (none may be).
"""

import os
import random
import shutil
import statistics
import subprocess
import time

from trials.bench.stage import DATA, django_env
from trials.machines import Editor, Machine, Reader, served, stale_for
from trials.processes import Proc, free_port, log, wait_port
from trials.project import copy_sqlite, django_json

CHECK_SECONDS = 0.25  # the default of PAGE_CACHE_GENERATION_CHECK_SECONDS


def ensure_redis_server():
    found = shutil.which("redis-server")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("make bench needs redis-server: sudo apt-get install -y redis-server")
    log("installing Debian's redis-server")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-q", "redis-server"]
    if subprocess.run(install, env=env, capture_output=True).returncode:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        subprocess.run(install, env=env, capture_output=True, check=True)
    return shutil.which("redis-server")


def start_redis():
    folder = DATA / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [ensure_redis_server(), "--port", str(port), "--bind", "127.0.0.1"]
    argv += ["--dir", str(folder), "--save", "", "--appendonly", "no"]
    proc = Proc("redis-server", argv, dict(os.environ))
    wait_port(port, proc)
    return f"redis://127.0.0.1:{port}/0"


def run(template_db):
    db = DATA / "invalidation.sqlite3"
    copy_sqlite(template_db, db)
    trials = int(os.environ.get("BENCH_INVALIDATION_TRIALS", 10))
    env = django_env(db, CACHE_URL=start_redis())
    env.pop("PAGE_CACHE_URL", None)
    listed = django_json("trials.bench.invalidation_inside", env)
    log(f"two machines, one Redis: {trials} unpublish/publish pairs through A, read on B")
    a = Machine("machine-a", DATA / "machine-a", env)
    b = Machine("machine-b", DATA / "machine-b", env)
    index = listed["index"]
    _, _, text = served(b, index)
    article = next(item for item in listed["articles"] if f'href="{item["url"]}"' in text)
    editor = Editor(a, "editor", "editor")
    stale_ms, stale = [], 0
    for _ in range(trials):
        for action, listed_after in (("unpublish", False), ("publish", True)):
            served(b, index)
            if served(b, index)[1] != "hit":
                raise RuntimeError(f"B did not cache {index}")

            def fresh(status, text, want=listed_after):
                return status == 200 and (f'href="{article["url"]}"' in text) == want

            # Readers keep reading B throughout, so its copy of the generation is as fresh
            # as a busy site's, and the change lands anywhere in its 0.25 s.
            reader = Reader(b, index, fresh)
            time.sleep(random.uniform(0.3, 0.6))
            answered = editor.bulk(action, article["id"])
            time.sleep(CHECK_SECONDS + 0.3)
            answers = reader.stop()
            stale += sum(
                1 for sent, _, ok in answers if sent - answered >= CHECK_SECONDS and not ok
            )
            if not any(ok for sent, _, ok in answers if sent > answered):
                raise RuntimeError(f"B never served the {action} fresh")
            stale_ms.append(round(stale_for(answers, answered) * 1000, 1))
    a.stop(), b.stop()
    ms = sorted(stale_ms)
    return {
        "changes": len(ms),
        "check_seconds": CHECK_SECONDS,
        "median_ms": round(statistics.median(ms), 1),
        "max_ms": ms[-1],
        "min_ms": ms[0],
        "all_ms": ms,
        "stale_after_bound": stale,
    }
