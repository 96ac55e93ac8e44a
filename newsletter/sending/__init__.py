"""Sending an issue: freeze it and its recipients, then deliver in the background.

- ``orchestration``: ``send_issue_now``, pause / resume / cancel, ``report``, ``send_test``.
- ``scheduling``: ``schedule``, ``unschedule`` and ``run_due_and_stalled`` (db_worker's
  housekeeping: due schedules, stalled sends).
- ``recipients``: the audience, frozen into one ``Delivery`` per subscriber.
- ``message``: the message serialised once, made personal per recipient.
- ``worker`` and ``transport``: leased batches, the SMTP fast path, retries and bounces.
- ``tasks``: the django.tasks task the worker runs.

Import from the submodule where a name lives: this package re-exports nothing, so importing
one part of sending never loads (or waits for) the others.
"""
