import pytest

from home.factories import create_home_page
from news.factories import ArticlePageFactory, NewsIndexPageFactory, SectionFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def home_page(db):
    return create_home_page()


@pytest.fixture
def news_index(home_page):
    return NewsIndexPageFactory(parent=home_page)


@pytest.fixture
def make_article(news_index):
    section = SectionFactory(name="Europe", slug="europe")

    def make(**kwargs):
        kwargs.setdefault("section", section)
        return ArticlePageFactory(parent=news_index, **kwargs)

    return make
