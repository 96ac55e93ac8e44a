"""The article's edit form (``ArticlePage.base_form_class``)."""

from wagtail.admin.forms import WagtailAdminPageForm

NOT_ITSELF_STORY = (
    "An article cannot be its own Related Story: choose another article, or clear the box."
)
NOT_ITSELF_POST = (
    "An article cannot be among its own Related Posts: choose another article, or delete this one."
)


class ArticlePageForm(WagtailAdminPageForm):
    """Refuses an article that points readers back to itself, with the error on the field."""

    def clean(self):
        cleaned = super().clean()
        own_pk = self.instance.pk
        if own_pk is None:  # a new article: nothing can point to it yet
            return cleaned
        story = cleaned.get("related_story")
        if story is not None and story.pk == own_pk:
            self.add_error("related_story", NOT_ITSELF_STORY)
        posts = self.formsets.get("related_posts")
        for form in posts.forms if posts is not None else ():
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            post = form.cleaned_data.get("post")
            if post is not None and post.pk == own_pk:
                form.add_error("post", NOT_ITSELF_POST)
        return cleaned
