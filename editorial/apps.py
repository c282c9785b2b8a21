from django.apps import AppConfig
from django.apps import apps as registry
from django.db.models.signals import post_delete, post_migrate, post_save


def _sync_roles(sender, apps=None, **kwargs) -> None:
    # migrate sends its historical registry; flush sends none, so use the real one.
    from editorial.roles import sync_roles

    sync_roles(apps or registry)


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial"

    def ready(self) -> None:
        # After every migrate and every test-database flush, the roles hold their permissions again.
        # No sender: each app's permissions exist only after its own post_migrate, and roles grant
        # permissions of apps installed after this one (pages, writing), so sync after each.
        post_migrate.connect(_sync_roles, dispatch_uid="editorial.sync_roles")
        # Content knows nothing of the workflow; the workflow tells it who may move an article.
        from articles.models import Article
        from editorial.permissions import can_perform

        Article.install_permission_policy(can_perform)
        # What readers see changed: tell the shared cache, in the same transaction (editorial.purges).
        from editorial import purges

        post_save.connect(purges.reference_saved, sender="references.Reference", dispatch_uid="purge.reference")
        post_save.connect(purges.topic_saved, sender="articles.Topic", dispatch_uid="purge.topic")
        for label in purges.PAGE_KEYS:
            post_save.connect(purges.page_changed, sender=label, dispatch_uid=f"purge.save.{label}")
            post_delete.connect(purges.page_changed, sender=label, dispatch_uid=f"purge.delete.{label}")
