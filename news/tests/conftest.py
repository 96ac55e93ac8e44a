"""News is tested on its own, without the home page: the root conftest's ``news_index`` goes
straight under the page tree's root and is the default site's root, so articles live at
/<slug>/."""

import pytest
from wagtail.models import Page, Site


@pytest.fixture
def news_parent(db):
    return Page.get_first_root_node()


@pytest.fixture
def news_index(news_index):
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": "localhost",
            "port": 80,
            "root_page": news_index,
            "site_name": "Lisa's Top Ten",
        },
    )
    return news_index
