"""Store the built-in editorial policy, so editors can edit it in the admin."""

from django.db import migrations
from django.utils import timezone

from pages.defaults import DEFAULT_POLICY


def create_default_policy(apps, schema_editor):
    EditorialPolicy = apps.get_model("pages", "EditorialPolicy")
    HistoricalEditorialPolicy = apps.get_model("pages", "HistoricalEditorialPolicy")
    if EditorialPolicy.objects.exists():
        return
    policy = EditorialPolicy.objects.create(**DEFAULT_POLICY)
    # Historical models in migrations send no signals: write the "created" record ourselves.
    HistoricalEditorialPolicy.objects.create(
        id=policy.pk,
        **DEFAULT_POLICY,
        updated_at=policy.updated_at,
        history_date=timezone.now(),
        history_type="+",
        history_change_reason="Built-in default policy",
    )


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial")]

    operations = [migrations.RunPython(create_default_policy, migrations.RunPython.noop)]
