"""The tracking pixel, ``/o/<token>.gif`` (only when ``NEWSLETTER_OPEN_TRACKING`` is on).

Always the same 1x1 transparent GIF, never cached (each load is one open), and nothing
stored from the request but the moment: no IP address, no user agent. A bad or tampered
token gets the same image and records nothing, so the pixel never shows as broken.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from newsletter.conf import setting
from newsletter.engagement import opens
from newsletter.engagement.open_tokens import read_pixel

# The smallest transparent GIF: 1x1, one colour, that colour transparent.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@login_not_required
@require_safe
def pixel(request, token):
    if not setting("NEWSLETTER_OPEN_TRACKING"):
        raise Http404("Open tracking is off.")
    found = read_pixel(token)
    if found is not None and request.method == "GET":
        opens.record(*found, at=timezone.now(), user_agent=request.headers.get("User-Agent"))
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response
