"""The newsletter's own settings: who the email comes from and the words readers agree to."""

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from core.pagecache.generation import MemoizedGenericSettingMixin
from newsletter.validators import validate_single_line

DEFAULT_CONSENT_TEXT = (
    "Send me Lisa's Top Ten every morning. I can unsubscribe at any time with one click."
)
DEFAULT_WELCOME = (
    "Thank you for joining us. Every morning you'll get the ten stories from around the "
    "world that matter most, with a line on why each one does."
)


@register_setting(icon="mail")
class NewsletterSettings(MemoizedGenericSettingMixin, BaseGenericSetting):
    """Sender identity, postal address and sign-up wording used by every newsletter email."""

    from_name = models.CharField(
        "sender name",
        max_length=100,
        default="Lisa's Top Ten",
        validators=[validate_single_line],
        help_text='The name readers see in their inbox, e.g. "Lisa\'s Top Ten". One line, '
        "without line breaks.",
    )
    from_email = models.EmailField(
        "sender address",
        blank=True,
        help_text='The address mail comes from, e.g. "lisa@lisastopten.com". Leave empty to '
        "use the server's DEFAULT_FROM_EMAIL. Its domain must be set up with your mail "
        "provider (SPF and DKIM).",
    )
    reply_to = models.EmailField(
        "reply-to address",
        blank=True,
        help_text='Where replies go, e.g. "lisa@lisastopten.com". Leave empty to let replies '
        "go to the sender address.",
    )
    unsubscribe_email = models.EmailField(
        "unsubscribe mailbox",
        blank=True,
        help_text="A mailbox for unsubscribe requests sent by email, e.g. "
        '"unsubscribe@lisastopten.com". Someone must act on them within two days. '
        "Leave empty to use the reply-to address.",
    )
    postal_address = models.TextField(
        blank=True,
        help_text="The publisher's postal address, shown at the foot of every email as "
        'anti-spam laws require, e.g. "Lisa\'s Top Ten, 1 Example Street, London N1 1AA, UK".',
    )
    consent_text = models.TextField(
        "sign-up wording",
        default=DEFAULT_CONSENT_TEXT,
        help_text="Shown next to every sign-up button and kept with each subscriber as the "
        f'wording they agreed to, e.g. "{DEFAULT_CONSENT_TEXT}"',
    )
    welcome_message = models.TextField(
        default=DEFAULT_WELCOME,
        help_text="The first paragraph of the welcome email sent after someone confirms, "
        'e.g. "Thank you for joining us."',
    )

    delivered_by = models.TimeField(
        "delivered by",
        null=True,
        blank=True,
        help_text="The time every reader should have the morning's issue by, e.g. 07:00. "
        "Review and send, the dashboard and the campaign report warn you when a send would "
        "finish later. An issue may set its own time. Leave blank for no warning.",
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("from_name"),
                FieldPanel("from_email"),
                FieldPanel("reply_to"),
                FieldPanel("unsubscribe_email"),
                FieldPanel("postal_address"),
            ],
            heading="Sender",
        ),
        MultiFieldPanel(
            [FieldPanel("consent_text"), FieldPanel("welcome_message")], heading="Wording"
        ),
        MultiFieldPanel([FieldPanel("delivered_by")], heading="Delivery"),
    ]

    class Meta:
        verbose_name = "newsletter"

    @property
    def sender(self):
        """``"Name <address>"`` for the From header."""
        address = self.from_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        return formataddr((self.from_name, address))

    @property
    def reply_to_list(self):
        return [self.reply_to] if self.reply_to else []

    @property
    def unsubscribe_mailbox(self):
        """The address for ``mailto:`` unsubscribes; may be empty."""
        return self.unsubscribe_email or self.reply_to
