"""The demo publication's content, as data for ``manage.py seed_demo``.

The stories are written for the demo: plausible world news, not reporting. Source links point
at the outlets' section pages. Each article's photo is drawn locally from its ``image`` entry.
In a body, a string is a paragraph, {"quote": ...} a quotation and {"image": ...} a photo
from IMAGES by title. ``days_ago`` dates each story relative to the day the command runs.
"""

from home.demo_articles import ARTICLES, LISA, PRIYA, REUTERS, TOMAS

__all__ = ["ARTICLES"]


HOSTNAME = "localhost"
PORT = 80

PUBLICATION = {
    "name": "Lisa's Top Ten",
    "tagline": "The daily email that brings you the world.",
    "pitch": (
        "Home of Lisa's Top Ten, the daily email that brings you the world. "
        "The first task of the day: ten stories from every continent, picked and summarised "
        "by our editors, in your inbox before breakfast."
    ),
}

NEWS_INDEX = {
    "title": "News",
    "slug": "news",
    "intro": "Every story from Lisa's Top Ten, newest first.",
}

# The daily issue: its archive, who it goes to, and a few readers to send it to.
ISSUE_INDEX = {
    "title": "Issues",
    "slug": "issues",
    "intro": "Every issue of Lisa's Top Ten, exactly as it went out.",
}
ISSUE_INTRO = (
    "Good morning! Europe's leaders agree to buy air defences together, classes resume in "
    "Bangladesh after the floods, and more from around the world.\n\n"
    "As always: ten stories, five minutes, and you're up to date."
)
DAILY_RECIPIENTS = "Daily readers"
POSTAL_ADDRESS = "Lisa's Top Ten, 1 Example Street, London N1 1AA, United Kingdom"
SUBSCRIBERS = [
    "ada.reader@example.com",
    "bram.reader@example.com",
    "chidi.reader@example.com",
    "dana.reader@example.com",
    "emeka.reader@example.com",
]

SECTIONS = [
    ("Europe", "europe", "From the EU and NATO capitals to the continent's streets."),
    ("Americas", "americas", "North, Central and South America and the Caribbean."),
    ("Asia", "asia", "From South Asia to the Pacific."),
    ("Africa", "africa", "News from across the African continent."),
    ("Middle East", "middle-east", "The Gulf, the Levant, Iran, Iraq and Turkey."),
    ("Science", "science", "Climate, space, health and discovery."),
]

AUTHORS = [
    (LISA, "Editor"),
    (TOMAS, "World correspondent"),
    (PRIYA, "Science writer"),
]

# Development-only accounts: (username, password, superuser, Wagtail group).
USERS = [
    ("admin", "admin", True, None),
    ("editor", "editor", False, "Editors"),
    ("moderator", "moderator", False, "Moderators"),
]

# Photos used inside article bodies (lead photos are given with each article).
IMAGES = [
    {
        "title": "Defence ministers at the Ramstein meeting",
        "caption": "Defence ministers gather for the contact group meeting at Ramstein Air Base.",
        "credit": REUTERS,
        "colours": ("#44546a", "#0e1a2b"),
    },
]
