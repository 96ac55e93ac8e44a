"""A subscriber's history in Wagtail's audit log: what happened, when, and by which route.

Editors read it on the subscriber's History page; the personal-data export includes it and
erasure deletes it.
"""

from wagtail.log_actions import log

ACTIONS = {
    "newsletter.signup": ("Sign up", "Signed up on the site"),
    "newsletter.confirm": ("Confirm", "Confirmed by email link"),
    "newsletter.unsubscribe": ("Unsubscribe", "Unsubscribed"),
    "newsletter.resubscribe": ("Resubscribe", "Subscribed again"),
    "newsletter.pause": ("Pause", "Paused the newsletter"),
    "newsletter.resume": ("Resume", "Resumed the newsletter"),
    "newsletter.bounce": ("Bounce", "Marked as bounced"),
    "newsletter.complaint": ("Complaint", "Marked as complained"),
    "newsletter.mail_failed": ("Email failed", "An email to them could not be sent"),
}


def log_event(subscriber, action, **data):
    """Add one entry to the subscriber's history; ``data`` must be JSON-serialisable."""
    return log(instance=subscriber, action=action, data=data)


def register(actions):
    """For the ``register_log_actions`` hook."""
    for action, (label, message) in ACTIONS.items():
        actions.register_action(action, label, message)
