from django.urls import path

from newsletter.views import public, webhooks

app_name = "newsletter"

urlpatterns = [
    path("subscribe/", public.subscribe, name="subscribe"),
    path("confirm/<str:token>/", public.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", public.preferences, name="preferences"),
    # Delivery events (bounces, complaints) from the provider EMAIL_URL sends through, once
    # ANYMAIL_WEBHOOK_SECRET is set; every other provider's address is a 404.
    path("anymail/<str:provider>/tracking/", webhooks.tracking, name="webhook"),
]
