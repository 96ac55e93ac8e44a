from .article import (
    ArticlePage,
    ArticleRelatedPost,
    as_cards,
    with_card_renditions,
)
from .images import CaptionedImage, CaptionedRendition
from .index import NewsIndexPage
from .listing import ListingFields
from .taxonomy import ArticlePageTag, Author, Section

__all__ = [
    "ArticlePage",
    "ArticlePageTag",
    "ArticleRelatedPost",
    "Author",
    "CaptionedImage",
    "CaptionedRendition",
    "ListingFields",
    "NewsIndexPage",
    "Section",
    "as_cards",
    "with_card_renditions",
]
