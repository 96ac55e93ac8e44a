"""The newsletter's rules, each written once: what an issue may hold, which version of it goes
out and whether that version is ready, and how a campaign moves from saved to sent.

The bottom layer of the app: it imports no newsletter module and works on the instances it is
given (an issue, its stories, a campaign's status), so the model, the edit form, the "Ready to
send?" panel, the campaign backend and sending all ask the same rule and say the same words.

What is sent is what is published. Sending (the Newsletter tab's Send and Schedule, a schedule
coming due, ``manage.py send_issue``) always freezes the **published** issue: the page's own
row, which Wagtail keeps as its live revision. A newer draft, whoever saved it, never stops
that: it only earns a warning (``newer_draft_warning``), before sending on the "Ready to send?"
panel and after it on the campaign's report, so that someone who may edit but not publish
can't hold back the morning's issue by saving one. Two kinds of draft are not "newer" at all:

- one that differs from the published version only in the Newsletter tab (recipients,
  subject): every button of that tab saves a draft, and sending publishes those settings
  (``publish_newsletter_settings`` in the campaign backend);
- one that differs only in line endings: a browser posts a text area's line breaks as CR LF,
  while text saved by code has LF. The model saves LF (``normalise_newlines``) and the
  comparison here ignores the difference for revisions saved before it did.
"""

import datetime
from typing import NamedTuple

from django.utils.dateformat import format as format_date
from wagtail.models import Revision

# The issue's date and title

ISSUE_TITLE = "Issue of {day}"


def issue_title(issue_date):
    """The name an issue starts with, from its date: "Issue of 3 December 2026"."""
    return ISSUE_TITLE.format(day=format_date(issue_date, "j F Y"))


def default_subject(publication, issue_date):
    """The subject an issue is sent with when the editor writes none, e.g. "Lisa's Top Ten:
    Wednesday 2 December 2026" (the publication is Settings > Newsletter's sender name)."""
    return f"{publication}: {format_date(issue_date, 'l j F Y')}"


def subject_help(publication, issue_date):
    """The Subject box's help, saying what is sent if it is left blank."""
    return (
        f'Leave blank to send "{default_subject(publication, issue_date)}": the sender name '
        "from Settings > Newsletter and the issue's date. Write your own to say more, e.g. "
        f'"{publication}: allies regroup, floods in Bangladesh".'
    )


def is_automatic_title(title):
    """Is ``title`` the name an issue starts with (for any date), so it follows the date?"""
    prefix, _, day = ISSUE_TITLE.partition("{day}")
    if not title.startswith(prefix):
        return False
    try:
        datetime.datetime.strptime(title.removeprefix(prefix), "%d %B %Y")
    except ValueError:
        return False
    return True


def date_taken(issue_date):
    """What an editor reads when another issue already has ``issue_date``."""
    return (
        f"There is already an issue for {format_date(issue_date, 'l j F Y')}: open it from "
        "Issues, or choose another date."
    )


# Stories

STORIES_PER_ISSUE = 10


def story_problems(stories):
    """What no version of an issue may hold, not even a draft: the same article twice, or
    more than ten stories. ``stories`` are the issue's stories in rank order (anything with
    ``article_id``; ``article`` is read only to name an article that is there twice)."""
    problems = []
    repeated = repeated_story(stories)
    if repeated is not None:
        problems.append(twice(repeated))
    if len(stories) > STORIES_PER_ISSUE:
        problems.append(
            f"An issue holds {STORIES_PER_ISSUE} stories; this one has {len(stories)}. Remove some."
        )
    return problems


def repeated_story(stories):
    """The first story whose article an earlier story already has, or None."""
    seen = set()
    for story in stories:
        if story.article_id in seen:
            return story
        seen.add(story.article_id)
    return None


def twice(story):
    return f'"{story.article.title}" is in this issue twice: remove one of them.'


# Readiness


def sending_problems(version, stories=None):
    """Plain-words reasons this version of an issue can't be sent as it stands, or an empty
    list. Judge the version that would go out (``version_to_send``): a newer draft is not a
    problem, a review in progress is (someone asked for the issue to be looked at before it
    goes out, and only the reviewer can say it may). ``stories``: the version's stories in
    rank order with their articles, when the caller read them already (a list of issues)."""
    problems = []
    if not version.live:
        problems.append(
            "This issue is not published: publish it first. What is sent is what is published."
        )
    if version.workflow_in_progress:
        problems.append("This issue is still in a review workflow: finish or cancel it first.")
    if stories is None:
        stories = list(version.stories.select_related("article"))
    if len(stories) != STORIES_PER_ISSUE:
        problems.append(
            f"An issue needs exactly {STORIES_PER_ISSUE} stories; this one "
            f"has {len(stories)} of {STORIES_PER_ISSUE}."
        )
    repeated = repeated_story(stories)
    if repeated is not None:
        problems.append(twice(repeated))
    for story in stories:
        if not story.article.live:
            problems.append(
                f'"{story.article.title}" is not published: publish it or choose another article.'
            )
    return problems


