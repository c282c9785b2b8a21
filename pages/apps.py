from django.apps import AppConfig
from django.apps import apps as registry
from django.db.models.signals import post_migrate


def _sync_roles(sender, apps=None, **kwargs) -> None:
    # migrate sends its historical registry; flush sends none, so use the real one.
    from editorial.roles import sync_roles

    sync_roles(apps or registry)


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Reader pages"

    def ready(self) -> None:
        # This app's permissions are created after editorial's post_migrate has synced the roles, so on a
        # fresh database the Editors group would miss them until the next migrate: sync again once they exist.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="pages.sync_roles")
