"""The issue's edit form: story problems come back as form errors, never as a crash, and the
issue's web address comes from its date."""

from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminPageForm

from newsletter.validators import validate_single_line


class IssuePageForm(WagtailAdminPageForm):
    """Checks the ranked stories before Wagtail saves them (the model would refuse later)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            # The address is the issue's date (IssuePage.full_clean): nothing for editors to
            # type, and no "This field is required" hidden on the Promote tab.
            self.fields["slug"].required = False
            self.fields["slug"].help_text = (
                "Leave blank: the issue's address is its date, e.g. /issues/2026-11-23/.")
        if "newsletter_subject" in self.fields:
            # A line break would end the email's Subject header: refuse it here, with words.
            self.fields["newsletter_subject"].validators.append(validate_single_line)

    def clean(self):
        issue_date = self.cleaned_data.get("issue_date")
        if issue_date and not self.cleaned_data.get("slug"):
            self.cleaned_data["slug"] = issue_date.isoformat()
        cleaned = super().clean()
        from newsletter.models import STORIES_PER_ISSUE

        stories = self.formsets.get("stories")
        if stories is None or not all(form.is_valid() for form in stories.forms):
            return cleaned
        articles = [
            form.cleaned_data["article"]
            for form in stories.forms
            if form.cleaned_data.get("article") and not form.cleaned_data.get("DELETE")
        ]
        seen, repeated = set(), []
        for article in articles:
            if article.pk in seen:
                repeated.append(article.title)
            seen.add(article.pk)
        if repeated:
            raise ValidationError(
                f'"{repeated[0]}" is in this issue twice: remove one of them.'
            )
        if len(articles) > STORIES_PER_ISSUE:
            raise ValidationError(
                f"An issue holds {STORIES_PER_ISSUE} stories; this one has {len(articles)}. "
                "Remove some."
            )
        return cleaned
