"""Every setting of the project's own and every environment variable that first-party code
reads is in docs/operations.md's settings reference, and each such setting's default is
written once, in its app's table (core/conf.py).

The code is read, not run: ``settings.NAME``, ``getattr(settings, "NAME", ...)``,
``setting("NAME")`` (the apps' accessors), ``os.environ["NAME"]``, ``os.environ.get("NAME")``,
``os.environ.setdefault("NAME", ...)``, ``"NAME" in os.environ``, ``os.getenv("NAME")`` and
the ``env_*("NAME", ...)`` helpers (config/settings, bench). Names built at run time (the
``ANYMAIL_<NAME>`` variables) can't be seen here; the reference lists them by hand.
"""

import ast
import importlib
import re
from functools import cache
from pathlib import Path

from django.conf import global_settings, settings

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "core", "home", "news", "newsletter", "trials")
REFERENCE = ROOT / "docs" / "operations.md"
# Each app's table of defaults, found by its file (core's tests import no other app).
TABLES = {
    path.parent.name: importlib.import_module(f"{path.parent.name}.conf").DEFAULTS
    for path in sorted(ROOT.glob("*/conf.py"))
    if path.parent.name in PACKAGES
}
# Settings of Django and the libraries, which stay in config/settings as they are.
LIBRARY_PREFIXES = ("WAGTAIL", "ANYMAIL", "TAGGIT", "WHITENOISE")
LIBRARY_SETTINGS = {"MAILERS"}  # Django 6.1's, without a default in global_settings


def is_project_setting(name):
    return not (
        hasattr(global_settings, name)
        or name in LIBRARY_SETTINGS
        or name.startswith(LIBRARY_PREFIXES)
    )


def first_party_files():
    yield ROOT / "manage.py"
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" not in parts and "migrations" not in parts:
                yield path


