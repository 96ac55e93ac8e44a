from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app needs and none owns: the rate limiter, the page cache, the admin's
    Content Security Policy and sign-in limits, the checks on uploaded photos. Imports no
    other app of ours."""

    name = "core"
    verbose_name = "Core"
