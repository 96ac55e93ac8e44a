"""The campaign backend on its own: audiences, campaigns, and every loose call the package
makes (empty ids, unknown ids, no recipients, failures) answered without a crash."""

import datetime
import sys
import types

import pytest
from django.db import DatabaseError
from django.utils import timezone
from wagtail_newsletter import campaign_backends
from wagtail_newsletter.audiences import Audience, AudienceSegment
from wagtail_newsletter.campaign_backends import CampaignBackendError
from wagtail_newsletter.models import NewsletterRecipients

from newsletter.campaign_backend import LocalCampaign, LocalCampaignBackend
from newsletter.factories import (
    MailingListFactory,
    SegmentFactory,
    SubscriberFactory,
    daily_list,
)
from newsletter.models import Campaign, Delivery, Subscriber
from newsletter.rules import only_newsletter_settings_changed

pytestmark = pytest.mark.django_db
Status = Campaign.Status


@pytest.fixture
def backend():
    return LocalCampaignBackend()


@pytest.fixture
def readers():
    daily = daily_list()
    SubscriberFactory(email="one@example.org")
    SubscriberFactory(email="two@example.net")
    SubscriberFactory(email="waiting@example.org", status=Subscriber.Status.PENDING)
    return daily


def save(backend, campaign_id="", recipients=None, subject="Lisa's Top Ten: Monday"):
    return backend.save_campaign(
        campaign_id=campaign_id,
        recipients=recipients,
        subject=subject,
        html="<p>Hello</p>",
        from_name="Lisa's Top Ten",
        reply_to="lisa@example.com",
    )


def test_the_settings_choose_this_backend():
    backend = campaign_backends.get_backend()
    assert isinstance(backend, LocalCampaignBackend)
    assert backend.name == "Top Ten mailer"


def test_mailchimp_stays_selectable_by_settings(settings, monkeypatch):
    if "mailchimp_marketing" not in sys.modules:
        try:
            import mailchimp_marketing  # noqa: F401
        except ImportError:  # the optional extra isn't installed: stand in for the client
            fake = types.ModuleType("mailchimp_marketing")
            fake.Client = object
            api_client = types.ModuleType("mailchimp_marketing.api_client")
            api_client.ApiClientError = type("ApiClientError", (Exception,), {})
            fake.api_client = api_client
            monkeypatch.setitem(sys.modules, "mailchimp_marketing", fake)
            monkeypatch.setitem(sys.modules, "mailchimp_marketing.api_client", api_client)
    settings.WAGTAIL_NEWSLETTER_CAMPAIGN_BACKEND = (
        "wagtail_newsletter.campaign_backends.mailchimp.MailchimpCampaignBackend"
    )

    assert campaign_backends.get_backend().name == "Mailchimp"


# Audiences and segments


def test_audiences_are_the_mailing_lists_with_who_receives_them(backend, readers):
    MailingListFactory(name="Weekly", slug="weekly")

    audiences = {audience.name: audience for audience in backend.get_audiences()}

    assert audiences["Daily"].id == str(readers.pk)
    assert audiences["Daily"].member_count == 2  # the pending reader doesn't count
    assert audiences["Weekly"].member_count == 0


def test_segments_carry_their_list_in_their_id(backend, readers):
    segment = SegmentFactory(name="Dot net", email_domain="example.net")

    [found] = backend.get_audience_segments(str(readers.pk))

    assert found.id == f"{readers.pk}/{segment.pk}"
    assert (found.name, found.member_count) == ("Dot net", 1)


@pytest.mark.parametrize("audience_id", ["999999", "", "daily", None, "1/2"])
def test_an_unknown_audience_raises_the_packages_does_not_exist(backend, audience_id):
    with pytest.raises(Audience.DoesNotExist):
        backend.get_audience_segments(audience_id)


def test_the_packages_choosers_and_counts_work_against_our_lists(readers):
    segment = SegmentFactory(name="Dot net", email_domain="example.net")

    assert Audience.objects.get(pk=str(readers.pk)).member_count == 2
    assert AudienceSegment.objects.get(pk=f"{readers.pk}/{segment.pk}").member_count == 1
    recipients = NewsletterRecipients(
        name="Daily, .net", audience=str(readers.pk), segment=f"{readers.pk}/{segment.pk}"
    )
    recipients.full_clean()
    assert recipients.member_count == 1
    elsewhere = NewsletterRecipients(name="Wrong", audience=str(readers.pk), segment="9/9")
    with pytest.raises(Exception, match="not part of the selected audience"):
        elsewhere.full_clean()


# Saving and loading campaigns


def test_save_creates_then_updates_one_campaign(backend, readers):
    recipients = NewsletterRecipients.objects.create(name="Daily", audience=str(readers.pk))

    campaign_id = save(backend)
    assert save(backend, campaign_id, recipients, subject="New subject") == campaign_id

    campaign = Campaign.objects.get()
    assert str(campaign.pk) == campaign_id
    assert (campaign.subject, campaign.audience, campaign.segment) == (
        "New subject",
        str(readers.pk),
        "",
    )
    assert campaign.html == "<p>Hello</p>"
    assert campaign.status == Status.DRAFT


def test_saving_a_deleted_campaign_starts_a_new_one(backend):
    assert save(backend, "424242") != "424242"
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize(
    "status",
    [
        Status.SCHEDULED,
        Status.SENDING,
        Status.SENT,
        Status.PAUSED,
        Status.CANCELLED,
        Status.WAITING,
    ],
)
def test_a_campaign_that_went_out_or_is_scheduled_cannot_be_changed(backend, status):
    campaign_id = save(backend)
    Campaign.objects.update(status=status)

    with pytest.raises(CampaignBackendError) as error:
        save(backend, campaign_id, subject="Sneaky change")

    assert Campaign.objects.get().subject == "Lisa's Top Ten: Monday"
    assert "unschedule" in error.value.message or "can't be changed" in error.value.message