def literal(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def is_settings(node):
    return isinstance(node, ast.Name) and node.id == "settings"


def is_environ(node):
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


class Reads(ast.NodeVisitor):
    """The settings and environment variables one file reads, with where."""

    def __init__(self, where):
        self.where = where
        self.settings = []  # (name, how, where); how: "attribute", "getattr", "default", "setting"
        self.environment = []  # (name, where)
        self.mapped = []  # (name, where): env_setting("NAME", ...) in config/settings

    def at(self, node):
        return f"{self.where}:{node.lineno}"

    def visit_Attribute(self, node):
        if is_settings(node.value) and node.attr.isupper() and isinstance(node.ctx, ast.Load):
            self.settings.append((node.attr, "attribute", self.at(node)))
        self.generic_visit(node)

    def visit_Subscript(self, node):
        if is_environ(node.value) and literal(node.slice):
            self.environment.append((literal(node.slice), self.at(node)))
        self.generic_visit(node)

    def visit_Compare(self, node):
        if literal(node.left) and any(is_environ(c) for c in node.comparators):
            self.environment.append((literal(node.left), self.at(node)))
        self.generic_visit(node)

    def visit_Call(self, node):
        func, name = node.func, literal(node.args[0]) if node.args else None
        if isinstance(func, ast.Name) and func.id == "getattr" and len(node.args) >= 2:
            if is_settings(node.args[0]) and literal(node.args[1]):
                how = "default" if len(node.args) == 3 else "getattr"
                self.settings.append((literal(node.args[1]), how, self.at(node)))
        elif name is None:
            pass
        elif isinstance(func, ast.Name) and func.id == "setting":
            self.settings.append((name, "setting", self.at(node)))
        elif isinstance(func, ast.Name) and func.id.startswith("env_"):
            self.environment.append((name, self.at(node)))
            if func.id == "env_setting":
                self.mapped.append((name, self.at(node)))
        elif isinstance(func, ast.Attribute) and (
            (is_environ(func.value) and func.attr in {"get", "setdefault"})
            or (
                isinstance(func.value, ast.Name) and func.value.id == "os" and func.attr == "getenv"
            )
        ):
            self.environment.append((name, self.at(node)))
        self.generic_visit(node)


@cache
def reads():
    found = Reads("")
    for path in first_party_files():
        visitor = Reads(path.relative_to(ROOT))
        visitor.visit(ast.parse(path.read_text(), filename=str(path)))
        found.settings += visitor.settings
        found.environment += visitor.environment
        found.mapped += visitor.mapped
    return found


@cache
def documented():
    """The names in backticks in the settings reference (``SECURE_SSL_REDIRECT=0`` counts)."""
    text = REFERENCE.read_text()
    start = text.index("\n## Settings reference")
    end = text.find("\n## ", start + 1)
    section = text[start : end if end != -1 else None]
    return {
        name
        for span in re.findall(r"`([^`\n]+)`", section)
        for name in re.findall(r"\b[A-Z][A-Z0-9_]*[A-Z0-9]\b", span)
    }


def all_defaults():
    return {name for table in TABLES.values() for name in table}


def test_the_scan_sees_the_reads_it_must():
    settings_read = {name for name, _, _ in reads().settings}
    environment = {name for name, _ in reads().environment}
    assert {
        "SITE_URL",
        "NEWSLETTER_LEASE_SECONDS",
        "ADMIN_LOGIN_LIMITS",
        "PAGE_CACHE_ENABLED",
    } <= settings_read
    assert {
        "SECRET_KEY",
        "DATABASE_URL",
        "NEWSLETTER_LEASE_SECONDS",
        "SECURE_HSTS_SECONDS",
        "BENCH_SECONDS",
        "DJANGO_SETTINGS_MODULE",
    } <= environment


def test_every_project_setting_read_is_documented():
    missing = sorted(
        {
            f"{name} ({where})"
            for name, _, where in reads().settings
            if is_project_setting(name) and name not in documented()
        }
    )
    assert not missing, f"Add these settings to {REFERENCE.name}'s settings reference: {missing}"


def test_every_environment_variable_read_is_documented():
    missing = sorted(
        {f"{name} ({where})" for name, where in reads().environment if name not in documented()}
    )
    assert not missing, (
        f"Add these environment variables to {REFERENCE.name}'s settings reference: {missing}"
    )


def test_every_default_in_the_apps_tables_is_documented():
    missing = sorted(all_defaults() - documented())
    assert not missing, f"Add these settings to {REFERENCE.name}'s settings reference: {missing}"


def test_a_project_setting_has_no_default_outside_its_apps_table():
    # getattr(settings, "NAME", default) would be a second default, free to disagree.
    found = sorted(
        f"{name} ({where})"
        for name, how, where in reads().settings
        if how == "default" and is_project_setting(name)
    )
    assert not found, f"Read these with their app's setting(name) (core/conf.py): {found}"


def test_a_setting_with_a_default_is_read_only_through_its_accessor():
    # settings.NAME fails wherever NAME's environment variable is unset: config/settings
    # then leaves NAME unset.
    found = sorted(
        f"{name} ({where})"
        for name, how, where in reads().settings
        if how != "setting" and name in all_defaults() and not where.startswith("core/conf.py")
    )
    assert not found, f"Read these with their app's setting(name) (core/conf.py): {found}"


def test_config_maps_environment_variables_only_onto_settings_with_a_default():
    # env_setting leaves the setting unset when its variable is: its app's default applies.
    assert reads().mapped
    unknown = sorted(
        f"{name} ({where})" for name, where in reads().mapped if name not in all_defaults()
    )
    assert not unknown, f"Give these a default in their app's conf.py: {unknown}"


def test_every_name_read_through_an_accessor_has_a_default():
    unknown = sorted(
        f"{name} ({where})"
        for name, how, where in reads().settings
        if how == "setting" and name not in all_defaults()
    )
    assert not unknown, f"Give these a default in their app's conf.py: {unknown}"


def test_settings_read_without_a_default_are_set_by_config():
    # A project setting read as settings.NAME has no default anywhere: config/settings must
    # always set it (SITE_URL, ADMIN_CSP, VAR_DIR).
    unset = sorted(
        f"{name} ({where})"
        for name, how, where in reads().settings
        if how in {"attribute", "getattr"}
        and is_project_setting(name)
        and not hasattr(settings, name)
    )
    assert not unset, f"Set these in config/settings/base.py: {unset}"


def test_the_apps_tables_name_each_setting_once():
    assert set(TABLES) == {"core", "newsletter"}
    names = [name for table in TABLES.values() for name in table]
    assert len(names) == len(set(names))
