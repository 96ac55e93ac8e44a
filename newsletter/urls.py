from django.urls import include, path

from newsletter.views import public

app_name = "newsletter"

urlpatterns = [
    path("subscribe/", public.subscribe, name="subscribe"),
    path("confirm/<str:token>/", public.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", public.preferences, name="preferences"),
    # Delivery events from the mail provider (bounces, complaints): newsletter.signals.
    path("anymail/", include("anymail.urls")),
]
