from .article import ArticlePage, ArticleRelatedPost, with_card_images
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
    "with_card_images",
]
