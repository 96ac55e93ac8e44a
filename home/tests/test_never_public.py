"""What is never public: drafts, previews, unsent issues, another reader's subscription."""

import datetime

import pytest
from django.core import mail, signing
from wagtail.models import ModelLogEntry

from newsletter.factories import SubscriberFactory
from newsletter.models import Subscriber
from newsletter.subscriptions import tokens

from .conftest import add_issue, send

Status = Subscriber.Status


# Never public: drafts, previews, unsent issues ---------------------------------------------


@pytest.mark.django_db
def test_drafts_are_not_public_anywhere(client, make_article, settings, tmp_path):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_GENERATION_FILE = tmp_path / "generation"
    make_article(title="Secret draft about Brussels", live=False)
    live = make_article(title="Published story about Brussels")
    live.title = "Unpublished new headline"
    live.save_revision()  # a draft change to a live article

    assert client.get("/news/secret-draft-about-brussels/").status_code == 404
    for url in [
        "/",
        "/news/",
        "/search/?q=Brussels",
        "/feed/",
        "/feed/atom/",
        "/sitemap.xml",
        live.url,
    ]:
        page = client.get(url).content.decode()
        assert "Secret draft" not in page and "secret-draft" not in page, url
        assert "Unpublished new headline" not in page, url
    assert "Published story about Brussels" in client.get(live.url).content.decode()


@pytest.mark.django_db
def test_previews_and_draft_views_need_a_signed_in_editor(client, make_article):
    article = make_article(live=False)
    for view in ["edit/preview/", "view_draft/", "edit/"]:
        url = f"/admin/pages/{article.pk}/{view}"
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


@pytest.mark.django_db
def test_only_sent_issues_are_public(client, archive):
    draft = add_issue(archive, datetime.date(2026, 11, 21), live=False)
    published_not_sent = add_issue(archive, datetime.date(2026, 11, 22))
    sent = add_issue(archive, datetime.date(2026, 11, 23))
    send(sent)

    assert client.get("/issues/2026-11-21/").status_code == 404
    assert client.get("/issues/2026-11-22/").status_code == 404
    assert client.get("/issues/2026-11-23/").status_code == 200
    assert "The sent issue" in client.get("/issues/2026-11-23/").content.decode()
    listing = client.get("/issues/").content.decode()
    assert "2026-11-23" in listing
    assert "2026-11-22" not in listing and "2026-11-21" not in listing
    for issue in (draft, published_not_sent):
        assert f"Issue of {issue.issue_date}" not in client.get("/").content.decode()


# One reader can't act on another's subscription -------------------------------------------


@pytest.fixture
def ann_and_bob(db):
    return SubscriberFactory(email="ann@example.org"), SubscriberFactory(email="bob@example.org")


def statuses(*subscribers):
    return [Subscriber.objects.get(pk=s.pk).status for s in subscribers]


@pytest.mark.parametrize("kind", ["unsubscribe", "preferences"])
def test_a_token_for_ann_with_bobs_id_is_refused(client, ann_and_bob, kind):
    ann, bob = ann_and_bob
    token = getattr(tokens, f"{kind}_token")(ann)
    forged = str(bob.pk) + token.removeprefix(str(ann.pk))

    response = client.post(
        f"/newsletter/{kind}/{forged}/", {"action": "unsubscribe", "List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 400
    assert statuses(ann, bob) == [Status.ACTIVE, Status.ACTIVE]


def test_a_confirmation_for_ann_does_not_confirm_bob(client, db):
    ann = SubscriberFactory(email="ann@example.org", status=Status.PENDING, consent_at=None)
    bob = SubscriberFactory(email="bob@example.org", status=Status.PENDING, consent_at=None)
    token = tokens.confirm_token(ann)
    for forged in (
        str(bob.pk) + token.removeprefix(str(ann.pk)),
        signing.TimestampSigner(salt="another.salt").sign(f"{bob.pk}.x"),
    ):
        assert client.post(f"/newsletter/confirm/{forged}/").status_code == 400
    assert statuses(ann, bob) == [Status.PENDING, Status.PENDING]
    assert mail.outbox == []


def test_form_fields_naming_someone_else_are_ignored(client, ann_and_bob):
    ann, bob = ann_and_bob
    extra = {"email": bob.email, "subscriber": bob.pk, "id": bob.pk, "pk": bob.pk}
    client.post(
        f"/newsletter/preferences/{tokens.preferences_token(ann)}/",
        {"action": "pause", "weeks": "2", **extra},
    )
    client.post(f"/newsletter/unsubscribe/{tokens.unsubscribe_token(ann)}/", extra)

    ann.refresh_from_db()
    bob.refresh_from_db()
    assert ann.status == Status.UNSUBSCRIBED
    assert bob.status == Status.ACTIVE and not bob.paused


@pytest.mark.parametrize("kind", ["confirm", "unsubscribe", "preferences"])
def test_a_token_signed_with_another_key_is_refused(client, ann_and_bob, kind, settings):
    ann, _ = ann_and_bob
    settings.SECRET_KEY = "another-site-entirely-" + "k" * 40
    token = getattr(tokens, f"{kind}_token")(ann)
    settings.SECRET_KEY = "the-real-key-of-this-site-" + "r" * 40
    assert client.post(f"/newsletter/{kind}/{token}/", {"action": "unsubscribe"}).status_code == 400
    assert statuses(ann) == [Status.ACTIVE]


# Rate limits on the emailed links -----------------------------------------------------------


def test_preference_changes_are_limited_but_unsubscribing_always_works(
    client, ann_and_bob, settings
):
    settings.NEWSLETTER_PREFERENCE_LIMIT = (4, 3600)
    ann, bob = ann_and_bob
    url = f"/newsletter/preferences/{tokens.preferences_token(ann)}/"
    codes = [
        client.post(url, {"action": action, "weeks": "1"}).status_code
        for action in ["pause", "resume"] * 3
    ]
    assert codes == [303] * 4 + [429] * 2
    refused = client.post(url, {"action": "pause", "weeks": "1"})
    assert refused["Retry-After"] == "3600"
    assert "several times in the last hour" in refused.content.decode()

    assert client.post(url, {"action": "unsubscribe"}).status_code == 303
    # One-click unsubscribes, however many, change the status once and write one entry.
    one_click = f"/newsletter/unsubscribe/{tokens.unsubscribe_token(bob)}/"
    for _ in range(30):
        assert client.post(one_click, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert statuses(ann, bob) == [Status.UNSUBSCRIBED, Status.UNSUBSCRIBED]
    assert ModelLogEntry.objects.for_instance(bob).count() == 1


def test_asking_again_for_a_confirmation_sends_at_most_one_email_per_window(client, db):
    for n in range(5):
        client.post(
            "/newsletter/subscribe/", {"email": "again@example.org"}, REMOTE_ADDR=f"192.0.2.{n}"
        )
    assert [m.to for m in mail.outbox] == [["again@example.org"]]
