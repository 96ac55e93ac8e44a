"""Background work: transactional mail leaves the request for the task worker.

Sending from the worker keeps SMTP latency and failures out of the reader's request, and
makes the sign-up response take the same time whether or not a mail goes out (so its timing
doesn't reveal who is on the list). Tasks take ids and re-read the subscriber, so a mail for
someone who has since left is not sent.

The task functions live here, thin, because a queued task row stores its function's dotted
path (``newsletter.tasks.send_subscriber_email``): the work is in
``newsletter.subscriptions.emails``.
"""

from django.tasks import task

from newsletter.subscriptions import emails


@task(queue_name="default")
def send_subscriber_email(kind, subscriber_id):
    return emails.send_queued(kind, subscriber_id)


def queue_email(kind, subscriber):
    if kind not in emails.KINDS:
        raise ValueError(f"Unknown subscriber email {kind!r}")
    send_subscriber_email.enqueue(kind, subscriber.pk)
