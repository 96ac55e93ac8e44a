"""The issue's edit page as its model declares it: the edit form (``base_form_class``) and the
"Ready to send?" panel at the top of the Content tab.

The page model names both, so they sit just below it: they import only ``newsletter.rules``
and ``newsletter.validators``, read the issue they are given, and show what the rules decide.
Story problems come back as form errors, never as a crash, and the issue's web address comes
from its date.

The panel counts what would be sent: the published issue, not a newer draft
(``newsletter.rules.version_to_send``). It only reads, and may not break the page it sits on,
so a failure is logged and the panel says less rather than the admin answering with an error.
"""

import logging

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import Panel

from newsletter import rules
from newsletter.validators import validate_single_line

logger = logging.getLogger(__name__)


class IssuePageForm(WagtailAdminPageForm):
    """Checks the ranked stories before Wagtail saves them (the model would refuse later)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            # The address is the issue's date (IssuePage.full_clean): nothing for editors to
            # type, and no "This field is required" hidden on the Promote tab.
            self.fields["slug"].required = False
            self.fields[
                "slug"
            ].help_text = "Leave blank: the issue's address is its date, e.g. /issues/2026-11-23/."
        if "newsletter_subject" in self.fields:
            # A line break would end the email's Subject header: refuse it here, with words.
            self.fields["newsletter_subject"].validators.append(validate_single_line)
            # What is really sent if it is left blank (not the package's "page title").
            self.fields["newsletter_subject"].help_text = rules.subject_help(
                self.instance.get_publication_name(),
                self.instance.issue_date or timezone.localdate(),
            )

    def clean(self):
        self.check_issue_date()
        issue_date = self.cleaned_data.get("issue_date")
        if issue_date and not self.cleaned_data.get("slug"):
            self.cleaned_data["slug"] = issue_date.isoformat()
        cleaned = super().clean()
        stories = self.formsets.get("stories")
        if stories is None or not all(form.is_valid() for form in stories.forms):
            return cleaned
        # A valid child form's instance holds the article it chose.
        problems = rules.story_problems(
            [
                form.instance
                for form in stories.forms
                if form.cleaned_data.get("article") and not form.cleaned_data.get("DELETE")
            ]
        )
        if problems:
            raise ValidationError(problems)
        return cleaned

    def check_issue_date(self):
        """One issue a day: a date another issue has gets one error, on the date, in words
        (not Django's "already exists", nor a second one on the hidden address field, which
        follows the date). A title the issue started with follows the date too."""
        issue_date = self.cleaned_data.get("issue_date")
        if not issue_date:
            return
        others = self._meta.model._default_manager.filter(issue_date=issue_date)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            self.add_error("issue_date", rules.date_taken(issue_date))
            # The address would be taken too: say nothing about it (it follows the date).
            self.cleaned_data.pop("slug", None)
            return
        title = self.cleaned_data.get("title")
        if title and rules.is_automatic_title(title):
            self.cleaned_data["title"] = rules.issue_title(issue_date)


# The "Ready to send?" panel

UNPUBLISHED_FORM = (
    "This form has changes that are not published yet: the published version "
    "will be sent unless you publish them."
)
# How the panel words a campaign that has started: "Sent at 06:02 to 41,210 readers".
STARTED_WORDS = {
    rules.SENDING: "Sending since",
    rules.PAUSED: "Paused, started at",
    rules.SENT: "Sent at",
    rules.CANCELLED: "Cancelled, started at",
    rules.FAILED: "Failed, started at",
}


def count_stories(form, instance):
    """Stories in the edit form as the editor last left it: the posted formset after a
    failed save, otherwise the issue's draft."""
    formset = getattr(form, "formsets", {}).get("stories") if form is not None else None
    if formset is not None and formset.is_bound:
        return sum(
            1
            for child in formset.forms
            if child["article"].value()
            and not (formset.can_delete and child["DELETE"].value() in {True, "1", "on"})
        )
    return len(instance.stories.all())


def when(moment):
    """A time as editors read it: "06:02" today, "06:02 on Monday 23 November" otherwise."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return date_format(local, "H:i")
    return date_format(local, r"H:i \o\n l j F")


def sent_line(issue):
    """``(words, report URL)`` for an issue whose send has started, else None."""
    campaign = issue.campaigns.filter(snapshot__isnull=False).order_by("-started_at").first()
    if campaign is None or campaign.status not in STARTED_WORDS:
        return None
    readers = campaign.recipient_count
    words = (
        f"{STARTED_WORDS[campaign.status]} {when(campaign.started_at)} to {readers:,} "
        f"reader{'' if readers == 1 else 's'}"
    )
    return words, reverse("newsletter_campaigns:report", args=[campaign.pk])


def readiness(form, instance):
    """The panel's facts, all about the version that would be sent: its story count and
    problems, a newer draft, and how the form differs; once the issue has gone out, when and
    to how many."""
    if not instance.pk:  # a new issue: the form is what will be published
        return {"count": count_stories(form, instance), "follows_form": True}
    sent = sent_line(instance)
    if sent:
        return {"sent": sent[0], "report_url": sent[1]}
    version = rules.version_to_send(instance)
    form_count = count_stories(form, instance)
    problems = rules.sending_problems(version)
    if not version.live:  # a draft: what it holds is what publishing it would send
        return {"count": form_count, "follows_form": True, "problems": problems}
    return {
        "count": len(version.stories.all()),
        "form_count": form_count,
        "follows_form": False,
        "problems": problems,
        "newer_draft": rules.newer_draft_warning(instance),
    }


class IssueReadinessPanel(Panel):
    """Read-only: how many of the ten stories the issue that would be sent has, and what
    still stops it going out ("Not published yet", "8 of 10"...); once sent, when and to
    how many readers, with a link to the report."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "newsletter/admin/campaign_readiness.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            facts = {}
            try:
                facts = readiness(self.form, self.instance)
            except Exception:
                logger.exception("Could not check issue %s", self.instance.pk)
            context.update(
                count=None,
                problems=[],
                needed=rules.STORIES_PER_ISSUE,
                saved=bool(self.instance.pk),
                review_url=(
                    reverse("newsletter_review:review", args=[self.instance.pk])
                    if self.instance.pk
                    else ""
                ),
                unpublished_form=UNPUBLISHED_FORM,
                follows_form=True,
            )
            context.update(facts)
            return context
