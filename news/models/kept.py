"""What reader pages show that changes only with the content generation, kept per process.

An article page needs the article, its section, its photos with their renditions, its authors
and tags, its related story and its related posts as cards with their renditions: the same
for every reader until something is published or changed, which bumps the content generation
(``core.pagecache.generation``; ``home.signals`` says what bumps it). So the news index keeps
each article it routes to, with all of that loaded, until the generation changes, and the
``picture`` tag keeps the HTML of each picture it wrote. Whole pages are not kept here: the
page is still rendered for every request (the page cache, when on, is another matter).

Each store is a dict that lives for one generation: the first look after a change gets a new,
empty one (and ``bump_generation`` drops it at once in the process that made the change).
While the generation can't be read, nothing is kept. A store holds at most its ``limit``
entries, the oldest dropped first, so a crawler walking every old article can't fill memory.

What is kept is shared by every request of the process: only read it while rendering.
"""

from core.pagecache.generation import memoize

# Articles kept per process: each is a page with a dozen related objects and its pictures,
# about 64 KiB with the seeded articles (so 200 take about 13 MB a process at most).
KEPT_ARTICLES = 200
# Pictures: one <picture> element's HTML each, under 1 kB.
KEPT_PICTURES = 2000


def this_generation(name):
    """The store called ``name`` for the current generation (empty after every change)."""
    return memoize(("news.kept", name), dict)


def kept(name, key, compute, limit):
    """``compute()``, kept under ``key`` in the store ``name`` until the generation changes."""
    store = this_generation(name)
    try:
        return store[key]
    except KeyError:
        pass
    value = compute()
    while len(store) >= limit:
        try:
            del store[next(iter(store))]
        except (KeyError, RuntimeError, StopIteration):  # another thread got there first
            break
    store[key] = value
    return value
