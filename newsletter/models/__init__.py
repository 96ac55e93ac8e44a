"""Subscribers, lists and segments, the newsletter's settings and its bookkeeping."""

from .engagement import Click, ClickRollup, DailyClicks, Open, TrackedLink
from .issue import IssueIndexPage, IssuePage, IssueStory
from .lists import MailingList, ReaderGroup, Segment
from .records import PreparedDraft, Suppression
from .sending import Campaign, Delivery, IssueSnapshot
from .settings import NewsletterSettings
from .subscriber import Subscriber, SubscriberQuerySet

__all__ = [
    "Campaign",
    "Click",
    "ClickRollup",
    "DailyClicks",
    "Delivery",
    "IssueIndexPage",
    "IssuePage",
    "IssueSnapshot",
    "IssueStory",
    "MailingList",
    "NewsletterSettings",
    "Open",
    "PreparedDraft",
    "ReaderGroup",
    "Segment",
    "Subscriber",
    "SubscriberQuerySet",
    "Suppression",
    "TrackedLink",
]
