"""Who an issue goes to, in the admin's words: wagtail-newsletter's recipients are "groups of
readers" everywhere an editor or administrator meets them (the issue's chooser, Settings ›
Groups of readers), never "1 newsletter recipients"."""

import pytest
from bs4 import BeautifulSoup

from newsletter.factories import SubscriberFactory, daily_list
from newsletter.issues.defaults import default_recipients
from newsletter.models import ReaderGroup

pytestmark = pytest.mark.django_db


def words(response):
    assert response.status_code == 200
    content = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        content = response.json()["html"]
    return BeautifulSoup(content, "html.parser").get_text(" ", strip=True)


@pytest.fixture
def group():
    SubscriberFactory(email="ana@example.com")
    return default_recipients()


def test_the_issues_chooser_counts_groups_of_readers(editor_client, group):
    text = words(editor_client.get("/admin/recipients_chooser/"))

    assert "Daily readers" in text
    assert "1 group of readers" in text
    assert "newsletter recipients" not in text.lower()


def test_settings_lists_groups_of_readers(admin_client, group):
    ReaderGroup.objects.create(name="Europe desk", audience=group.audience)
    text = words(admin_client.get("/admin/newsletter/reader-groups/"))

    assert "2 groups of readers" in text
    assert "Daily readers" in text and "Europe desk" in text
    assert "newsletter recipients" not in text.lower()
    assert "wagtail_newsletter" not in text
    # The package's own page is not registered beside ours.
    assert admin_client.get("/admin/newsletter_recipients/").status_code == 404


def test_adding_a_group_without_a_name_says_what_to_do_and_adds_nothing(admin_client, group):
    response = admin_client.post(
        "/admin/newsletter/reader-groups/new/", {"name": "", "audience": group.audience}
    )

    assert response.status_code == 200
    assert "This field is required." in words(response)
    assert ReaderGroup.objects.count() == 1


def test_an_editor_cannot_change_groups(editor_client, group):
    response = editor_client.get("/admin/newsletter/reader-groups/")

    assert response.status_code == 302  # to the dashboard, with "no permission"
    assert ReaderGroup.objects.count() == 1


def test_a_new_issue_goes_to_the_daily_readers():
    mailing_list = daily_list()

    group = default_recipients()

    assert isinstance(group, ReaderGroup)
    assert (group.name, group.audience) == (f"{mailing_list.name} readers", str(mailing_list.pk))
    assert default_recipients() == group  # created once
