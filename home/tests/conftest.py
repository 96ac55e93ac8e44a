import pytest

from home.factories import create_home_page
from news.factories import ArticlePageFactory, NewsIndexPageFactory, SectionFactory
from newsletter.models import IssueIndexPage, IssuePage, IssueSnapshot


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


@pytest.fixture
def archive(home_page):
    return home_page.add_child(instance=IssueIndexPage(title="Issues", slug="issues"))


def add_issue(archive, day, *, live=True):
    issue = IssuePage(title=f"Issue of {day}", slug=day.isoformat(), issue_date=day,
                      live=False, has_unpublished_changes=True)
    archive.add_child(instance=issue)
    revision = issue.save_revision()
    if live:
        revision.publish()
    issue.refresh_from_db()
    return issue


def send(issue):
    """What sending leaves behind for the archive: the issue's frozen snapshot."""
    return IssueSnapshot.objects.create(
        issue=issue, issue_date=issue.issue_date, subject=f"Top Ten for {issue.issue_date}",
        html="<p>email</p>", text="email", content_hash="0" * 64, stories=[],
        web_html='<article class="issue"><h1>The sent issue</h1></article>')
