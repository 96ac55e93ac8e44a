"""``manage.py seed_demo``: a small, complete publication to develop and demonstrate against.

Builds the page tree, the publication settings, sections, authors, photos, articles, three
development accounts, the issue archive with today's issue (published, not sent) and a few
confirmed subscribers from ``home.demo_content``, using the apps' factories. Everything is
looked up before it is created, so running the command again creates nothing twice and leaves
any editing done since untouched. ``--subscribers N`` tops the Daily list up to N active
readers (reader00001@example.com, ...), in bulk.
"""

import datetime
import logging
import time
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wagtail_newsletter.models import NewsletterRecipients

from config.settings import DEV_SECRET_KEY
from home import demo_content as demo
from home.factories import create_home_page, set_default_site_root
from home.models import HomePage, PublicationSettings
from news.factories import (
    IMAGE_SIZE,
    ArticlePageFactory,
    AuthorFactory,
    CaptionedImageFactory,
    NewsIndexPageFactory,
    SectionFactory,
    paragraphs,
)
from news.models import ArticlePage, Author, CaptionedImage, NewsIndexPage, Section
from newsletter.conf import prepare_at
from newsletter.factories import (
    IssueIndexPageFactory,
    IssuePageFactory,
    SubscriberFactory,
    daily_list,
    top_up_subscribers,
)
from newsletter.issues.preparing import most_recent_articles
from newsletter.models import IssueIndexPage, IssuePage, NewsletterSettings, Subscriber

# Demo articles go live at breakfast time on their date, a few minutes apart.
FIRST_PUBLISHED = datetime.time(6, 30)


