from wagtail import hooks

from newsletter import history
from newsletter.viewsets import NewsletterViewSetGroup


@hooks.register("register_admin_viewset")
def register_newsletter_viewsets():
    return NewsletterViewSetGroup()


@hooks.register("register_log_actions")
def register_newsletter_log_actions(actions):
    history.register(actions)
