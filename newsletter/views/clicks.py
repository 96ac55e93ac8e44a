"""The click redirect: ``/r/<token>/`` in a sent issue answers 302 to the link's target.

The target is read from the ``TrackedLink`` row the token names, never from the request, so
this is no open redirect. The click is counted in memory and written in bulk later
(``newsletter.engagement.recording``); the link and the delivery's issue are remembered by
the process (``newsletter.engagement.links``), so a warm redirect asks the database nothing.

A token that isn't one of ours (tampered, cut short), a link that doesn't exist, a delivery
of another issue than the link's, or a story whose article was deleted: the site's 404 page,
no redirect, nothing counted. HEAD is answered like GET and counted as suspect (link
checkers). Nothing here changes a subscription: unsubscribing is never a tracked link.
"""

from django.http import Http404, HttpResponseRedirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from newsletter.engagement import classify, recording
from newsletter.engagement.links import NO_DELIVERY, delivery_issue, known
from newsletter.engagement.tokens import read_token


@require_http_methods(["GET", "HEAD"])
def click(request, token):
    """302 to the link's target, counting the click; 404 for anything not a sent link."""
    found = read_token(token)
    if found is None:
        raise Http404("Not a link of ours")
    link_id, delivery_id = found
    link = known(link_id)
    if link is None or link.gone:
        raise Http404("No such link, or its story is gone")
    if delivery_id is not None:
        issue = delivery_issue(delivery_id)
        if issue == NO_DELIVERY:  # the reader was erased since: count the click, not them
            delivery_id = None
        elif issue != link.snapshot_id:
            raise Http404("This link is not in that email")
    reason = classify.request_reason(request.method, request.headers.get("user-agent", ""))
    recording.record(link, delivery_id, at=timezone.now(), reason=reason)
    response = HttpResponseRedirect(link.url)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
