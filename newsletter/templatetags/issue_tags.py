"""Template helpers for the daily issue's pages: what its previews show, rendered by
``newsletter.issues.rendering`` (the page model names the templates; the templates ask here,
so the model needs no import of the rendering that reads it)."""

from django import template

from newsletter.issues.inbox import render_issue_preview
from newsletter.issues.rendering import issue_email_context, render_issue_html, render_web

register = template.Library()


@register.simple_tag
def issue_email(issue):
    """The email of ``issue`` as it stands now, with the personal links as placeholders (the
    Newsletter preview, and the HTML the Newsletter tab saves with a campaign)."""
    return render_issue_html(issue)


@register.simple_tag
def issue_preview(issue):
    """The editor's email preview of ``issue``: the inbox view (sender, subject, preheader)
    above the email (``newsletter.issues.inbox``)."""
    return render_issue_preview(issue)


@register.simple_tag(takes_context=True)
def issue_web_body(context, issue):
    """The archive body of ``issue`` as it stands now: what its archive page will show once
    it is sent (for the editor's default preview; readers only ever see the snapshot)."""
    return render_web(issue_email_context(issue, request=context.get("request")))