@pytest.mark.parametrize("campaign_id", ["", None, "abc", "12abc", "-1", "999999", " "])
def test_get_campaign_answers_none_for_any_id_it_does_not_know(backend, campaign_id):
    assert backend.get_campaign(campaign_id) is None


def test_get_campaign_never_raises(backend, monkeypatch):
    campaign_id = save(backend)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Campaign.objects, "filter", broken)
    assert backend.get_campaign(campaign_id) is None


@pytest.mark.parametrize(
    ("status", "scheduled", "sent"),
    [
        (Status.DRAFT, False, False),
        (Status.SCHEDULED, True, False),
        (Status.WAITING, False, True),
        (Status.SENDING, False, True),
        (Status.PAUSED, False, True),
        (Status.SENT, False, True),
        (Status.CANCELLED, False, True),
    ],
)
def test_the_panel_reads_the_campaigns_state(backend, status, scheduled, sent):
    campaign_id = save(backend)
    Campaign.objects.update(status=status, scheduled_for=timezone.now())

    campaign = backend.get_campaign(campaign_id)

    assert isinstance(campaign, LocalCampaign)
    assert (campaign.is_scheduled, campaign.is_sent) == (scheduled, sent)
    assert campaign.status.startswith(Campaign.Status(status).label)
    assert campaign.url == f"/admin/newsletter/campaigns/{campaign_id}/"


def test_the_report_never_raises(backend, monkeypatch):
    campaign_id = save(backend)
    Campaign.objects.update(status=Status.SENT)
    campaign = backend.get_campaign(campaign_id)
    tried = []

    def broken(*args, **kwargs):
        tried.append(args)
        raise DatabaseError("no report today")

    # The report's own query fails, however the panel comes to read it.
    monkeypatch.setattr(Delivery.objects, "filter", broken)
    report = campaign.get_report()

    assert tried
    assert (report["emails_sent"], report["bounces"], report["opens"], report["clicks"]) == (
        0,
        0,
        0,
        0,
    )


# The package's loose calls: empty ids, missing recipients, bad times


@pytest.mark.parametrize("campaign_id", ["", "999999", "not-a-number"])
def test_actions_without_a_saved_campaign_say_save_first(backend, campaign_id):
    later = timezone.now() + datetime.timedelta(hours=2)
    calls = [
        lambda: backend.send_test_email(campaign_id=campaign_id, email="lisa@example.com"),
        lambda: backend.send_campaign(campaign_id),
        lambda: backend.schedule_campaign(campaign_id=campaign_id, schedule_time=later),
        lambda: backend.unschedule_campaign(campaign_id),
    ]
    for call in calls:
        with pytest.raises(CampaignBackendError, match="Save the issue's campaign first"):
            call()


def test_sending_or_scheduling_without_recipients_says_choose_them(backend):
    campaign_id = save(backend, recipients=None)
    later = timezone.now() + datetime.timedelta(hours=2)

    with pytest.raises(CampaignBackendError, match="Choose recipients in the Newsletter tab"):
        backend.send_campaign(campaign_id)
    with pytest.raises(CampaignBackendError, match="Choose recipients in the Newsletter tab"):
        backend.schedule_campaign(campaign_id=campaign_id, schedule_time=later)
    assert Campaign.objects.get().status == Status.DRAFT


def test_a_time_in_the_past_is_refused(backend):
    with pytest.raises(CampaignBackendError, match="in the future"):
        backend.validate_schedule_time(timezone.now() - datetime.timedelta(minutes=1))
    backend.validate_schedule_time(timezone.now() + datetime.timedelta(minutes=5))


def test_unscheduling_a_campaign_that_is_not_scheduled_says_so(backend):
    campaign_id = save(backend)

    with pytest.raises(CampaignBackendError, match="not scheduled"):
        backend.unschedule_campaign(campaign_id)


# What is sent is what is published


def test_a_campaign_finds_its_issue_once_the_page_holds_its_id(backend, issue):
    campaign_id = save(backend)
    issue.newsletter_campaign = campaign_id
    issue.save(update_fields=["newsletter_campaign"])

    backend.get_campaign(campaign_id)

    assert Campaign.objects.get().issue_id == issue.pk


def test_a_draft_that_only_changes_the_newsletter_tab_counts_as_published(issue, readers):
    recipients = NewsletterRecipients.objects.create(name="Daily", audience=str(readers.pk))
    assert not only_newsletter_settings_changed(issue)

    draft = issue.get_latest_revision_as_object()
    draft.newsletter_recipients = recipients
    draft.newsletter_subject = "A special edition"
    draft.save_revision()
    issue.refresh_from_db()
    assert issue.has_unpublished_changes
    assert only_newsletter_settings_changed(issue)

    draft = issue.get_latest_revision_as_object()
    draft.intro = "A different intro, not published yet."
    draft.save_revision()
    issue.refresh_from_db()
    assert not only_newsletter_settings_changed(issue)


def test_reordering_the_stories_is_a_change(issue):
    draft = issue.get_latest_revision_as_object()
    stories = list(draft.stories.all())
    for rank, story in enumerate(reversed(stories)):
        story.sort_order = rank
    draft.stories = list(reversed(stories))
    draft.save_revision()
    issue.refresh_from_db()

    assert issue.has_unpublished_changes
    assert not only_newsletter_settings_changed(issue)
