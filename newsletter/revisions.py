"""What is sent is what is published: the one rule for the issue's versions.

Sending (the Newsletter tab's Send and Schedule, a schedule coming due, ``manage.py
send_issue``) always freezes the **published** issue: the page's own row, which Wagtail keeps
as its live revision. A newer draft, whoever saved it, never stops that: it only earns a
warning (``newer_draft_warning``), before sending on the "Ready to send?" panel and after it
on the campaign's report, so that someone who may edit but not publish can't hold back the
morning's issue by saving one.

Two kinds of draft are not "newer" at all:

- one that differs from the published version only in the Newsletter tab (recipients,
  subject): every button of that tab saves a draft, and sending publishes those settings
  (``publish_newsletter_settings`` in the campaign backend);
- one that differs only in line endings: a browser posts a text area's line breaks as CR LF,
  while text saved by code has LF. The model saves LF (``IssuePage.clean``) and the
  comparison here ignores the difference for revisions saved before it did.
"""

from wagtail.models import Revision

# Newsletter-tab fields and bookkeeping: not part of what an editor changes in the issue.
NOT_CONTENT = {"newsletter_recipients", "newsletter_subject", "newsletter_campaign", "comments"}
NEWER_DRAFT = ("There is a newer draft of this issue that is not published yet: the published "
               "version will be sent. Publish the draft first if it should go out instead.")


def normalise_newlines(value):
    """``value`` with CR LF and lone CR turned into LF, in strings at any depth."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, list):
        return [normalise_newlines(item) for item in value]
    if isinstance(value, dict):
        return {key: normalise_newlines(item) for key, item in value.items()}
    return value


def comparable(content, fields):
    """The editor-controlled part of a revision's content: form fields, child rows in their
    order without their ids, and line endings as LF."""
    result = {}
    for name in fields:
        value = content.get(name)
        if isinstance(value, list) and all(isinstance(item, dict) for item in value):
            rows = sorted(value, key=lambda row: row.get("sort_order") or 0)
            value = [{k: v for k, v in row.items() if k not in {"pk", "id", "page",
                                                                  "sort_order"}}
                     for row in rows]
        result[name] = normalise_newlines(value)
    return result


def content_fields():
    """The issue's fields an editor changes in the Content, Promote and Settings tabs."""
    from newsletter.models import IssuePage

    form_class = IssuePage.get_edit_handler().get_form_class()
    fields = [*(form_class._meta.fields or []), *form_class.formsets]
    return [name for name in fields if name not in NOT_CONTENT]


def _revisions(issue):
    """``(live revision id, latest revision id)`` of a published issue with a draft, from
    the database; None when there is no draft to think about."""
    from newsletter.models import IssuePage

    row = (IssuePage.objects.filter(pk=issue.pk)
           .values("live", "has_unpublished_changes", "live_revision", "latest_revision")
           .first())
    if not row or not (row["live"] and row["has_unpublished_changes"]):
        return None
    if row["live_revision"] is None or row["latest_revision"] is None:
        return None
    return row["live_revision"], row["latest_revision"]


def draft_differs(issue):
    """True if the issue is published and its latest draft changes what readers would read
    (more than the Newsletter tab, more than line endings)."""
    revisions = _revisions(issue)
    if revisions is None or revisions[0] == revisions[1]:
        return False
    live, latest = revisions
    contents = dict(Revision.objects.filter(pk__in=[live, latest]).values_list("pk", "content"))
    if live not in contents or latest not in contents:
        return False
    fields = content_fields()
    return comparable(contents[live], fields) != comparable(contents[latest], fields)


def only_newsletter_settings_changed(issue):
    """True if the issue's draft differs from its published version only in the Newsletter
    tab (recipients, subject) or in line endings: sending may publish it as it is."""
    return _revisions(issue) is not None and not draft_differs(issue)


def newer_draft_warning(issue):
    """``NEWER_DRAFT`` when a newer draft of the published issue will not be sent, else ""."""
    return NEWER_DRAFT if draft_differs(issue) else ""


def version_to_send(issue):
    """The issue as it would go out now: the published page for a published issue (a draft
    is not sent), else its latest draft (which must be published first)."""
    from newsletter.models import IssuePage

    if issue.pk is None:
        return issue
    saved = IssuePage.objects.filter(pk=issue.pk).first()
    if saved is None:
        return issue
    if saved.live:
        return saved
    return saved.get_latest_revision_as_object()
