import pytest
from wagtail.models import Page, Site

from news.factories import ArticlePageFactory, NewsIndexPageFactory, SectionFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def news_index(db):
    """A news index as the root of the default site: articles live at /<slug>/."""
    root = Page.get_first_root_node()
    index = NewsIndexPageFactory(parent=root)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": index,
                  "site_name": "Lisa's Top Ten"},
    )
    return index


@pytest.fixture
def europe(db):
    return SectionFactory(name="Europe", slug="europe")


@pytest.fixture
def make_article(news_index, europe):
    def make(**kwargs):
        kwargs.setdefault("section", europe)
        return ArticlePageFactory(parent=news_index, **kwargs)

    return make
