"""The trials' stage: databases, the environment of every Django process, and db_worker.

Built on the tools' shared helpers (``trials.processes``, ``trials.project``), with every
file under ``var/chaos/``: ``data/`` is rebuilt on every run, ``results/`` keeps one JSON file
per run.

A trial starts from a copy of one template database: migrated, seeded with the demo content
and N subscribers, Wagtail's own tasks done, and today's issue sent with ``send_issue``, so
the campaign is "sending", one delivery row per subscriber waits and the send task is queued.
The first ``db_worker`` started on a copy picks that task up. On SQLite a copy is a file copy;
on PostgreSQL ``CREATE DATABASE ... TEMPLATE``.
"""

import os
import sqlite3
import time
from urllib.parse import urlsplit, urlunsplit

from trials import project
from trials.processes import ROOT, log
from trials.project import (
    checkpoint,
    copy_sqlite,
    django_json,
    drain,
    manage,
    migrate_and_seed,
    remove_sqlite,
    seed_env,
)

VAR = ROOT / "var" / "chaos"
DATA = VAR / "data"
RESULTS = VAR / "results"


def django_env(database_url, sink_port, **extra):
    """Production settings, this run's database, media and static files, mail to the sink."""
    return project.django_env(
        data=DATA,
        database_url=database_url,
        EMAIL_URL=f"smtp://127.0.0.1:{sink_port}?timeout=30",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "INFO"),
        **extra,
    )


def mailgun_env(database_url, mailgun, lease_seconds, batch_size, batch_calls):
    """As ``django_env``, the mail through anymail's Mailgun client to ``mailgun`` (the local
    server, ``trials.mailgun``), ``batch_size`` readers a call, ``batch_calls`` calls at once
    per worker."""
    return project.django_env(
        data=DATA,
        database_url=database_url,
        EMAIL_URL=f"mailgun://chaos-key@?sender_domain=mg.example.com&api_url={mailgun.url}",
        ANYMAIL_WEBHOOK_SECRET="hooks:chaos",
        ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY="chaos",
        NEWSLETTER_LEASE_SECONDS=lease_seconds,
        NEWSLETTER_API_BATCH_SIZE=batch_size,
        NEWSLETTER_API_BATCH_CALLS=batch_calls,
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "INFO"),
    )


def appstate(env, command="state"):
    """What the application says about the send (``trials.chaos.appstate``)."""
    return django_json("trials.chaos.appstate", env, command, timeout=300)


# Databases


class SQLiteDatabases:
    """Template and trial databases as files under var/chaos/data/."""

    kind = "SQLite"

    def url(self, name):
        return f"sqlite:///{DATA / (name + '.sqlite3')}"

    def path(self, name):
        return DATA / f"{name}.sqlite3"

    def create_empty(self, name):
        self.drop(name)

    def finish_template(self, name):
        checkpoint(self.path(name))

    def copy(self, template, name):
        copy_sqlite(self.path(template), self.path(name))
        return self.url(name)

    def drop(self, name):
        remove_sqlite(self.path(name))

    def query(self, name, sql):
        connection = sqlite3.connect(self.path(name), timeout=60)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()


