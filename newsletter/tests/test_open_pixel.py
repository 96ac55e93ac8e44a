"""The optional tracking pixel, as a mail client loads it: off by default; when on, a GIF
that is never cached, with Apple's and scanners' pre-fetches stored as a machine's."""

import datetime

import pytest
from django.utils import timezone

from newsletter.engagement import opens
from newsletter.engagement.open_tokens import open_token
from newsletter.engagement.tokens import copy_key, link_token
from newsletter.factories import SubscriberFactory
from newsletter.models import Open
from newsletter.views.opens import PIXEL

from .click_rows import sent_issue

pytestmark = pytest.mark.django_db
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Mobile/15E148"
)


@pytest.fixture(autouse=True)
def _empty_buffer():
    opens.forget()
    yield
    opens.forget()


def issue_sent(minutes_ago):
    sent_at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return sent_issue([SubscriberFactory(email="ann@example.org")], sent_at=sent_at)


@pytest.fixture
def issue(db):
    return issue_sent(20)


@pytest.fixture
def tracking(settings):
    settings.NEWSLETTER_OPEN_TRACKING = True


def pixel_url(issue):
    return f"/o/{open_token(issue.snapshot.pk, issue.deliveries['ann@example.org'].pk)}.gif"


def stored():
    opens.flush()
    return list(Open.objects.order_by("pk").values_list("delivery__email", "machine"))


def test_off_by_default_there_is_no_pixel(client, issue):
    assert client.get(pixel_url(issue), HTTP_USER_AGENT=IPHONE).status_code == 404
    assert stored() == []


def test_a_reader_opening_the_email_is_an_open(client, tracking, issue):
    response = client.get(pixel_url(issue), HTTP_USER_AGENT=IPHONE)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif" and response.content == PIXEL
    assert response["Cache-Control"] == "no-store"
    assert stored() == [("ann@example.org", False)]


@pytest.mark.parametrize("agent", ["Mozilla/5.0", "", "Mimecast URL Protect"])
def test_apples_proxy_and_scanners_are_machine_pre_fetches(client, tracking, issue, agent):
    assert client.get(pixel_url(issue), HTTP_USER_AGENT=agent).status_code == 200
    assert stored() == [("ann@example.org", True)]


def test_a_load_seconds_after_delivery_is_a_machines(client, tracking, db):
    issue = issue_sent(0)
    client.get(pixel_url(issue), HTTP_USER_AGENT=IPHONE)
    assert stored() == [("ann@example.org", True)]


@pytest.mark.parametrize("mangle", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), str.upper])
def test_a_tampered_token_gets_the_image_and_records_nothing(client, tracking, issue, mangle):
    token = open_token(issue.snapshot.pk, issue.deliveries["ann@example.org"].pk)
    response = client.get(f"/o/{mangle(token)}.gif", HTTP_USER_AGENT=IPHONE)
    assert response.status_code == 200 and response.content == PIXEL
    assert stored() == []


def test_a_batch_copys_pixel_carries_its_key(client, tracking, issue):
    # A copy sent through the batch API: /o/<the copy's key>.gif names the delivery.
    delivery = issue.deliveries["ann@example.org"]
    key = copy_key(delivery.pk)

    assert client.get(f"/o/{key}.gif", HTTP_USER_AGENT=IPHONE).status_code == 200
    assert stored() == [("ann@example.org", False)]
    for bad in (key[:-3], key.upper(), link_token(1, delivery.pk), copy_key(delivery.pk + 99)):
        response = client.get(f"/o/{bad}.gif", HTTP_USER_AGENT=IPHONE)
        assert response.status_code == 200 and response.content == PIXEL
    assert stored() == [("ann@example.org", False)]  # nothing more: no such delivery either


def test_a_head_request_records_nothing(client, tracking, issue):
    assert client.head(pixel_url(issue), HTTP_USER_AGENT=IPHONE).status_code == 200
    assert client.post(pixel_url(issue)).status_code == 405
    assert stored() == []


def test_in_aggregate_mode_an_open_names_no_reader(client, settings, tracking, issue):
    settings.NEWSLETTER_ANALYTICS_PRIVACY = "aggregate"
    client.get(pixel_url(issue), HTTP_USER_AGENT=IPHONE)
    assert stored() == [(None, False)]


def test_writing_the_buffer_takes_the_same_queries_for_any_number(
    client, tracking, issue, django_assert_num_queries
):
    for _ in range(30):
        client.get(pixel_url(issue), HTTP_USER_AGENT=IPHONE)
    # The issues, the deliveries' send times, which issues are rolled up, one INSERT.
    with django_assert_num_queries(4):
        assert opens.flush() == 30
    assert Open.objects.filter(delivery__isnull=False, machine=False).count() == 30
