"""wagtail/bakerydemo, prepared once and served for the long-tail comparison (part 6).

    python -m trials.bench.bakerydemo prepare SOURCE DIR

SOURCE is a clone of wagtail/bakerydemo (a path or a git URL); DIR receives a checkout of
``COMMIT`` (``src/``), its own venv (``venv/``, its ``requirements/base.txt`` from PyPI plus
whitenoise and our gunicorn version, as its production settings need), its SQLite database
with its demo content (``load_initial_data``) and its collected static files. This is the only
step that downloads anything; the benchmark then serves DIR as it is (``BAKERYDEMO_DIR=DIR``).
None of bakerydemo's code is part of this project.

bakerydemo is served with its own production settings (``bakerydemo.settings.production``:
DEBUG off, whitenoise, a locmem cache, no page cache), SQLite, under gunicorn's sync workers.
"""

import argparse
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

# The newest bakerydemo commit when this was written (2026-08-19): Wagtail 7.4, Django 6.0
# (our Wagtail 8.0 / Django 6.1 are newer than it supports), Python 3.12.
COMMIT = "8e2b625755d8942412d5b7627b146a795933b8b2"
# The first of its blog posts (load_initial_data's order); the others are of the same make.
BLOG_PATH = "/blog/wild-yeast/"
SETTINGS = "bakerydemo.settings.production"


def environment(directory, secret_key="prepare-only-not-served"):
    """bakerydemo's production settings on its SQLite file, and nothing from our shell
    (our DATABASE_URL or DJANGO_SETTINGS_MODULE would send it elsewhere)."""
    return {
        "PATH": f"{directory / 'venv' / 'bin'}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DJANGO_SECRET_KEY": secret_key,
        "DATABASE_NAME": str(directory / "bakerydemodb"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "WARNING",
        # Plain HTTP on 127.0.0.1, as ours (trials.project): no redirect to https.
        "SECURE_SSL_REDIRECT": "False",
    }


def prepared(directory):
    """``directory`` if a finished ``prepare`` left it, else None."""
    directory = directory.resolve()
    if (directory / "prepared.json").exists() and (
        directory / "venv" / "bin" / "gunicorn"
    ).exists():
        return directory
    return None


def describe(directory):
    return json.loads((directory / "prepared.json").read_text())


def gunicorn_command(directory, workers, port, secret_key):
    argv = [
        str(directory / "venv" / "bin" / "gunicorn"),
        "bakerydemo.wsgi:application",
        "--chdir",
        str(directory / "src"),
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    return argv, environment(directory, secret_key)


def step(argv, env=None, cwd=None):
    print("$", " ".join(map(str, argv)), file=sys.stderr, flush=True)
    subprocess.run(argv, env=env, cwd=cwd, check=True)


def prepare(source, directory):
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    src, venv = directory / "src", directory / "venv"
    if not src.exists():
        step(["git", "clone", "--quiet", str(source), str(src)])
    step(["git", "-C", str(src), "checkout", "--quiet", COMMIT])
    if not venv.exists():
        step([sys.executable, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    step(
        [
            *pip,
            "-r",
            str(src / "requirements" / "base.txt"),
            "whitenoise>=6.11,<7",
            f"gunicorn=={metadata.version('gunicorn')}",
        ]
    )
    env = environment(directory)
    python = str(venv / "bin" / "python")
    step([python, "manage.py", "migrate", "--noinput", "-v0"], env, src)
    step([python, "manage.py", "load_initial_data"], env, src)
    step([python, "manage.py", "collectstatic", "--noinput", "-v0"], env, src)
    # The first view of a page makes its photos' renditions (seconds each): made here, once.
    warm = (
        "from django.test import Client; client = Client(HTTP_HOST='127.0.0.1'); "
        f"print([client.get(path).status_code for path in ('/', '{BLOG_PATH}')])"
    )
    step([python, "manage.py", "shell", "-v0", "-c", warm], env, src)
    freeze = subprocess.run(
        [python, "-m", "pip", "freeze"], capture_output=True, text=True, check=True
    ).stdout
    versions = {
        name: version
        for name, _, version in (line.partition("==") for line in freeze.splitlines())
        if name.lower() in ("django", "wagtail", "gunicorn", "whitenoise")
    }
    python_version = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    record = {"commit": COMMIT, "python": python_version, **versions}
    (directory / "pip-freeze.txt").write_text(freeze)
    (directory / "prepared.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"bakerydemo ready in {directory}: BAKERYDEMO_DIR={directory} make bench")
    print(json.dumps(record))


def main():
    parser = argparse.ArgumentParser(prog="python -m trials.bench.bakerydemo", description=__doc__)
    parser.add_argument("command", choices=["prepare"])
    parser.add_argument("source", help="a clone of wagtail/bakerydemo: a path or a git URL")
    parser.add_argument("directory", type=Path, help="where to prepare it, e.g. /tmp/bakerydemo")
    args = parser.parse_args()
    prepare(args.source, args.directory)


if __name__ == "__main__":
    main()
