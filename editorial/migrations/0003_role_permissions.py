"""Give the Authors, Reviewers and Editors groups their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from editorial.roles import sync_roles


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now to grant them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0002_workflow_records"),
        ("articles", "0003_workflow"), ("references", "0002_history"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
