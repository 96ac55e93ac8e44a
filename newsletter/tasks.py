"""Background work: transactional mail leaves the request for the task worker.

Sending from the worker keeps SMTP latency and failures out of the reader's request, and
makes the sign-up response take the same time whether or not a mail goes out (so its timing
doesn't reveal who is on the list). Tasks take ids and re-read the subscriber, so a mail for
someone who has since left is not sent.
"""

from django.tasks import task

from newsletter import emails
from newsletter.models import Subscriber

Status = Subscriber.Status
# Which mail, and the status the subscriber must still have for it to make sense.
KINDS = {
    "confirm": (emails.send_confirmation, Status.PENDING),
    "welcome": (emails.send_welcome, Status.ACTIVE),
    "already_subscribed": (emails.send_already_subscribed, Status.ACTIVE),
}


@task(queue_name="default")
def send_subscriber_email(kind, subscriber_id):
    send, status = KINDS[kind]
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=status).first()
    if subscriber is None:
        return False
    return send(subscriber)


def queue_email(kind, subscriber):
    if kind not in KINDS:
        raise ValueError(f"Unknown subscriber email {kind!r}")
    send_subscriber_email.enqueue(kind, subscriber.pk)
