"""Factories for the home page, and wiring it in as the root of the default Site."""

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, Site

from home.models import HomePage
from news.factories import PageFactory


class HomePageFactory(PageFactory):
    """The front page, added under the root of the page tree unless given a ``parent``.

    Use ``create_home_page()`` to also make it the default Site's root page.
    """

    class Meta:
        model = HomePage

    title = "Home"
    slug = "home"

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        parent = parent or Page.get_first_root_node()
        if parent is None:
            raise RuntimeError("The page tree has no root page: run migrate first.")
        return super()._create(model_class, *args, parent=parent, **kwargs)


def welcome_pages():
    """Wagtail's placeholder "Welcome to your new Wagtail site!" page, if it is still there:
    a childless plain ``Page`` (a type editors cannot create) directly under the root."""
    return Page.objects.filter(
        depth=2, numchild=0, content_type=ContentType.objects.get_for_model(Page)
    )


def set_default_site_root(page, hostname="localhost", port=80):
    """Make ``page`` the root of the default Site (creating the Site if there is none) and
    delete Wagtail's Welcome page once nothing points at it. Returns the site and whether
    anything changed."""
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    wanted = {"hostname": hostname, "port": port, "root_page_id": page.pk}
    changed = site.pk is None or any(getattr(site, k) != v for k, v in wanted.items())
    if changed:
        for name, value in wanted.items():
            setattr(site, name, value)
        site.save()
    # Deleting a page deletes the sites rooted at it, so only orphaned Welcome pages go.
    for welcome in welcome_pages().exclude(pk=page.pk).exclude(sites_rooted_here__isnull=False):
        welcome.delete()
        changed = True
    return site, changed


def create_home_page(**kwargs):
    """A new HomePage under the tree's root, made the default Site's root page.

    Wagtail's Welcome page holds the slug "home"; it is moved aside first and deleted once the
    site points at the new page.
    """
    welcome_pages().update(slug="wagtail-welcome")
    home = HomePageFactory(**kwargs)
    set_default_site_root(home)
    return home
