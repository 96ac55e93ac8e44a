"""news_images' ``picture`` tag: the same HTML as Wagtail's, for less work."""

import pytest
from django.template import Context, Template
from wagtail.images.models import Picture

from news.factories import IMAGE_SIZE, CaptionedImageFactory
from news.models.images import CARD_SPECS, LEAD_SPECS
from news.templatetags.news_images import picture_html

ATTRS = [
    {"sizes": "(max-width: 40em) 100vw, 22em", "loading": "lazy", "alt": ""},
    {"alt": 'Tanks "at dawn" <b>&</b>', "sizes": "45em"},
    {"hidden": True, "data-off": False, "data-none": None},
]


@pytest.mark.django_db
@pytest.mark.parametrize("specs", [CARD_SPECS, LEAD_SPECS, CARD_SPECS[:2], CARD_SPECS[:1]])
@pytest.mark.parametrize("attrs", ATTRS)
def test_picture_html_is_wagtails(specs, attrs):
    # Full size, so each rendition has its own width in the srcset.
    image = CaptionedImageFactory(title='A "quoted" <title>', size=IMAGE_SIZE)
    renditions = image.get_renditions(*specs)

    assert picture_html(renditions, dict(attrs)) == Picture(renditions, dict(attrs)).__html__()


TAGS = (
    "{{% load {library} %}}{{% picture image fill-{{480x270,960x540}} format-{{webp,jpeg}} "
    'sizes="22em" loading="lazy" alt=alt %}}'
)


@pytest.mark.django_db
def test_the_tag_renders_as_wagtails_and_reuses_its_filters():
    image = CaptionedImageFactory(size=IMAGE_SIZE)
    ours = Template(TAGS.format(library="news_images"))
    wagtails = Template(TAGS.format(library="wagtailimages_tags"))
    context = {"image": image, "alt": "<Austin>"}

    first = ours.render(Context(context))
    node = next(n for n in ours.nodelist if hasattr(n, "filters"))
    filters = node.filters

    assert first == wagtails.render(Context(context))
    assert 'type="image/webp"' in first and "&lt;Austin&gt;" in first
    assert ours.render(Context({"image": image, "alt": "x"})).count("<source") == 1
    assert node.filters is filters  # parsed once, kept by the compiled template


@pytest.mark.django_db
def test_no_image_renders_nothing():
    assert (
        Template(TAGS.format(library="news_images")).render(Context({"image": None, "alt": ""}))
        == ""
    )


@pytest.mark.django_db
def test_a_photo_found_in_the_renditions_cache_is_not_stored_again(client, monkeypatch):
    from django.core.cache import caches

    image = CaptionedImageFactory()
    image.get_renditions(*LEAD_SPECS)  # made and cached, as by an earlier page view
    fresh = type(image).objects.get(pk=image.pk)  # no prefetched renditions: the cache path
    writes = []
    monkeypatch.setattr(
        caches["renditions"], "set_many", lambda data, *args, **kwargs: writes.append(data)
    )

    renditions = fresh.get_renditions(*LEAD_SPECS)

    assert len(renditions) == len(LEAD_SPECS)
    assert writes == []
