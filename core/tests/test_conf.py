"""The apps' settings accessor (core/conf.py): the setting if set, else its one default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.conf import accessor
from core.conf import setting as core_setting

ROOT = Path(__file__).resolve().parents[2]
setting = accessor(
    {
        "EXAMPLE_SECONDS": 30,
        "EXAMPLE_LIMITS": {"count": 3, "seconds": 60},
        "EXAMPLE_COMPUTED": lambda: 2 * 21,
    }
)


def test_an_unset_setting_is_its_default(settings):
    assert setting("EXAMPLE_SECONDS") == 30
    assert setting("EXAMPLE_COMPUTED") == 42
    assert setting("EXAMPLE_LIMITS") == {"count": 3, "seconds": 60}


def test_a_set_setting_wins(settings):
    settings.EXAMPLE_SECONDS = 0
    settings.EXAMPLE_COMPUTED = 7
    assert setting("EXAMPLE_SECONDS") == 0
    assert setting("EXAMPLE_COMPUTED") == 7


def test_a_dict_setting_may_give_only_the_keys_it_changes(settings):
    settings.EXAMPLE_LIMITS = {"seconds": 5}
    assert setting("EXAMPLE_LIMITS") == {"count": 3, "seconds": 5}
    setting("EXAMPLE_LIMITS")["count"] = 99  # the caller's copy, not the default
    del settings.EXAMPLE_LIMITS
    assert setting("EXAMPLE_LIMITS") == {"count": 3, "seconds": 60}


def test_a_name_without_a_default_is_a_mistake():
    with pytest.raises(KeyError):
        setting("EXAMPLE_TYPO")


def test_defaults_that_follow_other_settings(settings):
    settings.WAGTAILFRONTENDCACHE = {}
    assert core_setting("PAGE_CACHE_SHARED_SECONDS") == 60
    settings.WAGTAILFRONTENDCACHE = {"proxy": {"BACKEND": "x", "LOCATION": "http://cdn"}}
    assert core_setting("PAGE_CACHE_SHARED_SECONDS") == 3600  # purged on every change


def run_production(code, **env):
    # The code is a string: core's tests import no other app.
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NEWSLETTER_", "PAGE_CACHE_", "DJANGO_ALLOW"))
        and k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="a-long-random-production-key-" + "x7Q9" * 10,
        ANYMAIL_WEBHOOK_SECRET="hook:s3cret",
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_config_sets_a_project_setting_only_from_its_environment_variable():
    code = (
        "from django.conf import settings; from newsletter.conf import setting; "
        "from core.conf import setting as core; "
        "print(hasattr(settings, 'NEWSLETTER_SEND_CONNECTIONS'), "
        "setting('NEWSLETTER_SEND_CONNECTIONS'), core('PAGE_CACHE_ENABLED'), "
        "core('PAGE_CACHE_GENERATION_FILE'))"
    )
    assert run_production(code) == [
        "False",
        "1",
        "True",
        str(ROOT / "var" / "page-cache-generation"),
    ]
    assert run_production(
        code,
        NEWSLETTER_SEND_CONNECTIONS="3",
        PAGE_CACHE_ENABLED="off",
        PAGE_CACHE_GENERATION_FILE="/srv/shared/generation",
    ) == ["True", "3", "False", "/srv/shared/generation"]
