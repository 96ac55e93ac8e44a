"""Issues in the archive as the home app's tests need them: published or not, sent or not
(the page tree itself is the root conftest's)."""

from newsletter.models import IssuePage, IssueSnapshot


def add_issue(archive, day, *, live=True):
    issue = IssuePage(
        title=f"Issue of {day}",
        slug=day.isoformat(),
        issue_date=day,
        live=False,
        has_unpublished_changes=True,
    )
    archive.add_child(instance=issue)
    revision = issue.save_revision()
    if live:
        revision.publish()
    issue.refresh_from_db()
    return issue


def send(issue):
    """What sending leaves behind for the archive: the issue's frozen snapshot."""
    return IssueSnapshot.objects.create(
        issue=issue,
        issue_date=issue.issue_date,
        subject=f"Top Ten for {issue.issue_date}",
        html="<p>email</p>",
        text="email",
        content_hash="0" * 64,
        stories=[],
        web_html='<article class="issue"><h1>The sent issue</h1></article>',
    )
