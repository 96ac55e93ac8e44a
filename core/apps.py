from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app needs and none owns (the rate limiter). Imports no other app of ours."""

    name = "core"
    verbose_name = "Core"
