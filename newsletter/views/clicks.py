"""The click redirect: ``/r/<token>/`` in a sent issue answers 302 to the link's target, and
so does ``/r/<key>/<link id>/``, a link in a copy sent through a provider's batch API (the
copy's key, ``newsletter.engagement.tokens.copy_key``).

The target is read from the ``TrackedLink`` row the token names, never from the request, so
this is no open redirect. The click is counted in memory and written in bulk later
(``newsletter.engagement.recording``); the link and the delivery's issue are remembered by
the process (``newsletter.engagement.links``), so a warm redirect asks the database nothing.

A token that isn't one of ours (tampered, cut short), a link that doesn't exist, a delivery
of another issue than the link's, or a story whose article was deleted: the site's 404 page,
no redirect, nothing counted. HEAD is answered like GET and counted as suspect (link
checkers). Nothing here changes a subscription: unsubscribing is never a tracked link.
"""

import re

from django.http import Http404, HttpResponseRedirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from newsletter.engagement import classify, recording
from newsletter.engagement.links import NO_DELIVERY, delivery_issue, known
from newsletter.engagement.tokens import read_copy_key, read_token

# The redirect's own path, answered by ``ClickRedirectMiddleware`` before the session, CSRF,
# auth, messages and Wagtail's redirects, none of which a click needs: a click then costs
# about what a cached page costs. Anything else on /r/ goes on to the URL's view below.
CLICK_PATH = re.compile(r"^/r/([A-Za-z0-9_-]{1,100})/$")
COPY_CLICK_PATH = re.compile(r"^/r/([A-Za-z0-9_-]{1,100})/([0-9]{1,12})/$")
MAX_LINK_ID = 2**31 - 1  # the largest id the database's column holds


def answer(request, token):
    """The 302 of a link of ours, the click counted; None for anything that isn't one."""
    found = read_token(token)
    if found is None:
        return None
    return redirect(request, *found)


def answer_in_copy(request, key, link_id):
    """``answer`` for ``/r/<key>/<link id>/``: link ``link_id`` in the copy ``key`` signs."""
    delivery_id = read_copy_key(key)
    if delivery_id is None or not 0 < int(link_id) <= MAX_LINK_ID:
        return None
    return redirect(request, int(link_id), delivery_id)


def redirect(request, link_id, delivery_id):
    """The 302 to link ``link_id`` clicked in delivery ``delivery_id``'s copy (None: a copy
    of no delivery), counted; None when the link is gone or not in that delivery's issue."""
    link = known(link_id)
    if link is None or link.gone:
        return None
    if delivery_id is not None:
        issue = delivery_issue(delivery_id)
        if issue == NO_DELIVERY:  # the reader was erased since: count the click, not them
            delivery_id = None
        elif issue != link.snapshot_id:
            return None  # this link is not in that email
    reason = classify.request_reason(request.method, request.headers.get("user-agent", ""))
    recording.record(link, delivery_id, at=timezone.now(), reason=reason)
    response = HttpResponseRedirect(link.url)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_http_methods(["GET", "HEAD"])
def click(request, token):
    """302 to the link's target, counting the click; the site's 404 page for anything not
    a sent link (a bad token, no such link, a story whose article is gone)."""
    response = answer(request, token)
    if response is None:
        raise Http404("Not a link of ours")
    return response


@require_http_methods(["GET", "HEAD"])
def click_in_copy(request, key, link_id):
    """``click`` for a link in a copy sent through a batch API (``/r/<key>/<link id>/``)."""
    response = answer_in_copy(request, key, link_id)
    if response is None:
        raise Http404("Not a link of ours")
    return response


class ClickRedirectMiddleware:
    """Answers a good ``/r/<token>/`` GET or HEAD at once, below the security headers and the
    page cache (which never stores one) and above everything else; a request it doesn't
    answer goes on as usual (a bad token gets the 404 page from ``click``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            response = None
            match = CLICK_PATH.match(request.path_info)
            if match is not None:
                response = answer(request, match.group(1))
            else:
                match = COPY_CLICK_PATH.match(request.path_info)
                if match is not None:
                    response = answer_in_copy(request, *match.groups())
            if response is not None:
                return response
        return self.get_response(request)
