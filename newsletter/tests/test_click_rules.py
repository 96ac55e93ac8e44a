"""The bot rules (newsletter.engagement.classify): which clicks a person made.

Clicks are built as the recorder hands them over (unsaved, with their link's role) over an
issue sent at a known moment; the rules' verdicts and the stored clicks they mark are
checked exactly, with the queries they take."""

import pytest

from newsletter.engagement import classify
from newsletter.factories import SubscriberFactory
from newsletter.models import Click

from .click_rows import Role, seconds, sent_issue, stored_click, unsaved_click

pytestmark = pytest.mark.django_db
Reason = Click.Reason

BROWSERS = [
    # Chrome on Windows, Safari on an iPhone, Chrome on Android, Firefox on Linux, Edge,
    # the Gmail app's and Outlook for iOS's in-app browsers.
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.6478.71 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Mobile/15E148 GSA/320.0.645618107 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 9; CUBOT X30 Build/PPR1.180610.011) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
]
MACHINES = [
    "",
    "   ",
    "Mozilla/5.0",
    "Barracuda Sentinel (EE)",
    "Mimecast URL Protect",
    "Proofpoint URL Defense ppops-urldefense",
    "Microsoft Office Existence Discovery",
    "Mozilla/4.0 (compatible; ms-office; MSOffice 16)",
    "Microsoft SafeLinks Scanner",
    "Symantec MessageLabs Email Security",
    "TrendMicro URL check",
    "Sophos Email Security",
    "Cisco IronPort URL filter",
    "FireEye URL checker",
    "Forcepoint Websense",
    "Google-Safety; (+https://www.google.com)",
    "Mozilla/5.0 (compatible; Yahoo Link Preview; https://help.yahoo.com/kb/mail/SLN23615)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Twitterbot/1.0",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "WhatsApp/2.23.20.0",
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "SomeCrawler/1.0",
    "Bytespider",
    "python-requests/2.32.3",
    "curl/8.5.0",
    "Wget/1.21.4",
    "Go-http-client/2.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/126.0.0.0 Safari/537.36",
]


@pytest.fixture(autouse=True)
def _fresh_memory():
    classify.recent.forget()
    yield
    classify.recent.forget()


@pytest.fixture
def issue(db):
    return sent_issue([SubscriberFactory(email="ann@example.org")])


@pytest.fixture
def ann(issue):
    return issue.deliveries["ann@example.org"]


@pytest.mark.parametrize("agent", BROWSERS)
def test_a_readers_browser_is_human(agent):
    assert classify.request_reason("GET", agent) == ""


@pytest.mark.parametrize("agent", MACHINES)
def test_scanners_previews_and_scripts_are_suspect(agent):
    assert classify.request_reason("GET", agent) == "scanner"


def test_a_head_request_is_a_link_checker_whatever_it_says():
    assert classify.request_reason("HEAD", BROWSERS[0]) == "head"
    assert classify.request_reason("head", "") == "head"


def verdicts(clicks):
    return [(click.human, click.reason) for click in clicks]


def test_a_reader_reading_two_stories_is_human(issue, ann, django_assert_num_queries):
    clicks = [
        unsaved_click(issue.link(1), ann, seconds(issue, 40)),
        unsaved_click(issue.link(4, Role.READ_MORE), ann, seconds(issue, 200)),
    ]
    with django_assert_num_queries(2):  # the send time; the clicks stored around these
        classify.apply(clicks)
    assert verdicts(clicks) == [(True, ""), (True, "")]


def test_clicks_within_ten_seconds_of_delivery_are_too_soon(issue, ann):
    clicks = [
        unsaved_click(issue.link(1), ann, seconds(issue, -1)),  # before we noted it sent
        unsaved_click(issue.link(1), ann, seconds(issue, 3)),
        unsaved_click(issue.link(1), ann, seconds(issue, 9.9)),
        unsaved_click(issue.link(1), ann, seconds(issue, 10)),
    ]
    classify.apply(clicks)
    assert verdicts(clicks) == [
        (False, "too-soon"),
        (False, "too-soon"),
        (False, "too-soon"),
        (True, ""),
    ]


