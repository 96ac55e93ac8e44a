"""Background work: transactional mail leaves the request for the task worker.

Sending from the worker keeps SMTP latency and failures out of the reader's request, and
makes the sign-up response take the same time whether or not a mail goes out (so its timing
doesn't reveal who is on the list). Tasks take ids and re-read the subscriber, so a mail for
someone who has since left is not sent.
"""

import logging
from email.errors import MessageError

from django.tasks import task

from newsletter.models import Subscriber
from newsletter.subscriptions import emails
from newsletter.subscriptions.history import log_event

logger = logging.getLogger(__name__)

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
    try:
        return send(subscriber)
    except (ValueError, MessageError) as error:
        # A mail that can't even be built (e.g. a line break in the sender name, saved before
        # the settings form refused it) fails the same way every time: say so where editors
        # look, and free the sign-up window so that, once fixed, asking again sends one.
        logger.error("The %s email to subscriber %s could not be sent: %s", kind,
                     subscriber_id, error)
        log_event(subscriber, "newsletter.mail_failed", email=kind, reason=str(error)[:300])
        Subscriber.objects.filter(pk=subscriber_id).update(signup_mail_sent_at=None)
        return False


def queue_email(kind, subscriber):
    if kind not in KINDS:
        raise ValueError(f"Unknown subscriber email {kind!r}")
    send_subscriber_email.enqueue(kind, subscriber.pk)
