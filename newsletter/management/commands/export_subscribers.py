"""manage.py export_subscribers [--list daily] [--status active] > subscribers.csv"""

from django.core.management.base import BaseCommand

from newsletter.models import Subscriber
from newsletter.subscriptions import exporting


class Command(BaseCommand):
    help = "Write subscribers as CSV (the columns import_subscribers reads) to standard output."

    def add_arguments(self, parser):
        parser.add_argument(
            "--list", dest="list_slug", metavar="SLUG", help="only members of this list"
        )
        parser.add_argument(
            "--status", choices=Subscriber.Status.values, help="only subscribers with this status"
        )

    def handle(self, *args, list_slug=None, status=None, **options):
        subscribers = Subscriber.objects.order_by("pk")
        if list_slug:
            subscribers = subscribers.filter(lists__slug=list_slug)
        if status:
            subscribers = subscribers.filter(status=status)
        for line in exporting.csv_lines(subscribers):
            self.stdout.write(line, ending="")
