"""What the inbox shows before the email is opened: the sender's name and address, the
reply-to, the subject and the preheader, as a send will write them.

One function, ``inbox_view(version)``, read by the Review and send step and by the issue's
email preview (the ``issue_preview`` template tag), so the two always agree: the sender comes
from Settings -> Newsletter (``NewsletterSettings``), as the sent message's From header does.
"""

import re
from email.utils import parseaddr

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from newsletter.issues.rendering import default_preheader, render_issue_html
from newsletter.models import NewsletterSettings

PREVIEW_TEMPLATE = "newsletter/admin/inbox_preview.html"
_BODY_TAG = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def inbox_view(version):
    """``{"from_name", "from_address", "reply_to", "subject", "preheader"}`` of ``version``
    (the issue as it would be sent, or an unsaved preview)."""
    newsletter_settings = NewsletterSettings.load()
    name, address = parseaddr(newsletter_settings.sender)
    preheader = version.preheader
    if not preheader:  # the stories are read only when the preheader is made from them
        stories = version.stories.select_related("article")
        preheader = default_preheader([story.display_headline for story in stories])
    return {
        "from_name": name or newsletter_settings.from_name,
        "from_address": address,
        "reply_to": newsletter_settings.reply_to or address,
        "subject": version.get_newsletter_subject(),
        "preheader": preheader,
    }


def render_issue_preview(issue):
    """The email preview: the email's HTML with the inbox view put in at the top of its body,
    so the editor sees the sender, subject and preheader above the email as readers will get
    it. The email itself is unchanged around it (``render_issue_html``)."""
    email = render_issue_html(issue)
    header = render_to_string(PREVIEW_TEMPLATE, {"inbox": inbox_view(issue)})
    body = _BODY_TAG.search(email)
    at = body.end() if body else 0
    return mark_safe(email[:at] + header + email[at:])
