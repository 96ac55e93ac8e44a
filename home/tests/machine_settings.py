"""Settings of the web processes ``test_two_machines.py`` starts: the tests' own (no static
files to collect, fast password hashing), with the page cache on."""

from config.settings.test import *  # noqa: F403

PAGE_CACHE_ENABLED = True