def test_three_links_within_two_seconds_are_a_burst(issue, ann):
    clicks = [
        unsaved_click(issue.link(1), ann, seconds(issue, 100)),
        unsaved_click(issue.link(2), ann, seconds(issue, 100.5)),
        unsaved_click(issue.link(3), ann, seconds(issue, 102)),
        unsaved_click(issue.link(9), ann, seconds(issue, 130)),
    ]
    classify.apply(clicks)
    assert verdicts(clicks) == [(False, "burst")] * 3 + [(True, "")]


def test_a_double_click_or_three_slow_links_are_no_burst(issue, ann):
    double = [unsaved_click(issue.link(1), ann, seconds(issue, 100 + n / 10)) for n in range(4)]
    slow = [unsaved_click(issue.link(n), ann, seconds(issue, 200 + n * 1.5)) for n in (1, 2, 3)]
    other = sent_issue([SubscriberFactory(email="bob@example.org")], sent_at=issue.snapshot.sent_at)
    bob = other.deliveries["bob@example.org"]
    # Two readers clicking at the same moment are two readers.
    apart = [
        unsaved_click(issue.link(5), ann, seconds(issue, 300)),
        unsaved_click(issue.link(6), ann, seconds(issue, 300.1)),
        unsaved_click(other.link(7), bob, seconds(issue, 300.2)),
    ]
    classify.apply(double + slow + apart)
    assert all(click.human for click in double + slow + apart)


def test_a_burst_counts_clicks_already_stored_and_marks_them(issue, ann, django_assert_num_queries):
    first = stored_click(issue.link(1), ann, seconds(issue, 100))
    second = stored_click(issue.link(2), ann, seconds(issue, 101))
    earlier = stored_click(issue.link(3), ann, seconds(issue, 40))
    clicks = [unsaved_click(issue.link(3), ann, seconds(issue, 101.5))]
    with django_assert_num_queries(3):  # send time, stored clicks, one UPDATE
        classify.apply(clicks)
    assert verdicts(clicks) == [(False, "burst")]
    stored = Click.objects.in_bulk([first.pk, second.pk, earlier.pk])
    assert (stored[first.pk].human, stored[first.pk].reason) == (False, "burst")
    assert (stored[second.pk].human, stored[second.pk].reason) == (False, "burst")
    assert (stored[earlier.pk].human, stored[earlier.pk].reason) == (True, "")


def test_the_canary_makes_its_clients_clicks_around_it_suspect(
    issue, ann, django_assert_num_queries
):
    bob_issue = sent_issue([SubscriberFactory(email="bob@example.org")])
    bob = bob_issue.deliveries["bob@example.org"]
    before = stored_click(issue.link(1), ann, seconds(issue, 45))
    long_before = stored_click(issue.link(2), ann, seconds(issue, 20))
    bobs = stored_click(bob_issue.link(1), bob, seconds(issue, 100))
    clicks = [
        unsaved_click(issue.canary, ann, seconds(issue, 100)),
        unsaved_click(issue.link(5), ann, seconds(issue, 159)),
        unsaved_click(issue.link(6), ann, seconds(issue, 161)),
    ]
    with django_assert_num_queries(3):
        classify.apply(clicks)
    assert verdicts(clicks) == [(False, "canary"), (False, "canary"), (True, "")]
    stored = Click.objects.in_bulk([before.pk, long_before.pk, bobs.pk])
    assert (stored[before.pk].human, stored[before.pk].reason) == (False, "canary")
    assert stored[long_before.pk].human and stored[bobs.pk].human