class PostgresDatabases:
    """Databases named ``<name of DATABASE_URL's database>_chaos_<name>`` on its server,
    with its credentials (the role needs CREATEDB), dropped when the run ends."""

    kind = "PostgreSQL"

    def __init__(self, database_url):
        self.parts = urlsplit(database_url)
        self.base = self.parts.path.lstrip("/") or "postgres"
        self.made = set()

    def dbname(self, name):
        return f"{self.base}_chaos_{name}"

    def url(self, name, port=None):
        netloc = self.parts.netloc
        if port is not None:
            netloc = f"{netloc.rpartition('@')[0]}@127.0.0.1:{port}"
        return urlunsplit(("postgres", netloc, "/" + self.dbname(name), "", ""))

    @property
    def host(self):
        return self.parts.hostname or "127.0.0.1"

    @property
    def port(self):
        return self.parts.port or 5432

    def connect(self, dbname):
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            dbname=dbname,
            user=self.parts.username,
            password=self.parts.password,
            autocommit=True,
            connect_timeout=10,
        )

    def admin(self, sql):
        with self.connect(self.base) as connection:
            connection.execute(sql)

    def create_empty(self, name):
        self.drop(name)
        self.admin(f'CREATE DATABASE "{self.dbname(name)}"')
        self.made.add(name)

    def finish_template(self, name):
        pass

    def copy(self, template, name):
        self.drop(name)
        self.admin(f'CREATE DATABASE "{self.dbname(name)}" TEMPLATE "{self.dbname(template)}"')
        self.made.add(name)
        return self.url(name)

    def drop(self, name, patience=60):
        """``WITH (FORCE)`` ends this role's sessions still on it. An autovacuum worker (the
        server's own, busy after a big send) is not ours to end: FORCE then refuses, and a
        plain DROP, which asks autovacuum to stop, is tried until it goes through."""
        from psycopg import errors

        statement = f'DROP DATABASE IF EXISTS "{self.dbname(name)}"'
        deadline = time.monotonic() + patience
        while True:
            try:
                self.admin(f"{statement} WITH (FORCE)")
                break
            except errors.InsufficientPrivilege:
                try:
                    self.admin(statement)
                    break
                except errors.ObjectInUse:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(1)
        self.made.discard(name)

    def drop_all(self):
        for name in list(self.made):
            try:
                self.drop(name)
            except Exception as error:  # the run's result matters more than a leftover
                log(f"could not drop {self.dbname(name)}: {error}")

    def query(self, name, sql):
        with self.connect(self.dbname(name)) as connection:
            return connection.execute(sql).fetchall()


def databases_for(database_url):
    if database_url and database_url.split(":", 1)[0] in ("postgres", "postgresql", "pgsql"):
        return PostgresDatabases(database_url)
    return SQLiteDatabases()


def make_template(databases, name, subscribers, sink_port):
    """Migrated, seeded, N subscribers, Wagtail's tasks done, today's issue sent (queued)."""
    started = time.monotonic()
    databases.create_empty(name)
    env = django_env(databases.url(name), sink_port)
    log(
        f"{databases.kind} template {name}: migrate, seed_demo --subscribers {subscribers:,}, "
        "send_issue"
    )
    migrate_and_seed(env)
    manage(
        ["seed_demo", "--quiet", "--subscribers", str(subscribers)],
        seed_env(env),
        f"{name}-seed-subscribers",
    )
    drain(env, f"{name}-drain", "--no-startup-delay")
    _, output = manage(["send_issue"], env, f"{name}-send-issue")
    databases.finish_template(name)
    log(
        f"template ready in {time.monotonic() - started:.0f}s: "
        f"{output.strip().splitlines()[-1] if output.strip() else ''}"
    )
    return env


def campaign_status(databases, name):
    rows = databases.query(
        name,
        "SELECT status FROM newsletter_campaign "
        "WHERE snapshot_id IS NOT NULL ORDER BY id DESC LIMIT 1",
    )
    return rows[0][0] if rows else None


def wait_until_sent(databases, name, sink, workers, timeout):
    """Until the campaign is marked sent and the sink has been quiet for a moment; returns
    the seconds waited (None if it never finished)."""
    started = time.monotonic()
    deadline = started + timeout
    while time.monotonic() < deadline:
        dead = [worker for worker in workers if not worker.alive()]
        if dead:
            log(f"{dead[0].name} exited:\n{dead[0].tail()}")
            return None
        try:
            status = campaign_status(databases, name)
        except Exception as error:  # a locked file or a busy server: ask again
            log(f"reading the campaign's status failed ({error}); trying again")
            status = None
        if status == "sent" and (sink.last_at is None or time.monotonic() - sink.last_at > 0.5):
            return time.monotonic() - started
        time.sleep(0.25)
    return None
