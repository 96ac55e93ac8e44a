"""The demo's stories and their writers, written for the demo (data for seed_demo)."""

from .people import AP, BBC, CNN, LISA, PRIYA, REUTERS, TOMAS
from .stories_1 import STORIES as FIRST
from .stories_2 import STORIES as SECOND

ARTICLES = [*FIRST, *SECOND]

__all__ = ["AP", "ARTICLES", "BBC", "CNN", "LISA", "PRIYA", "REUTERS", "TOMAS"]