class Command(BaseCommand):
    help = (
        "Create the demo publication (home and news pages, settings, sections, authors, "
        "articles with photos), today's issue ready to send, a few subscribers and "
        "development logins admin/admin, editor/editor and moderator/moderator. Safe to run "
        "again: existing objects are kept as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing unless it fails.")
        parser.add_argument(
            "--subscribers",
            type=int,
            default=None,
            metavar="N",
            help="Top the Daily list up to N active subscribers (reader00001@example.com, ...).",
        )

    def handle(self, *args, quiet=False, subscribers=None, **options):
        if not settings.DEBUG and settings.SECRET_KEY != DEV_SECRET_KEY:
            raise CommandError(
                "seed_demo creates an admin/admin superuser, so it only runs with the "
                "development settings (DEBUG on or the development SECRET_KEY)."
            )
        self.quiet = quiet
        self.tally = defaultdict(lambda: [0, 0])  # kind -> [created, already there]
        self.today = timezone.localdate()

        # Wagtail logs every page action at INFO; the summary below says the same in less.
        wagtail_log = logging.getLogger("wagtail")
        level = wagtail_log.level
        wagtail_log.setLevel(logging.WARNING)
        if subscribers is not None and subscribers < 0:
            raise CommandError("--subscribers needs a number of readers, 0 or more.")
        self.wanted_subscribers = subscribers
        try:
            self.seed()
        finally:
            wagtail_log.setLevel(level)
        if subscribers is not None:
            self.seed_many_subscribers(subscribers)

        self.say("")
        for kind, (created, kept) in self.tally.items():
            self.say(f"{kind}: {created} created, {kept} already there")
        base_url = settings.WAGTAILADMIN_BASE_URL
        self.say(
            f"\nLog in at {base_url}/admin/ as admin / admin (development only; also "
            "editor / editor and moderator / moderator)."
        )
        at = prepare_at()
        if at is not None:
            self.say(
                f"Tomorrow's draft: the task worker (make run starts it) prepares it from "
                f"{at:%H:%M}, with the newest stories today's issue doesn't hold "
                "(NEWSLETTER_PREPARE_AT)."
            )

    @transaction.atomic
    def seed(self):
        """Everything, in one transaction: a failure leaves the database as it was."""
        site = self.seed_site()
        self.news_index = self.seed_news_index(site.root_page)
        self.seed_publication(site)
        self.sections = {
            slug: self.seed_section(name, slug, description)
            for name, slug, description in demo.SECTIONS
        }
        self.authors = {name: self.seed_author(name, role) for name, role in demo.AUTHORS}
        photos = [*demo.IMAGES, *(article["image"] for article in demo.ARTICLES)]
        self.images = {image["title"]: self.seed_image(image) for image in photos}
        self.article_data = {article["slug"]: article for article in demo.ARTICLES}
        self.articles, self.in_progress = {}, set()
        for slug in self.article_data:
            self.seed_article(slug)
        self.seed_users()
        self.seed_newsletter_settings()
        self.seed_subscribers()
        self.seed_todays_issue(self.seed_issue_index(site.root_page))

    # Reporting

    def say(self, message):
        if not self.quiet:
            self.stdout.write(message)

    def created(self, kind, name):
        self.tally[kind][0] += 1
        self.say(f"  + {name} ({kind})")

    def kept(self, kind):
        self.tally[kind][1] += 1

    # Pages and settings

    def seed_site(self):
        home = HomePage.objects.order_by("path").first()
        if home is None:
            home = create_home_page(title="Home")
            self.created("home page", home.title)
        else:
            self.kept("home page")
        site, changed = set_default_site_root(home, hostname=demo.HOSTNAME, port=demo.PORT)
        if changed:
            self.say(f"Made {home.title!r} the root of the default site {site}")
        return site

    def seed_news_index(self, home):
        index = NewsIndexPage.objects.filter(slug=demo.NEWS_INDEX["slug"]).first()
        if index is None:
            index = NewsIndexPageFactory(parent=home, **demo.NEWS_INDEX)
            self.created("news index", index.title)
        else:
            self.kept("news index")
        return index

    def seed_publication(self, site):
        publication, created = PublicationSettings.objects.get_or_create(
            site=site, defaults=demo.PUBLICATION
        )
        if created:
            self.created("publication settings", publication.name)
        else:
            self.kept("publication settings")

    # Snippets and images

    def seed_section(self, name, slug, description):
        section = Section.objects.filter(slug=slug).first()
        if section is None:
            section = SectionFactory(name=name, slug=slug, description=description)
            self.created("sections", name)
        else:
            self.kept("sections")
        return section

    def seed_author(self, name, role):
        author = Author.objects.filter(name=name).first()
        if author is None:
            author = AuthorFactory(name=name, role=role)
            self.created("authors", name)
        else:
            self.kept("authors")
        return author

    def seed_image(self, data):
        image = CaptionedImage.objects.filter(title=data["title"]).order_by("pk").first()
        if image is None:
            credit, credit_url = data["credit"]
            image = CaptionedImageFactory(
                title=data["title"],
                caption=data["caption"],
                credit=credit,
                credit_url=credit_url,
                colours=data["colours"],
                size=IMAGE_SIZE,
            )
            self.created("images", image.title)
        else:
            self.kept("images")
        return image

    # Articles

    def seed_article(self, slug):
        """The article with this slug, created first with the articles it links to."""
        if slug in self.articles:
            return self.articles[slug]
        page = ArticlePage.objects.child_of(self.news_index).filter(slug=slug).first()
        if page is not None:
            self.kept("articles")
            self.articles[slug] = page
            return page
        if slug in self.in_progress:
            raise CommandError(f"Demo articles link to each other in a circle at {slug!r}.")
        self.in_progress.add(slug)

        data = self.article_data[slug]
        related_story = data.get("related_story")
        source_name, source_url = data["source"]
        date = self.today - datetime.timedelta(days=data["days_ago"])
        page = ArticlePageFactory(
            parent=self.news_index,
            title=data["title"],
            slug=slug,
            summary=data["summary"],
            date=date,
            first_published_at=self.first_published_at(date, slug),
            section=self.sections[data["section"]],
            authors=[self.authors[name] for name in data["authors"]],
            tags=data["tags"],
            source_name=source_name,
            source_url=source_url,
            lead_image=self.images[data["image"]["title"]],
            body=self.body(data["body"]),
            related_story=self.seed_article(related_story) if related_story else None,
            related=[self.seed_article(post) for post in data.get("related", [])],
        )
        self.created("articles", page.title)
        self.articles[slug] = page
        return page

    def first_published_at(self, date, slug):
        """Breakfast time on the story's date, a few minutes apart in list order; never later
        than now."""
        position = list(self.article_data).index(slug)
        moment = datetime.datetime.combine(date, FIRST_PUBLISHED) + datetime.timedelta(
            minutes=7 * position
        )
        return min(timezone.make_aware(moment), timezone.now())

    def body(self, items):
        """The body stream: strings are paragraphs, dicts a quote or a photo from IMAGES."""
        blocks = []
        for item in items:
            if isinstance(item, str):
                blocks += paragraphs(item)
            elif "quote" in item:
                value = {"quote": item["quote"], "attribution": item.get("attribution", "")}
                blocks.append({"type": "quote", "value": value})
            else:
                value = {
                    "image": self.images[item["image"]].pk,
                    "caption": item.get("caption", ""),
                    "credit": item.get("credit", ""),
                }
                blocks.append({"type": "image", "value": value})
        return blocks

    # Accounts

    def seed_users(self):
        User = get_user_model()
        for username, password, superuser, group_name in demo.USERS:
            if User.objects.filter(username=username).exists():
                self.kept("users")
                continue
            details = {"email": f"{username}@example.com", "first_name": username.title()}
            if superuser:
                User.objects.create_superuser(username, password=password, **details)
            else:
                group = Group.objects.filter(name=group_name).first()
                if group is None:
                    raise CommandError(f"Wagtail's {group_name!r} group is missing.")
                user = User.objects.create_user(username, password=password, **details)
                user.groups.add(group)
            self.created("users", f"{username} / {password}")

    # The daily issue and its readers

    def seed_issue_index(self, home):
        index = IssueIndexPage.objects.order_by("path").first()
        if index is None:
            index = IssueIndexPageFactory(parent=home, **demo.ISSUE_INDEX)
            self.created("issue archive", index.title)
        else:
            self.kept("issue archive")
        return index

    def seed_newsletter_settings(self):
        newsletter = NewsletterSettings.load()
        if not newsletter.postal_address:
            newsletter.postal_address = demo.POSTAL_ADDRESS
            newsletter.save(update_fields=["postal_address"])
            self.created("newsletter settings", "postal address")
        recipients, created = NewsletterRecipients.objects.get_or_create(
            name=demo.DAILY_RECIPIENTS, defaults={"audience": str(daily_list().pk)}
        )
        if created:
            self.created("newsletter recipients", recipients.name)
        else:
            self.kept("newsletter recipients")
        self.recipients = recipients

    def seed_subscribers(self):
        """A few confirmed readers on the Daily list (no more than --subscribers asks for)."""
        wanted = self.wanted_subscribers
        for email in demo.SUBSCRIBERS[:wanted] if wanted is not None else demo.SUBSCRIBERS:
            if Subscriber.objects.with_email(email).exists():
                self.kept("subscribers")
                continue
            SubscriberFactory(email=email, consent_url="Demo data (seed_demo)")
            self.created("subscribers", email)

    def seed_todays_issue(self, index):
        """Today's issue, published with the ten newest articles but not sent."""
        if IssuePage.objects.filter(issue_date=self.today).exists():
            self.kept("issues")
            return
        issue = IssuePageFactory(
            parent=index,
            issue_date=self.today,
            intro=demo.ISSUE_INTRO,
            articles=most_recent_articles(),
            newsletter_recipients=self.recipients,
        )
        self.created("issues", f"{issue.title} (published, not sent)")

    def seed_many_subscribers(self, wanted):
        started = time.perf_counter()
        with transaction.atomic():
            added = top_up_subscribers(daily_list(), wanted)
        seconds = time.perf_counter() - started
        self.say(
            f"subscribers: {added} added in bulk in {seconds:.1f} s; the Daily list has "
            f"{daily_list().members().count()} readers receiving mail"
        )
