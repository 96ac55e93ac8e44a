"""The article form's greyed caption and credit follow the photo chosen, in Chromium: choose
another photo and they are that photo's own words; clear it and they are gone. What prints is
unchanged: the boxes stay empty, and the article prints the chosen photo's words."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from core.tests.browser import PASSWORD, sign_in
from news.factories import CaptionedImageFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def article(make_article, django_user_model):
    editor = django_user_model.objects.create_user("eddie", "eddie@example.com", PASSWORD)
    editor.groups.add(Group.objects.get(name="Editors"))
    austin = CaptionedImageFactory(
        title="Austin at the lectern",
        caption="Secretary of Defense Lloyd Austin.",
        credit="cnn.com",
    )
    CaptionedImageFactory(
        title="Flooded street in Sylhet", caption="A flooded street in Sylhet.", credit="Reuters"
    )
    return make_article(title="Austin rallies allies", lead_image=austin)


def test_the_greyed_words_follow_the_photo_chosen(live_server, page, article):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/pages/{article.pk}/edit/", timeout=60_000)
    caption = page.locator("#id_lead_image_caption")
    credit = page.locator("#id_lead_image_credit")
    expect(caption).to_have_attribute("placeholder", "Secretary of Defense Lloyd Austin.")
    expect(credit).to_have_attribute("placeholder", "cnn.com")

    photo = page.locator("[data-field-wrapper]").filter(has=page.locator("#id_lead_image"))
    photo.get_by_role("button", name="Actions").click()
    page.get_by_role("button", name="Change image").click()
    modal = page.locator(".modal-dialog")
    modal.get_by_role("link", name="Flooded street in Sylhet").click()
    modal.wait_for(state="hidden")

    expect(caption).to_have_attribute("placeholder", "A flooded street in Sylhet.")
    expect(credit).to_have_attribute("placeholder", "Reuters")
    expect(caption).to_have_value("")
    expect(credit).to_have_value("")

    photo.get_by_role("button", name="Actions").click()
    page.get_by_role("button", name="Clear choice").click()
    expect(caption).to_have_attribute("placeholder", "")
    expect(credit).to_have_attribute("placeholder", "")