def problems_before_sending(issue):
    """What stops ``issue`` going out now, judged on the version that would be sent."""
    return sending_problems(version_to_send(issue))


# Versions: what is sent is what is published

# Newsletter-tab fields and bookkeeping: not part of what an editor changes in the issue.
NOT_CONTENT = {"newsletter_recipients", "newsletter_subject", "newsletter_campaign", "comments"}
NEWER_DRAFT = (
    "There is a newer draft of this issue that is not published yet: the published "
    "version will be sent. Publish the draft first if it should go out instead."
)


def version_to_send(issue):
    """The issue as it would go out now: the published page for a published issue (a draft
    is not sent), else its latest draft (which must be published first)."""
    if issue.pk is None:
        return issue
    saved = type(issue)._default_manager.filter(pk=issue.pk).first()
    if saved is None:
        return issue
    return sent_version(saved)


def sent_version(saved):
    """``version_to_send`` of an issue just read from the database (``saved``)."""
    return saved if saved.live else saved.get_latest_revision_as_object()


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
            value = [
                {k: v for k, v in row.items() if k not in {"pk", "id", "page", "sort_order"}}
                for row in rows
            ]
        result[name] = normalise_newlines(value)
    return result


def content_fields(page_class):
    """The fields of ``page_class`` an editor changes in the Content, Promote and Settings
    tabs."""
    form_class = page_class.get_edit_handler().get_form_class()
    fields = [*(form_class._meta.fields or []), *form_class.formsets]
    return [name for name in fields if name not in NOT_CONTENT]


def _revisions(issue):
    """``(live revision id, latest revision id)`` of a published issue with a draft, from
    the database; None when there is no draft to think about."""
    row = (
        type(issue)
        ._default_manager.filter(pk=issue.pk)
        .values("live", "has_unpublished_changes", "live_revision", "latest_revision")
        .first()
    )
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
    fields = content_fields(type(issue))
    return comparable(contents[live], fields) != comparable(contents[latest], fields)


def only_newsletter_settings_changed(issue):
    """True if the issue's draft differs from its published version only in the Newsletter
    tab (recipients, subject) or in line endings: sending may publish it as it is."""
    return _revisions(issue) is not None and not draft_differs(issue)


def newer_draft_warning(issue):
    """``NEWER_DRAFT`` when a newer draft of the published issue will not be sent, else ""."""
    return NEWER_DRAFT if draft_differs(issue) else ""


# Campaign statuses: the values of ``Campaign.Status`` (which gives each its label) and the
# moves between them. Each move changes a status only if it is still one it may start from
# (``newsletter.sending`` makes it a conditional UPDATE), so two clicks can't both win.

DRAFT = "draft"
SCHEDULED = "scheduled"
WAITING = "waiting"  # missed its scheduled time by far: an editor sends or unschedules it
SENDING = "sending"
PAUSED = "paused"
SENT = "sent"
CANCELLED = "cancelled"
FAILED = "failed"

# Not sent yet: the issue may still go out with this campaign.
SENDABLE = frozenset({DRAFT, SCHEDULED, WAITING})
# Started, or missed its time: the campaign can't be changed or sent again from the
# Newsletter tab, which shows its report instead of "Send".
STARTED = frozenset({WAITING, SENDING, PAUSED, SENT, CANCELLED, FAILED})


class Move(NamedTuple):
    sources: frozenset
    target: str


MOVES = {
    "schedule": Move(SENDABLE, SCHEDULED),
    "unschedule": Move(frozenset({SCHEDULED, WAITING}), DRAFT),
    "miss": Move(frozenset({SCHEDULED}), WAITING),
    "send": Move(SENDABLE, SENDING),
    "pause": Move(frozenset({SENDING}), PAUSED),
    "resume": Move(frozenset({PAUSED}), SENDING),
    "cancel": Move(frozenset({SENDING, PAUSED, SCHEDULED, WAITING}), CANCELLED),
    "finish": Move(frozenset({SENDING}), SENT),
    "fail": Move(frozenset({SENDING, PAUSED}), FAILED),
}


# The issue's date against today: not a blocker, but a send the editor confirms.


def date_words(issue_date, today):
    """The issue's date as an editor reads it: "Thursday 3 December 2026 (tomorrow)"."""
    words = format_date(issue_date, "l j F Y")
    offset = (issue_date - today).days
    relative = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(offset)
    return f"{words} ({relative})" if relative else words


def sending_warnings(issue_date, today):
    """What to confirm before sending on ``today`` an issue for ``issue_date``: readers
    would get tomorrow's (or an old) issue this morning, and the archive and home page
    would date it so. Empty when the issue is for today."""
    if issue_date is None or issue_date == today:
        return []
    if issue_date > today:
        return [
            f"This issue is for {date_words(issue_date, today)}, not today: sent now, "
            "readers get it a day early and today's issue would follow it."
        ]
    return [
        f"This issue is for {date_words(issue_date, today)}, a date that has passed: "
        "readers would get an old issue this morning."
    ]
