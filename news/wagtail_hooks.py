from wagtail.snippets.models import register_snippet

from news.models import Author, Section

register_snippet(Section)
register_snippet(Author)
