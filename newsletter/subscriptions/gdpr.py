"""Requests under data-protection law: everything we hold about a subscriber, and erasure."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry

from newsletter.addresses import email_hash
from newsletter.models import Click, Open, Subscriber, Suppression
from newsletter.subscriptions.exporting import COLUMNS
from newsletter.subscriptions.throttle import forget_address

Status = Subscriber.Status
SUPPRESSION_REASONS = {
    Status.UNSUBSCRIBED: Suppression.Reason.UNSUBSCRIBED,
    Status.BOUNCED: Suppression.Reason.BOUNCED,
    Status.COMPLAINED: Suppression.Reason.COMPLAINED,
}


def _history(subscriber):
    return ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Subscriber),
        object_id=str(subscriber.pk),
    ).order_by("timestamp", "pk")


def _json(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _headline(snapshot, rank):
    for story in snapshot.stories or []:
        if story.get("rank") == rank:
            return story.get("headline", "")
    return ""


def _clicks(subscriber):
    """Their clicks through the links of the issues they were sent (the per-subscriber
    privacy mode; after the retention period none are left)."""
    clicks = (
        Click.objects.filter(delivery__subscriber=subscriber)
        .select_related("link", "snapshot")
        .order_by("at", "pk")
    )
    return [
        {
            "issue": click.snapshot.issue_date.isoformat(),
            "story_rank": click.rank,
            "story_headline": _headline(click.snapshot, click.rank) if click.rank else "",
            "link_text": click.link.label,
            "link_role": click.link.get_role_display(),
            "when": click.at.isoformat(),
            "counted_as": "a person" if click.human else f"a machine: {click.get_reason_display()}",
        }
        for click in clicks
    ]


def _opens(subscriber):
    opens = (
        Open.objects.filter(delivery__subscriber=subscriber)
        .select_related("snapshot")
        .order_by("at", "pk")
    )
    return [
        {
            "issue": opened.snapshot.issue_date.isoformat(),
            "when": opened.at.isoformat(),
            "counted_as": "a machine's pre-fetch" if opened.machine else "an open",
        }
        for opened in opens
    ]


def personal_data(subscriber):
    """Everything held about the subscriber, as JSON-ready data."""
    data = {name: _json(getattr(subscriber, name)) for name in COLUMNS if name != "lists"}
    data["lists"] = [
        {"name": mailing_list.name, "slug": mailing_list.slug}
        for mailing_list in subscriber.lists.all()
    ]
    data["history"] = [
        {"when": entry.timestamp.isoformat(), "what": entry.message, "details": entry.data}
        for entry in _history(subscriber)
    ]
    data["signup_mail_sent_at"] = _json(subscriber.signup_mail_sent_at)
    data["clicks"] = _clicks(subscriber)
    data["opens"] = _opens(subscriber)
    data["exported_at"] = timezone.now().isoformat()
    return data


@transaction.atomic
def erase(subscriber):
    """Delete the subscriber, their history, their clicks and opens, and their rate-limit
    records.

    Only a SHA-256 of the address stays behind (``Suppression``), so an old list imported
    later can't add them back. Signing up again on the site still works: it's a fresh,
    confirmed request, and confirming lifts the suppression.
    """
    address = subscriber.email
    _history(subscriber).delete()
    # Before the subscriber goes: their deliveries stop naming them then.
    Click.objects.filter(delivery__subscriber=subscriber).delete()
    Open.objects.filter(delivery__subscriber=subscriber).delete()
    forget_address(address)
    reason = SUPPRESSION_REASONS.get(subscriber.status, Suppression.Reason.ERASED)
    subscriber.delete()
    suppression, _ = Suppression.objects.update_or_create(
        email_hash=email_hash(address), defaults={"reason": reason}
    )
    return suppression
