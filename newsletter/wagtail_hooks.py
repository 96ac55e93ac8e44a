from wagtail import hooks

from newsletter.subscriptions import history
from newsletter.views.campaigns import CampaignViewSet
from newsletter.views.dashboard import TodaysIssuePanel
from newsletter.views.review import ReviewViewSet
from newsletter.views.story_chooser import StoryChooserViewSet
from newsletter.viewsets import NewsletterViewSetGroup


@hooks.register("register_admin_viewset")
def register_newsletter_viewsets():
    return NewsletterViewSetGroup()


@hooks.register("register_log_actions")
def register_newsletter_log_actions(actions):
    history.register(actions)


# Campaigns: the report pages (Campaigns menu) and the dashboard's "Today's issue" panel.


@hooks.register("register_admin_viewset")
def register_campaign_viewset():
    return CampaignViewSet()


@hooks.register("construct_homepage_panels")
def add_todays_issue_panel(request, panels):
    panels.append(TodaysIssuePanel(request))


@hooks.register("register_admin_viewset")
def register_review_viewset():
    return ReviewViewSet()


@hooks.register("register_admin_viewset")
def register_story_chooser_viewset():
    return StoryChooserViewSet()
