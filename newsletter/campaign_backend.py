"""wagtail-newsletter's campaign backend, on our own database, mailers and task queue.

The Newsletter tab of an issue calls it (``WAGTAIL_NEWSLETTER_CAMPAIGN_BACKEND``): audiences are
our mailing lists and segments their segments; a campaign is a ``newsletter.models.Campaign``
row; sending hands over to ``newsletter.sending``. The package calls backends loosely (an empty
campaign id after a failed save, no recipients, and any exception on the edit page is a 500),
so every method here works, raises ``CampaignBackendError`` with words for the editor, or
(``get_campaign``, ``get_report``) never raises at all.
"""

import logging

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.log_actions import get_active_log_context
from wagtail_newsletter.audiences import Audience, AudienceSegment
from wagtail_newsletter.campaign_backends import Campaign as BaseCampaign
from wagtail_newsletter.campaign_backends import CampaignBackend, CampaignBackendError

from newsletter import rules
from newsletter.issues.rendering import freeze_issue
from newsletter.models import Campaign, IssuePage, MailingList
from newsletter.sending.orchestration import (
    SendRefused,
    report_or_defaults,
    send_issue_now,
    send_test,
)
from newsletter.sending.scheduling import schedule, unschedule

logger = logging.getLogger(__name__)

SAVE_FIRST = (
    "Save the issue's campaign first (the save may have failed: see the message "
    "above), then try again."
)
NO_RECIPIENTS = (
    "Choose recipients in the Newsletter tab (for example the Daily list), then send again."
)


def parse_campaign_id(campaign_id):
    """Our campaign ids are the row's primary key as a string; anything else is None."""
    text = str(campaign_id or "").strip()
    return int(text) if text.isdigit() else None


def issue_for(campaign):
    """The issue a campaign belongs to. The package saves a new campaign before it stores
    the id on the page, so the link is made here, the first time it is needed."""
    if campaign.issue_id is None:
        issue = IssuePage.objects.filter(newsletter_campaign=str(campaign.pk)).first()
        if issue is not None:
            campaign.issue = issue
            Campaign.objects.filter(pk=campaign.pk, issue__isnull=True).update(issue=issue)
        return issue
    return IssuePage.objects.filter(pk=campaign.issue_id).first()


def publish_newsletter_settings(issue, user=None):
    """Publish a draft whose only changes are the Newsletter tab's recipients and subject (or
    line endings), so that what is sent is what is published. A draft with other changes is
    left alone: the published version is sent (``newsletter.rules``). Returns the issue as
    it now stands."""
    if rules.only_newsletter_settings_changed(issue):
        issue.latest_revision.publish(user=user, skip_permission_checks=True)
        issue = IssuePage.objects.get(pk=issue.pk)
    return issue


class LocalCampaign(BaseCampaign):
    """A ``Campaign`` row as the Newsletter panel reads it."""

    def __init__(self, campaign):
        self.campaign = campaign
        self.id = str(campaign.pk)

    @property
    def status(self):
        text = self.campaign.get_status_display()
        if self.campaign.status == rules.SCHEDULED and self.campaign.scheduled_for:
            when = date_format(timezone.localtime(self.campaign.scheduled_for), "DATETIME_FORMAT")
            text = f"{text} for {when}"
        note = getattr(self.campaign, "status_note", "")
        return f"{text}. {note}" if note else text

    @property
    def is_scheduled(self):
        return self.campaign.status == rules.SCHEDULED

    @property
    def is_sent(self):
        # Started, or missed its time: the panel shows the report, not "Send".
        return self.campaign.status in rules.STARTED

    @property
    def url(self):
        return reverse("newsletter_campaigns:report", args=[self.campaign.pk])

    def get_report(self):
        """The panel's figures; never raises (the edit page must render whatever happens)."""
        figures = report_or_defaults(self.campaign)
        send_time = (
            figures.get("send_time") or self.campaign.started_at or self.campaign.scheduled_for
        )
        return {
            **figures,
            "emails_sent": figures.get("sent", 0),
            "bounces": figures.get("bounced", 0),
            "opens": 0,
            "clicks": 0,
            "send_time": send_time,
        }


