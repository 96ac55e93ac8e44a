from django.contrib.auth.models import Permission
from django.dispatch import receiver
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from wagtail import hooks
from wagtail.admin import messages
from wagtail.signals import init_new_page

from newsletter.issues.defaults import default_recipients
from newsletter.issues.preparing import issue_title, next_free_date
from newsletter.issues.rendering import archive_path
from newsletter.issues.status import GONE_OUT, latest_campaign, status_of
from newsletter.models import IssuePage
from newsletter.rules import SENT
from newsletter.subscriptions import history
from newsletter.views.campaigns import CampaignViewSet
from newsletter.views.dashboard import TodaysIssuePanel
from newsletter.views.review import ReviewViewSet
from newsletter.views.story_chooser import StoryChooserViewSet
from newsletter.viewsets import NewsletterViewSetGroup, ReaderGroupViewSet


@hooks.register("register_admin_viewset")
def register_newsletter_viewsets():
    return NewsletterViewSetGroup()


@hooks.register("register_admin_viewset")
def register_reader_groups_viewset():
    return ReaderGroupViewSet()


@hooks.register("register_permissions")
def register_reader_group_permissions():
    return Permission.objects.filter(
        content_type__app_label="newsletter",
        codename__in=["add_readergroup", "change_readergroup", "delete_readergroup"],
    )


@hooks.register("register_log_actions")
def register_newsletter_log_actions(actions):
    history.register(actions)


# Campaigns: the report pages (Campaigns menu) and the dashboard's "This morning" panel.


@hooks.register("register_admin_viewset")
def register_campaign_viewset():
    return CampaignViewSet()


@hooks.register("construct_homepage_panels")
def add_todays_issue_panel(request, panels):
    panels.append(TodaysIssuePanel(request))


@hooks.register("register_admin_viewset")
def register_review_viewset():
    return ReviewViewSet()


# A new issue starts right: the admin's "Add daily issue" form opens on the next free date
# (today, or the first day after it without an issue), named after it and going to the
# sign-up list's readers. Set on the unsaved page before its form is made (Wagtail's
# init_new_page, sent on the form's GET), so the form's initial values are these; the edit
# form (newsletter/editing.py, below the issues layer) can't ask newsletter.issues itself.


@receiver(init_new_page)
def start_new_issue(sender, page, parent, **kwargs):
    if not isinstance(page, IssuePage):
        return
    page.issue_date = next_free_date()
    page.title = issue_title(page.issue_date)
    page.newsletter_recipients = default_recipients()


@hooks.register("register_admin_viewset")
def register_story_chooser_viewset():
    return StoryChooserViewSet()


# Publishing an issue that hasn't gone out leads straight to its Review and send step: the
# next thing the morning needs (Wagtail would show the issue archive's page list).


def review_after_publish(request, page):
    if not isinstance(page, IssuePage) or "action-publish" not in request.POST:
        return None
    page = IssuePage.objects.get(pk=page.pk)
    if not page.live or not page.permissions_for_user(request.user).can_publish():
        return None
    if page.campaigns.filter(snapshot__isnull=False).exists():
        return None
    return redirect("newsletter_review:review", pk=page.pk)


hooks.register("after_create_page", review_after_publish)
hooks.register("after_edit_page", review_after_publish)


# Editing an issue that went out: say at once that it is sent and frozen (Wagtail's own status
# only says "Live"), and where readers see it as it was sent.


@hooks.register("before_edit_page")
def say_a_sent_issue_is_frozen(request, page):
    if request.method != "GET" or not isinstance(page, IssuePage):
        return None
    # Its campaigns only (one query): whether it went out needs none of its problems.
    status = status_of(page, latest_campaign(page.campaigns.all()), [])
    if status.key not in GONE_OUT:
        return None
    went = "went out" if status.key == SENT else "started going out"
    if status.sent_at:
        went += f" on {format_date(timezone.localtime(status.sent_at), 'l j F Y \\a\\t H:i')}"
    readers = status.campaign.recipient_count
    messages.warning(
        request,
        f"{status.label}. This issue {went} to {readers} reader{pluralize(readers)}, and it "
        "is frozen: the archive shows it exactly as it went out, and changes saved here "
        "change neither. It can't be sent again.",
        buttons=[
            messages.button(archive_path(page.issue_date, request), "See it in the archive"),
            messages.button(
                reverse("newsletter_campaigns:report", args=[status.campaign.pk]), "Its report"
            ),
        ],
    )
    return None
