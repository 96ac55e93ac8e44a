"""Reader pages served fast and never stale: the content generation, what is kept per process
until it changes, the page cache itself and a CDN's purges.

- ``generation``: the one number that changes whenever readers could see a change, and
  ``memoize``, which keeps small per-process facts until it does.
- ``middleware``: whole anonymous reader pages from Django's cache, keyed by the generation,
  and which requests and responses may be cached at all.
- ``privacy``: page view restrictions without a query per page view while no page is private.
- ``routing``: a page's few section children kept per process for routing.
- ``purge``: a CDN's cached copies of given pages and URLs, purged after a change commits.

This package only provides the machinery. What bumps the generation and which pages a CDN
must purge depend on the content apps' models, so the site wires them up (``home.signals``).
"""