class LocalCampaignBackend(CampaignBackend):
    """Campaigns, test sends, sends and schedules against our own subscribers."""

    name = "Top Ten mailer"

    # Audiences and segments: cheap, and free of side effects (the package calls them often).

    def get_audiences(self):
        return [
            Audience(
                id=str(mailing_list.pk),
                name=mailing_list.name,
                member_count=mailing_list.member_count(),
            )
            for mailing_list in MailingList.objects.all()
        ]

    def get_audience_segments(self, audience_id):
        pk = parse_campaign_id(audience_id)
        mailing_list = MailingList.objects.filter(pk=pk).first() if pk else None
        if mailing_list is None:
            raise Audience.DoesNotExist(f"No mailing list {audience_id!r}")
        return [
            AudienceSegment(
                id=f"{mailing_list.pk}/{segment.pk}",
                name=segment.name,
                member_count=segment.member_count(),
            )
            for segment in mailing_list.segments.all()
        ]

    # Campaigns

    def save_campaign(
        self, *, campaign_id=None, recipients=None, subject, html, from_name, reply_to
    ):
        fields = {
            "subject": subject,
            "html": str(html),
            "from_name": from_name or "",
            "reply_to": reply_to or "",
            "audience": (recipients.audience or "") if recipients else "",
            "segment": (recipients.segment or "") if recipients else "",
        }
        campaign = self._find(campaign_id)
        if campaign is None:  # new, or deleted since: start a fresh one
            return str(Campaign.objects.create(**fields).pk)
        self._check_editable(campaign)
        for name, value in fields.items():
            setattr(campaign, name, value)
        campaign.save(update_fields=list(fields))
        issue_for(campaign)
        return str(campaign.pk)

    def get_campaign(self, campaign_id):
        try:
            campaign = self._find(campaign_id)
            if campaign is None:
                return None
            issue_for(campaign)
            return LocalCampaign(campaign)
        except Exception:
            logger.exception("Could not load campaign %r", campaign_id)
            return None

    def send_test_email(self, *, campaign_id, email):
        campaign = self._get(campaign_id)
        issue = issue_for(campaign)
        if issue is None:
            raise CampaignBackendError(
                "This campaign is not linked to an issue any more: save the issue's campaign "
                "again from its Newsletter tab."
            )
        try:
            # The issue frozen as a send would freeze it (the same images, HTML and text):
            # what is published goes out, so a published issue is tested as published; an
            # issue never published yet is tested from its draft.
            source = issue if issue.live else issue.get_latest_revision_as_object()
            snapshot = freeze_issue(source)
            send_test(campaign=campaign, snapshot=snapshot, email=email)
        except CampaignBackendError:
            raise
        except Exception as error:
            logger.exception("Test email of campaign %s to %s failed", campaign.pk, email)
            raise CampaignBackendError(
                f"The test email to {email} could not be sent: {error}"
            ) from error

    def send_campaign(self, campaign_id):
        campaign, issue, user = self._ready_to_go(campaign_id)
        self._call(send_issue_now, issue, user=user, campaign=campaign)

    def validate_schedule_time(self, schedule_time):
        if schedule_time is None or schedule_time <= timezone.now():
            raise CampaignBackendError("Choose a time in the future to schedule the issue.")

    def schedule_campaign(self, *, campaign_id, schedule_time):
        self.validate_schedule_time(schedule_time)
        campaign, issue, user = self._ready_to_go(campaign_id)
        problems = rules.problems_before_sending(issue)
        if problems:
            raise CampaignBackendError("This issue can't be scheduled yet: " + " ".join(problems))
        self._call(schedule, campaign, schedule_time, user=user)

    def unschedule_campaign(self, campaign_id):
        campaign = self._get(campaign_id)
        if campaign.status not in rules.MOVES["unschedule"].sources:
            raise CampaignBackendError(
                f"This issue is not scheduled (it is {campaign.get_status_display().lower()}), "
                "so there is nothing to unschedule."
            )
        self._call(unschedule, campaign)

    # Helpers

    def _find(self, campaign_id):
        pk = parse_campaign_id(campaign_id)
        return Campaign.objects.filter(pk=pk).first() if pk else None

    def _get(self, campaign_id):
        campaign = self._find(campaign_id)
        if campaign is None:
            raise CampaignBackendError(SAVE_FIRST)
        return campaign

    def _check_editable(self, campaign):
        if campaign.status == rules.SCHEDULED:
            raise CampaignBackendError(
                "This issue is scheduled: unschedule it in the Newsletter tab before changing "
                "its campaign."
            )
        if campaign.status in rules.STARTED:
            raise CampaignBackendError(
                f"This issue's campaign is {campaign.get_status_display().lower()}: an issue "
                "goes out once, so it can't be changed or sent again."
            )

    def _ready_to_go(self, campaign_id):
        """The campaign, its issue (with Newsletter-tab-only drafts published) and the
        user, or a CampaignBackendError saying what is missing."""
        campaign = self._get(campaign_id)
        self._check_editable(campaign)
        if not campaign.audience:
            raise CampaignBackendError(NO_RECIPIENTS)
        issue = issue_for(campaign)
        if issue is None:
            raise CampaignBackendError(
                "This campaign is not linked to an issue any more: save the issue's campaign "
                "again from its Newsletter tab."
            )
        user = get_active_log_context().user
        try:
            issue = publish_newsletter_settings(issue, user)
        except Exception as error:
            logger.exception("Could not publish the Newsletter tab of issue %s", issue.pk)
            raise CampaignBackendError(
                f"Publish the issue first, then send it ({error})."
            ) from error
        return campaign, issue, user

    def _call(self, function, *args, **kwargs):
        """Run a sending function; its refusals and failures become messages for editors."""
        try:
            return function(*args, **kwargs)
        except SendRefused as error:
            raise CampaignBackendError(str(error)) from error
        except CampaignBackendError:
            raise
        except Exception as error:
            logger.exception("%s failed", getattr(function, "__name__", function))
            raise CampaignBackendError(
                f"That didn't work ({error}). Check the campaign's report before trying again."
            ) from error