def test_a_stored_canary_click_marks_the_new_clicks_near_it(issue, ann, django_assert_num_queries):
    stored_click(issue.canary, ann, seconds(issue, 12), reason="canary")
    clicks = [
        unsaved_click(issue.link(1), ann, seconds(issue, 50)),
        unsaved_click(issue.link(2), ann, seconds(issue, 300)),
    ]
    with django_assert_num_queries(2):  # nothing stored changes
        classify.apply(clicks)
    assert verdicts(clicks) == [(False, "canary"), (True, "")]


def test_the_requests_own_reason_is_kept(issue, ann):
    clicks = [
        unsaved_click(issue.link(1), ann, seconds(issue, 2), reason="head"),
        unsaved_click(issue.link(2), ann, seconds(issue, 2.5), reason="scanner"),
        unsaved_click(issue.link(3), ann, seconds(issue, 3)),
    ]
    classify.apply(clicks)
    assert verdicts(clicks) == [(False, "head"), (False, "scanner"), (False, "too-soon")]


def test_the_query_count_does_not_grow_with_the_clicks(django_assert_num_queries):
    readers = [SubscriberFactory() for _ in range(40)]
    issue = sent_issue(readers)
    clicks = []
    for n, delivery in enumerate(issue.deliveries.values()):
        stored_click(issue.link(1), delivery, seconds(issue, 60 + n))
        clicks += [
            unsaved_click(issue.link(2), delivery, seconds(issue, 60.5 + n)),
            unsaved_click(issue.link(3), delivery, seconds(issue, 61 + n)),
            unsaved_click(issue.link(4), delivery, seconds(issue, 400 + n)),
        ]
    with django_assert_num_queries(3):
        classify.apply(clicks)
    assert Click.objects.filter(reason="burst").count() == 40
    assert sum(not click.human for click in clicks) == 80


def test_clicks_without_a_delivery_take_no_query(issue, django_assert_num_queries):
    # The test send links directly; a click with no delivery can still hit the canary.
    clicks = [
        unsaved_click(issue.link(1), None, seconds(issue, 1)),
        unsaved_click(issue.canary, None, seconds(issue, 1)),
    ]
    with django_assert_num_queries(0):
        classify.apply(clicks)
    assert verdicts(clicks) == [(True, ""), (False, "canary")]


def test_a_delivery_not_yet_marked_sent_is_not_too_soon(issue, ann):
    ann.sent_at = None
    ann.save()
    clicks = [unsaved_click(issue.link(1), ann, seconds(issue, 1))]
    classify.apply(clicks)
    assert verdicts(clicks) == [(True, "")]


def record_as_aggregate(clicks):
    """What the recorder does in the aggregate mode: apply, drop the delivery, save."""
    classify.apply(clicks)
    for click in clicks:
        click.delivery_id = None
    Click.objects.bulk_create(clicks)


def test_in_aggregate_mode_this_process_remembers_the_last_minute(
    settings, issue, ann, django_assert_num_queries
):
    settings.NEWSLETTER_ANALYTICS_PRIVACY = "aggregate"
    first = [
        unsaved_click(issue.link(1), ann, seconds(issue, 100)),
        unsaved_click(issue.link(2), ann, seconds(issue, 100.5)),
    ]
    record_as_aggregate(first)
    assert Click.objects.filter(human=True, delivery=None).count() == 2
    later = [unsaved_click(issue.link(3), ann, seconds(issue, 101))]
    with django_assert_num_queries(2):  # the send time; the UPDATE of the two stored
        classify.apply(later)
    assert verdicts(later) == [(False, "burst")]
    assert list(Click.objects.values_list("human", "reason")) == [(False, "burst")] * 2
    # A minute and more later it has forgotten them: a canary marks only what is new.
    much_later = [
        unsaved_click(issue.canary, ann, seconds(issue, 170)),
        unsaved_click(issue.link(4), ann, seconds(issue, 171)),
    ]
    with django_assert_num_queries(1):
        classify.apply(much_later)
    assert verdicts(much_later) == [(False, "canary"), (False, "canary")]
    assert Click.objects.filter(human=False).count() == 2
