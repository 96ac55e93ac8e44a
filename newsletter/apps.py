from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        from django.db.models.signals import post_delete

        from news.models import ArticlePage
        from newsletter import checks  # noqa: F401  (registers the check)
        from newsletter.engagement import provider  # noqa: F401  (registers the receiver)
        from newsletter.engagement.links import forget_article
        from newsletter.subscriptions import signals  # noqa: F401  (registers the receiver)

        def forget_links(sender, instance, **kwargs):
            forget_article(instance.pk)  # its story links now 404 (in this process at once)

        post_delete.connect(forget_links, sender=ArticlePage, weak=False)
