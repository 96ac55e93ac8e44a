"""The reader's side: sign up, confirm, unsubscribe, preferences.

Why the sign-up endpoint is CSRF-exempt: the form sits on every reader page, and those pages
must stay cacheable by a CDN, so they can't carry a per-visitor CSRF cookie and token.
Cross-site request forgery would let another site submit an address; here that only
triggers a confirmation email the address's owner must act on (double opt-in), and the
endpoint is guarded by a honeypot and database-backed rate limits per client and per
address (``newsletter.subscriptions.throttle``). It answers the same way whether or not the
address is already on the list.

The pages behind emailed links (confirm, unsubscribe, preferences) are CSRF-exempt too:
their signed token is in the URL and is a per-subscriber secret, which is what a CSRF token
would add. Unsubscribing must work from a mail client's one-click POST (RFC 8058), which
carries no cookies. A GET never changes anything, because mail scanners follow links.
"""

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.ratelimit import client_address
from newsletter.models import NewsletterSettings, Subscriber
from newsletter.subscriptions import consent, service, throttle, tokens
from newsletter.subscriptions.forms import PreferencesForm, SignupForm

Status = Subscriber.Status
LINK_PROBLEMS = {
    "invalid": (
        "This link doesn't work",
        "The link may have been cut short or changed. Try clicking it in the email again, or "
        "copy the whole address into your browser.",
    ),
    "expired": (
        "This confirmation link has expired",
        "Confirmation links only work for a few days. Enter your address below and we'll "
        "send you a fresh one.",
    ),
    "replaced": (
        "This link has been replaced",
        "This address signed up again after this email was sent, so the link in it no longer "
        "works: use the link in the newest email from us. Can't find it? Enter your address "
        "below and we'll send a fresh one.",
    ),
    "cancelled": (
        "This link no longer works",
        "This subscription was cancelled after the email was sent. To get the newsletter, "
        "sign up again below.",
    ),
}


def _private(response):
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    response["X-Robots-Tag"] = "noindex"
    return response


def link_problem(request, problem):
    heading, message = LINK_PROBLEMS[problem]
    response = render(
        request,
        "newsletter/link_problem.html",
        {"heading": heading, "message": message, "show_signup": problem != "invalid"},
        status=400,
    )
    return _private(response)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    """GET: the sign-up page (cacheable). POST: the endpoint every sign-up form posts to."""
    if request.method != "POST":
        return render(request, "newsletter/subscribe.html", {"form": SignupForm()})
    form = SignupForm(request.POST)
    valid = form.is_valid()
    refused = throttle.record_attempt(
        client_address(request), form.cleaned_data["email"] if valid else ""
    )
    if refused:
        form.add_error(None, throttle.MESSAGES[refused.kind])
        status = 429
    elif not valid:
        status = 400
    else:
        if not form.is_bot:
            path = form.cleaned_data["source_url"] or reverse("newsletter:subscribe")
            service.sign_up(form.cleaned_data["email"], consent_url=tokens.absolute_url(path))
        response = render(
            request, "newsletter/check_inbox.html", {"email": form.cleaned_data["email"]}
        )
        return _private(response)
    context = {"form": form, "source_path": form.cleaned_data.get("source_url", "")}
    response = render(request, "newsletter/subscribe.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(refused.seconds)
    return _private(response)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows a "Confirm" button (so mail scanners don't confirm); POST confirms."""
    try:
        subscriber = tokens.read_confirm_token(token)
    except tokens.ExpiredToken:
        return link_problem(request, "expired")
    except tokens.ReplacedToken:
        return link_problem(request, "replaced")
    except tokens.BadToken:
        return link_problem(request, "invalid")
    if not consent.allows(subscriber.status, Status.ACTIVE, consent.Actor.CONFIRMATION):
        return link_problem(request, "cancelled")
    context = {"subscriber": subscriber, "token": token}
    if subscriber.status == Status.ACTIVE:
        return _private(render(request, "newsletter/confirmed.html", context))
    if request.method == "POST":
        service.confirm(subscriber)
        return _private(render(request, "newsletter/confirmed.html", context))
    return _private(render(request, "newsletter/confirm.html", context))


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET shows a button and never unsubscribes. POST unsubscribes at once: the button,
    or a mail client's RFC 8058 one-click POST (``List-Unsubscribe=One-Click``)."""
    try:
        subscriber = tokens.read_unsubscribe_token(token)
    except tokens.BadToken:
        return link_problem(request, "invalid")
    context = {
        "subscriber": subscriber,
        "token": token,
        "preferences_url": reverse(
            "newsletter:preferences", args=[tokens.preferences_token(subscriber)]
        ),
    }
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        service.unsubscribe(
            subscriber, "one-click unsubscribe" if one_click else "unsubscribe page"
        )
        return _private(render(request, "newsletter/unsubscribed.html", context))
    return _private(render(request, "newsletter/unsubscribe.html", context))


def _apply_preference(subscriber, form):
    action = form.cleaned_data["action"]
    if action == "pause" and subscriber.status == Status.ACTIVE:
        service.pause(subscriber, form.pause_weeks())
    elif action == "resume" and subscriber.status == Status.ACTIVE:
        service.resume(subscriber)
    elif action == "unsubscribe":
        service.unsubscribe(subscriber, "preference page")
    elif action == "resubscribe":
        # Bounced, complained and pending addresses get a confirmation link first.
        outcome = service.resubscribe(
            subscriber,
            consent_url=tokens.absolute_url(reverse("newsletter:subscribe")),
            consent_text=NewsletterSettings.load().consent_text,
        )
        return "confirm" if outcome == "confirm" else action
    return action


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, token):
    """Pause, resume, unsubscribe or subscribe again, from a link in any of our emails."""
    try:
        subscriber = tokens.read_preferences_token(token)
    except tokens.BadToken:
        return link_problem(request, "invalid")
    form = PreferencesForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            refused = form.cleaned_data["action"] != "unsubscribe" and (
                throttle.preference_change_refused(subscriber)
            )
            if not refused:
                done = _apply_preference(subscriber, form)
                return HttpResponseRedirect(f"{request.path}?done={done}", status=303)
            form.add_error(None, refused)
            status = 429
    context = {
        "subscriber": subscriber,
        "form": form,
        "done": request.GET.get("done", ""),
        "pause_choices": [
            ("1", "1 week"),
            ("2", "2 weeks"),
            ("4", "4 weeks"),
            ("resume", "Until I resume"),
        ],
    }
    response = render(request, "newsletter/preferences.html", context, status=status)
    if status == 429:
        response["Retry-After"] = "3600"
    return _private(response)
