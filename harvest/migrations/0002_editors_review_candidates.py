"""Editors review the harvest's candidates (read and decide on them) and read its runs; the
harvest alone adds and removes them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS_GROUP = "Editors"
CODENAMES = ["view_candidate", "change_candidate", "view_harvestrun"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("harvest")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=EDITORS_GROUP).first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="harvest", codename__in=CODENAMES)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=EDITORS_GROUP).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="harvest", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("harvest", "0001_initial"),
        ("publications", "0011_editors_curate_versions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
