"""Let Wagtail's Editors and Moderators groups (when they exist) manage subscribers.

Editors: view, add and change subscribers, lists and segments, and import CSV files.
Moderators: the same, plus delete (which erases a subscriber's data) and CSV export.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_CODENAMES = [
    "view_subscriber", "add_subscriber", "change_subscriber", "import_subscriber",
    "view_mailinglist", "add_mailinglist", "change_mailinglist",
    "view_segment", "add_segment", "change_segment", "delete_segment",
]
MODERATOR_CODENAMES = [*EDITOR_CODENAMES, "delete_subscriber", "export_subscriber"]


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations ran; make ours now.
    app_config = apps.get_app_config("newsletter")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    access_admin = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    for name, codenames in (("Editors", EDITOR_CODENAMES), ("Moderators", MODERATOR_CODENAMES)):
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        permissions = Permission.objects.filter(
            content_type__app_label="newsletter", codename__in=codenames
        )
        group.permissions.add(*permissions, *access_admin)


class Migration(migrations.Migration):

    dependencies = [
        ("newsletter", "0002_daily_list"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0002_initial_data"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
