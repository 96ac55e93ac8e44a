from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        from newsletter import checks  # noqa: F401  (registers the check)
        from newsletter.engagement import provider  # noqa: F401  (registers the receiver)
        from newsletter.subscriptions import signals  # noqa: F401  (registers the receiver)
