"""Subscribers, lists and segments, the newsletter's settings and its bookkeeping."""

from .issue import IssueIndexPage, IssuePage, IssueStory
from .lists import MailingList, Segment
from .records import Suppression
from .sending import Campaign, Delivery, IssueSnapshot
from .settings import NewsletterSettings
from .subscriber import Subscriber, SubscriberQuerySet

__all__ = [
    "Campaign",
    "Delivery",
    "IssueIndexPage",
    "IssuePage",
    "IssueSnapshot",
    "IssueStory",
    "MailingList",
    "NewsletterSettings",
    "Segment",
    "Subscriber",
    "SubscriberQuerySet",
    "Suppression",
]
