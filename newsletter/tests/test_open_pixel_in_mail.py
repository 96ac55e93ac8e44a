"""The tracking pixel as it arrives (only with NEWSLETTER_OPEN_TRACKING on): each reader's copy,
parsed strictly from the raw SMTP bytes, loads its own ``/o/<token>.gif``; loading it as a
reader's mail client is an open of that delivery, as Apple's proxy a machine's pre-fetch; the
test send and a send with the pixel off carry none."""

import datetime
import json
from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.utils import timezone

from newsletter.campaign_backend import LocalCampaignBackend
from newsletter.engagement import opens
from newsletter.factories import daily_list
from newsletter.models import Campaign, Open
from newsletter.views import opens as opens_view

from .click_setup import BROWSER, SITE, html_of, path, sent, site_url
from .mail_capture import smtp_catcher, strictly
from .sending_helpers import no_failed_tasks, readers

pytestmark = pytest.mark.django_db
__all__ = ["no_failed_tasks", "sent", "site_url", "smtp_catcher"]


@pytest.fixture
def pixel_on(settings):
    settings.NEWSLETTER_OPEN_TRACKING = True


@pytest.fixture
def a_minute_later(monkeypatch):
    """The pixel is loaded a minute after the send (not a pre-fetch on delivery)."""

    class Later:
        @staticmethod
        def now():
            return timezone.now() + datetime.timedelta(minutes=1)

    monkeypatch.setattr(opens_view, "timezone", Later)


def pixels(message):
    page = BeautifulSoup(html_of(message), "html.parser")
    return [img["src"] for img in page.find_all("img") if img.get("width") == "1"]


def test_each_copy_loads_its_own_pixel_and_a_reader_opening_it_is_an_open(
    pixel_on, sent, client, a_minute_later
):
    [ann_pixel] = pixels(sent.messages["ann@example.org"])
    [bob_pixel] = pixels(sent.messages["bob@example.org"])
    assert ann_pixel != bob_pixel
    assert ann_pixel.startswith(f"{SITE}/o/") and ann_pixel.endswith(".gif")

    response = client.get(path(ann_pixel), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response["Cache-Control"] == "no-store"
    client.get(path(bob_pixel), HTTP_USER_AGENT="Mozilla/5.0")  # Apple's proxy

    assert opens.flush() == 2
    ann, bob = sent.deliveries["ann@example.org"], sent.deliveries["bob@example.org"]
    assert sorted(Open.objects.values_list("delivery_id", "machine")) == sorted(
        [(ann.pk, False), (bob.pk, True)]
    )
    # The report shows it as an estimate, the pre-fetch left out.
    output = StringIO()
    call_command("issue_report", sent.snapshot.issue_date.isoformat(), "--json", stdout=output)
    assert json.loads(output.getvalue())["opens_estimate"] == {
        "people": 1,
        "readers": 1,
        "machine": 1,
    }


def test_off_by_default_no_copy_has_a_pixel(sent):
    for message in sent.messages.values():
        assert pixels(message) == []
        assert "/o/" not in html_of(message)


def test_the_test_send_has_no_pixel_that_counts(pixel_on, issue, smtp_catcher):
    ann = readers("ann@example.org")[0]
    campaign = Campaign.objects.create(issue=issue, audience=str(daily_list().pk))
    LocalCampaignBackend().send_test_email(campaign_id=str(campaign.pk), email=ann.email)
    [raw] = smtp_catcher.raw_to(ann.email)
    [src] = pixels(strictly(raw))
    assert src.startswith("data:image/gif;base64,")
    assert "/o/" not in html_of(strictly(raw))
