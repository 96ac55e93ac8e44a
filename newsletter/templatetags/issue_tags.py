"""Template helpers for the daily issue's pages."""

from django import template

from newsletter.rendering import issue_email_context, render_web

register = template.Library()


@register.simple_tag(takes_context=True)
def issue_web_body(context, issue):
    """The archive body of ``issue`` as it stands now: what its archive page will show once
    it is sent (for the editor's default preview; readers only ever see the snapshot)."""
    return render_web(issue_email_context(issue, request=context.get("request")))
