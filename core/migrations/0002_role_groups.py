"""Create the console's role groups and the security group."""

from django.db import migrations

GROUPS = ("viewer", "responder", "commander", "admin", "security")


def create_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    group_model = apps.get_model("auth", "Group")
    for name in GROUPS:
        group_model.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, remove_groups)]
