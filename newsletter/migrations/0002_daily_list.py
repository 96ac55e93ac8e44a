from django.db import migrations


def create_daily_list(apps, schema_editor):
    MailingList = apps.get_model("newsletter", "MailingList")
    MailingList.objects.get_or_create(
        slug="daily",
        defaults={
            "name": "Daily",
            "description": "Lisa's Top Ten: the ten stories, every morning.",
            "join_on_signup": True,
        },
    )


class Migration(migrations.Migration):

    dependencies = [
        ("newsletter", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_daily_list, migrations.RunPython.noop),
    ]
