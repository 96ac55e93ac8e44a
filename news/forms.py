"""The article's edit form (``ArticlePage.base_form_class``)."""

from django.urls import reverse
from wagtail.admin.forms import WagtailAdminPageForm

NOT_ITSELF_STORY = (
    "An article cannot be its own Related Story: choose another article, or clear the box."
)
NOT_ITSELF_POST = (
    "An article cannot be among its own Related Posts: choose another article, or delete this one."
)


class ArticlePageForm(WagtailAdminPageForm):
    """Refuses an article that points readers back to itself, with the error on the field.

    The lead photo's own caption and credit show, greyed, in the boxes that override them:
    what prints if the boxes are left blank. They follow another photo chosen in the form
    (news/static/news/admin/photo-words.js asks ``news_photo_words``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "lead_image_caption" in self.fields:
            words_url = reverse("news_photo_words", args=[0])
            self.fields["lead_image_caption"].widget.attrs["data-photo-words-url"] = words_url
        image = getattr(self.instance, "lead_image", None)
        for name, own in (("lead_image_caption", "caption"), ("lead_image_credit", "credit")):
            if name in self.fields and image is not None and getattr(image, own):
                self.fields[name].widget.attrs["placeholder"] = getattr(image, own)

    def clean_title(self):
        # The headline box grows to show long headlines: a line break typed in it is a space.
        return " ".join(self.cleaned_data.get("title", "").split())

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
