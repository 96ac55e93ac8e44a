"""Subscribers, lists and segments, the newsletter's settings and its bookkeeping."""

from .lists import MailingList, Segment
from .records import SignupAttempt, Suppression
from .settings import NewsletterSettings
from .subscriber import Subscriber, SubscriberQuerySet

__all__ = [
    "MailingList",
    "NewsletterSettings",
    "Segment",
    "SignupAttempt",
    "Subscriber",
    "SubscriberQuerySet",
    "Suppression",
]
