"""What the hostile-input tests share: the payloads, hypothesis' settings, the check for
markup that came from a payload, and the count of inputs tried (printed after each module and
saved in test-artifacts/hostile-inputs.json, for the reliability report)."""

import json
import re
from collections import Counter
from pathlib import Path

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "hostile-inputs.json"

# Fifty examples a property, the same ones on every run (CI stays reproducible), no example
# database left in the work tree; page saves and image decoding can be slow.
HOSTILE = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Markup that would run if a page echoed it unescaped. Each piece names canary(), so a page
# that shows it as text is told apart from one that made it into markup.
SCRIPTS = [
    "<script>canary()</script>",
    '"><script>canary()</script>',
    "'><img src=x onerror=canary() data-canary>",
    "<svg onload=canary() data-canary>",
    '" onfocus="canary()" autofocus data-canary="',
    "' onmouseover='canary()' data-canary='",
    "</textarea></title><script>canary()</script>",
    '<a href="javascript:canary()" data-canary>link</a>',
    '<iframe srcdoc="<script>canary()</script>" data-canary></iframe>',
    "<scr<script>ipt>canary()</script>",
    "<!--<script>canary()</script>-->",
    "<style>@import 'canary.css';</style>",
    "javascript:canary()",
    "&lt;script&gt;canary()&lt;/script&gt;",
    "%3Cscript%3Ecanary()%3C%2Fscript%3E",
]
OTHERS = [
    # SQL
    "' OR '1'='1",
    "'; DROP TABLE newsletter_subscriber; --",
    "1 UNION SELECT password FROM auth_user--",
    "\\'; SELECT pg_sleep(5); --",
    "%' AND 1=0 UNION ALL SELECT NULL--",
    # header and line injection
    "jane@example.org\r\nBcc: everyone@example.org",
    "x\r\nSet-Cookie: admin=1",
    "%0d%0aLocation:%20https://evil.example/",
    "a\rb\nc\x0bd\x0ce\u2028f\u2029g",
    # right-to-left, invisible and odd Unicode
    "\u202egnp.exe\u202c",
    "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "\u200f\u200e\u200b\u2060\ufeff",
    "ＡＤＭＩＮ＠ｅｘａｍｐｌｅ．ｏｒｇ",
    "jane@exämple.org",
    "e\u0301\u0301\u0301\u0301\u0301",
    "\U0001f4a9\U0001f469\u200d\U0001f680",
    "\x00",
    "nul\x00byte@example.org",
    "\x7f\x1b[31mred",
    # templates, formats, paths
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "${7*7}",
    "%s%s%s%n",
    "../../../etc/passwd",
    "C:\\Windows\\win.ini",
    "//evil.example/",
    "https://evil.example/phish",
    # sizes
    "",
    " ",
    "a" * 255,
    "a" * 5_000,
    "<script>canary()</script>" * 400,
    "x" * 100_000,
]
PAYLOADS = SCRIPTS + OTHERS
text_payloads = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(st.characters(codec="utf-8"), max_size=300),
    st.builds(
        lambda before, payload, after: before + payload + after,
        st.text(st.characters(codec="utf-8"), max_size=20),
        st.sampled_from(SCRIPTS),
        st.text(st.characters(codec="utf-8"), max_size=20),
    ),
)
# PostgreSQL refuses NUL in text; what a view passes to it unchecked is a known bug (below).
text_without_nul = text_payloads.map(lambda value: value.replace("\x00", ""))

DATA_SCRIPT_TYPES = ("application/ld+json", "application/json")
TRIED = Counter()
SAVED = Counter()  # how many hostile submissions were accepted and stored, then shown


def _is_json(text):
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def injected(html):
    """Markup in ``html`` that came from a payload: what would run, or style the page."""
    if isinstance(html, bytes):
        html = html.decode()
    found = ["<script>canary"] if "<script>canary" in html else []
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        if any("canary" in name for name in tag.attrs):
            found.append(str(tag)[:100])
        if tag.get("type") in DATA_SCRIPT_TYPES:
            # Data, never run, but it must stay data: valid JSON with nothing to close it.
            if "<" in tag.get_text() or not _is_json(tag.get_text()):
                found.append(str(tag)[:100])
        elif tag.name in ("script", "style") and "canary" in tag.get_text():
            found.append(str(tag)[:100])
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            # Browsers skip spaces and control characters in a URL's scheme ("java\tscript:").
            scheme = re.sub(r"[\x00-\x20]", "", value).lower()
            if "canary" in value and (
                name.startswith("on")
                or name == "srcdoc"
                or (
                    name in ("href", "src", "action", "formaction", "xlink:href")
                    and scheme.startswith(("javascript:", "vbscript:", "data:text/html"))
                )
            ):
                found.append(f"{tag.name} {name}={value[:60]}")
    return found


def assert_safe(response, *allowed_statuses):
    assert response.status_code in allowed_statuses, response.status_code
    if response.get("Content-Type", "").startswith("text/html"):
        assert injected(response.content) == []


def report_inputs_tried(config):
    """The hostile inputs tried so far (all modules), printed and saved. A pytest-xdist worker
    hands its counts to the run's controller instead, which adds up the workers'
    (``add_worker_counts``)."""
    if hasattr(config, "workeroutput"):
        config.workeroutput["hostile_inputs"] = [dict(TRIED), dict(SAVED)]
        return
    _report(config)


def add_worker_counts(config, workeroutput):
    """In the controller of a pytest-xdist run: a finished worker's counts, added and shown."""
    tried, saved = workeroutput.get("hostile_inputs", ({}, {}))
    if tried:
        TRIED.update(tried)
        SAVED.update(saved)
        _report(config)


def _report(config):
    total = sum(TRIED.values())
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(
        json.dumps(
            {
                "total": total,
                "tried": dict(sorted(TRIED.items())),
                "accepted": dict(sorted(SAVED.items())),
            },
            indent=2,
        )
    )
    plugins = config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nhostile inputs tried so far: {total} "
                f"({', '.join(f'{k} {v}' for k, v in sorted(TRIED.items()))}); "
                f"accepted and shown back safely: {sum(SAVED.values())}"
            )
