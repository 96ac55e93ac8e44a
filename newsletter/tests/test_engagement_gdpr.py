"""A subscriber's clicks and opens in their data download, and gone when a moderator erases
them, through the admin's own buttons."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletter.factories import SubscriberFactory
from newsletter.models import Click, Open

from .click_rows import Role, seconds, sent_issue, stored_click
from .conftest import admin_url, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(db):
    """Ann and Bob were sent an issue; Ann clicked story 3 and the footer, a scanner hit
    story 1 for her, and her mail app loaded the pixel; Bob clicked story 3 too."""
    ann, bob = (
        SubscriberFactory(email="ann@example.org"),
        SubscriberFactory(email="bob@example.org"),
    )
    issue = sent_issue([ann, bob], day=datetime.date(2026, 3, 2))
    ann_delivery, bob_delivery = (issue.deliveries[r.email] for r in (ann, bob))
    stored_click(issue.link(1), ann_delivery, seconds(issue, 2), reason="scanner")
    stored_click(issue.link(3, Role.READ_MORE), ann_delivery, seconds(issue, 600))
    stored_click(issue.links[None, Role.FOOTER], ann_delivery, seconds(issue, 900))
    stored_click(issue.link(3), bob_delivery, seconds(issue, 700))
    Open.objects.create(snapshot=issue.snapshot, delivery=ann_delivery, at=seconds(issue, 1))
    Open.objects.create(
        snapshot=issue.snapshot, delivery=bob_delivery, at=seconds(issue, 1), machine=True
    )
    return issue, ann, bob


def test_the_download_lists_their_clicks_and_opens(editor_client, sent):
    issue, ann, _ = sent
    response = editor_client.get(admin_url("personal_data", ann.pk))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["clicks"] == [
        {
            "issue": "2026-03-02",
            "story_rank": 1,
            "story_headline": "Story number 1",
            "link_text": "Story number 1",
            "link_role": "Headline",
            "when": seconds(issue, 2).isoformat(),
            "counted_as": "a machine: A known scanner or link preview",
        },
        {
            "issue": "2026-03-02",
            "story_rank": 3,
            "story_headline": "Story number 3",
            "link_text": "Read the story",
            "link_role": "Read the story",
            "when": seconds(issue, 600).isoformat(),
            "counted_as": "a person",
        },
        {
            "issue": "2026-03-02",
            "story_rank": None,
            "story_headline": "",
            "link_text": "Our website",
            "link_role": "Footer",
            "when": seconds(issue, 900).isoformat(),
            "counted_as": "a person",
        },
    ]
    assert data["opens"] == [
        {"issue": "2026-03-02", "when": seconds(issue, 1).isoformat(), "counted_as": "an open"}
    ]


def test_the_download_takes_the_same_queries_with_more_clicks(
    editor_client, sent, django_assert_num_queries
):
    issue, ann, _ = sent
    editor_client.get(admin_url("personal_data", ann.pk))  # sessions and permissions warmed
    with CaptureQueriesContext(connection) as few:
        editor_client.get(admin_url("personal_data", ann.pk))
    delivery = issue.deliveries["ann@example.org"]
    for n in range(20):
        stored_click(issue.link(n % 10 + 1), delivery, seconds(issue, 1000 + n))
    with django_assert_num_queries(len(few)):
        response = editor_client.get(admin_url("personal_data", ann.pk))
    assert len(json.loads(response.content)["clicks"]) == 23


def test_erasing_a_subscriber_deletes_their_clicks_and_opens_only(client, moderator, sent):
    issue, ann, bob = sent
    client.force_login(moderator)
    page = client.get(admin_url("delete", ann.pk))
    assert "the clicks and opens of the issues they were sent" in text(page)
    assert client.post(admin_url("delete", ann.pk)).status_code == 302
    assert list(Click.objects.values_list("delivery__email", "rank")) == [("bob@example.org", 3)]
    assert list(Open.objects.values_list("delivery__email", "machine")) == [
        ("bob@example.org", True)
    ]
    data = json.loads(client.get(admin_url("personal_data", bob.pk)).content)
    assert [click["story_rank"] for click in data["clicks"]] == [3]
