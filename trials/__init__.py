"""Trials of the whole site on this machine: the benchmark, the fault trials, the load run.

Each is a subpackage run with ``python -m`` from the repository's root (the project's
``config``, ``newsletter``... import from there), as the Makefile does:

    make bench    python -m trials.bench    var/bench/   figures beside their ceilings
    make chaos    python -m trials.chaos    var/chaos/   a killed worker, two workers, an outage
    make load     python -m trials.load     var/load/    readers while an issue is sent

What they share sits at this level: ``processes`` (logs, background processes, ports, the
machine), ``project`` (the production environment, ``manage.py``, db_worker, gunicorn, SQLite
copies), ``services`` (wrk and Postfix's smtp-sink) and ``probe`` (measurements inside
Django). None of it is imported by the site, and none of it imports Django but the scripts
that run inside it (``probe``, ``chaos.appstate``), in their own processes.
"""
