"""What a new issue starts with, so that editors don't choose it again every morning: the
readers it goes to (the sign-up list's readers)."""

from django.db.models import Q

from newsletter.models import MailingList, ReaderGroup


def default_list():
    """The list readers join when they sign up (the daily list), else the only list."""
    lists = list(MailingList.objects.order_by("-join_on_signup", "pk")[:2])
    if not lists:
        return None
    if lists[0].join_on_signup or len(lists) == 1:
        return lists[0]
    return None


def default_recipients():
    """The recipients a new issue goes to: the default list's readers, as a ``ReaderGroup``
    (wagtail-newsletter's recipients; created the first time, named after the list); None
    without a default list."""
    mailing_list = default_list()
    if mailing_list is None:
        return None
    audience = str(mailing_list.pk)
    recipients = (
        ReaderGroup.objects.filter(Q(segment="") | Q(segment__isnull=True), audience=audience)
        .order_by("pk")
        .first()
    )
    if recipients is None:
        recipients = ReaderGroup.objects.create(
            name=f"{mailing_list.name} readers", audience=audience, segment=""
        )
    return recipients
