"""The signed links in our emails: tampering, expiry, and the preference page."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core import mail, signing

from newsletter.factories import SubscriberFactory
from newsletter.models import NewsletterSettings, Subscriber
from newsletter.subscriptions import tokens

from .conftest import path_of, text

pytestmark = pytest.mark.django_db
Status = Subscriber.Status


@pytest.fixture
def pending(db):
    return SubscriberFactory(email="pending@example.org", status=Status.PENDING, consent_at=None)


def tamper(token):
    value, _, signature = token.rpartition(":")
    return f"{value}:{signature[:-2]}{'AA' if not signature.endswith('AA') else 'BB'}"


def test_the_helpers_give_absolute_links_from_site_url(active, settings):
    settings.SITE_URL = "https://lisastopten.example"
    assert tokens.unsubscribe_url(active).startswith(
        "https://lisastopten.example/newsletter/unsubscribe/"
    )
    assert tokens.preferences_url(active).startswith(
        "https://lisastopten.example/newsletter/preferences/"
    )


def test_list_unsubscribe_headers(active, settings):
    settings.SITE_URL = "https://lisastopten.example"
    newsletter = NewsletterSettings.load()
    newsletter.reply_to = "lisa@lisastopten.example"
    newsletter.save()
    headers = tokens.list_unsubscribe_headers(active)
    assert headers == {
        "List-Unsubscribe": f"<{tokens.unsubscribe_url(active)}>, "
        "<mailto:lisa@lisastopten.example?subject=unsubscribe>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    newsletter.unsubscribe_email = "leave@lisastopten.example"
    newsletter.save()
    assert (
        "<mailto:leave@lisastopten.example"
        in tokens.list_unsubscribe_headers(active)["List-Unsubscribe"]
    )
    newsletter.unsubscribe_email = newsletter.reply_to = ""
    newsletter.save()
    assert tokens.list_unsubscribe_headers(active)["List-Unsubscribe"] == (
        f"<{tokens.unsubscribe_url(active)}>"
    )


@pytest.mark.parametrize("kind", ["confirm", "unsubscribe", "preferences"])
def test_tampered_links_change_nothing_and_say_so(client, pending, kind):
    token = getattr(tokens, f"{kind}_token")(pending)
    for bad in (tamper(token), token[:-5], "1:abc", "x" * 300, "%00", f"{pending.pk}"):
        for method in (client.get, client.post):
            response = method(f"/newsletter/{kind}/{bad}/", {"List-Unsubscribe": "One-Click"})
            assert response.status_code in (400, 404), (bad, response.status_code)
            if response.status_code == 400:
                assert "This link doesn't work" in text(response)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert mail.outbox == []


def test_one_kind_of_token_does_not_work_as_another(client, active):
    token = tokens.preferences_token(active)
    assert client.post(f"/newsletter/unsubscribe/{token}/").status_code == 400
    active.refresh_from_db()
    assert active.status == Status.ACTIVE


def test_an_expired_confirmation_link_offers_a_new_one(client, pending, settings):
    link = path_of(tokens.confirm_url(pending))
    settings.NEWSLETTER_CONFIRM_MAX_AGE = datetime.timedelta(seconds=-1)
    response = client.post(link)
    assert response.status_code == 400
    assert "This confirmation link has expired" in text(response)
    assert BeautifulSoup(response.content, "html.parser").find("input", type="email")
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_a_confirmation_link_is_for_the_address_it_was_sent_to(client, pending):
    link = path_of(tokens.confirm_url(pending))
    pending.email = "someone-else@example.org"
    pending.save()
    assert client.post(link).status_code == 400
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_unsubscribe_links_never_expire_and_survive_an_address_change(client, active):
    token = signing.Signer(salt=tokens.UNSUBSCRIBE_SALT).sign(str(active.pk))
    active.email = "new-address@example.org"
    active.save()
    assert client.post(f"/newsletter/unsubscribe/{token}/").status_code == 200
    active.refresh_from_db()
    assert active.status == Status.UNSUBSCRIBED


def test_unsubscribing_a_bounced_address_keeps_it_bounced(client, active):
    active.change_status(Status.BOUNCED, "550")
    response = client.post(path_of(tokens.unsubscribe_url(active)))
    assert response.status_code == 200
    active.refresh_from_db()
    assert active.status == Status.BOUNCED


def test_get_and_head_never_unsubscribe(client, active):
    link = path_of(tokens.unsubscribe_url(active))
    for _ in range(3):
        assert client.get(link).status_code == 200
        assert client.head(link).status_code == 200
    active.refresh_from_db()
    assert active.status == Status.ACTIVE


def preferences(client, subscriber, **data):
    link = path_of(tokens.preferences_url(subscriber))
    if not data:
        return client.get(link)
    return client.post(link, data, follow=True)


def test_pause_for_two_weeks_then_resume(client, active):
    page = preferences(client, active)
    assert page.status_code == 200
    assert "You get Lisa" in text(page)
    response = preferences(client, active, action="pause", weeks="2")
    assert response.redirect_chain[0][1] == 303
    assert "the newsletter is paused" in text(response)
    active.refresh_from_db()
    assert active.paused and active.is_paused
    assert active.paused_until == datetime.date.today() + datetime.timedelta(weeks=2)
    assert not Subscriber.objects.receiving().filter(pk=active.pk).exists()
    assert "Resume now" in text(preferences(client, active))

    preferences(client, active, action="resume")
    active.refresh_from_db()
    assert not active.paused and active.paused_until is None
    assert Subscriber.objects.receiving().filter(pk=active.pk).exists()


def test_a_pause_ends_by_itself_on_its_date(active):
    active.paused = True
    active.paused_until = datetime.date.today()
    active.save()
    assert Subscriber.objects.receiving().filter(pk=active.pk).exists()
    active.paused_until = datetime.date.today() + datetime.timedelta(days=1)
    active.save()
    assert not Subscriber.objects.receiving().filter(pk=active.pk).exists()


def test_pause_until_resumed(client, active):
    preferences(client, active, action="pause", weeks="resume")
    active.refresh_from_db()
    assert active.paused and active.paused_until is None
    assert "until you resume it" in text(preferences(client, active))


def test_unsubscribe_then_resubscribe_from_the_preference_page(client, active):
    preferences(client, active, action="unsubscribe")
    active.refresh_from_db()
    assert active.status == Status.UNSUBSCRIBED
    page = preferences(client, active)
    assert "Subscribe again" in text(page)
    response = preferences(client, active, action="resubscribe")
    assert "You're subscribed again" in text(response)
    active.refresh_from_db()
    assert active.status == Status.ACTIVE
    assert active.consent_url.endswith("/newsletter/subscribe/")
    assert active.consent_text == NewsletterSettings.load().consent_text


@pytest.mark.parametrize(
    "data",
    [
        {"action": "explode"},
        {"action": "pause"},
        {"action": "pause", "weeks": "52"},
        {"weeks": "1"},
    ],
)
def test_nonsense_on_the_preference_page_is_a_400_not_a_500(client, active, data):
    response = client.post(path_of(tokens.preferences_url(active)), data)
    assert response.status_code == 400
    active.refresh_from_db()
    assert active.status == Status.ACTIVE and not active.paused


def test_the_link_pages_are_not_cached_or_indexed(client, active):
    response = client.get(path_of(tokens.unsubscribe_url(active)))
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
