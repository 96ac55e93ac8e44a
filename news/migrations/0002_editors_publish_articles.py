"""In this newsroom editors publish their own stories: give Wagtail's "Editors" group the
publish permission on the whole page tree (it has add and change already)."""

from django.db import migrations


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    editors = Group.objects.filter(name="Editors").first()
    root = Page.objects.filter(depth=1).first()
    publish = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename="publish_page"
    ).first()
    if editors and root and publish:
        GroupPagePermission.objects.get_or_create(group=editors, page=root, permission=publish)


def revoke(apps, schema_editor):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.filter(
        group__name="Editors", page__depth=1, permission__codename="publish_page"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0001_initial"),
        ("wagtailcore", "0096_referenceindex_referenceindex_source_object_and_more"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
