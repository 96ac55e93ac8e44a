"""The mail provider's bounce and complaint webhook (``newsletter.subscriptions.webhooks`` decides).

Posts come from the provider's servers, which have no CSRF token; the HTTP basic-auth
password in ``ANYMAIL_WEBHOOK_SECRET`` (and the provider's signature, where it signs) is what
proves them. Events go on to ``newsletter.subscriptions.signals`` through anymail's
``tracking`` signal.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt

from newsletter.subscriptions import webhooks

logger = logging.getLogger(__name__)


@csrf_exempt
@login_not_required
def tracking(request, provider):
    if provider not in webhooks.configured_providers():
        raise Http404("The site doesn't send mail through this provider.")
    problem = webhooks.webhook_problem(provider)
    if problem:
        logger.error(
            "Refused a %s webhook from %s: %s", provider, request.META.get("REMOTE_ADDR"), problem
        )
        return HttpResponseForbidden(
            "This webhook is closed until the site's webhook settings are complete.",
            content_type="text/plain; charset=utf-8",
        )
    return webhooks.TRACKING_VIEWS[provider].as_view()(request)
