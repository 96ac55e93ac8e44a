"""A minimal reader site for tests: a home page as the default site's root, built with
Wagtail's own API so these tests don't lean on another app's factories."""

from wagtail.models import Page, Site


def make_home_page():
    from home.models import HomePage

    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Home", slug="front"))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home,
                  "site_name": "Lisa's Top Ten"},
    )
    return home
