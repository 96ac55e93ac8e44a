"""From and Reply-To of a real send are Settings > Newsletter's, as the review step shows
them, even for a campaign that wagtail-newsletter saved with the environment's defaults
(WAGTAIL_NEWSLETTER_FROM_NAME, WAGTAIL_NEWSLETTER_REPLY_TO). Read from the sent bytes."""

import pytest
from django.core import mail

from newsletter.models import NewsletterSettings
from newsletter.sending.tasks import send_campaign

from .mail_capture import strictly
from .sending_helpers import frozen_campaign, no_failed_tasks, readers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_failed_tasks")]
__all__ = ["no_failed_tasks"]


def test_the_sent_issue_comes_from_and_replies_to_the_newsletter_settings(settings):
    settings.WAGTAIL_NEWSLETTER_FROM_NAME = "Environment Default"
    settings.WAGTAIL_NEWSLETTER_REPLY_TO = "env@example.com"
    newsletter = NewsletterSettings.load()
    newsletter.from_name = "Lisa's Top Ten"
    newsletter.from_email = "lisa@lisastopten.example"
    newsletter.reply_to = "desk@lisastopten.example"
    newsletter.save()
    (ann,) = readers("ann@example.org")
    # As wagtail-newsletter's "Save campaign" stored it: the environment's name and reply-to.
    campaign = frozen_campaign([ann], from_name="Environment Default", reply_to="env@example.com")

    send_campaign.enqueue(campaign.pk)

    (sent,) = mail.outbox
    message = strictly(sent.message().as_bytes())
    assert message["From"] == "Lisa's Top Ten <lisa@lisastopten.example>"
    assert message["Reply-To"] == "desk@lisastopten.example"
    assert b"env@example.com" not in sent.message().as_bytes()
