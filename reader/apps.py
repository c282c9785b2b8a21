from django.apps import AppConfig
from django.core.signals import request_finished


class ReaderConfig(AppConfig):
    """The reader site: live approved versions only, never a draft, a revision or a withdrawn article."""

    name = "reader"
    verbose_name = "Reader site"

    def ready(self) -> None:
        from reader import reads

        # Without Redis, each web process folds the views it counted itself, after a response.
        request_finished.connect(reads.fold_if_due, dispatch_uid="reader.reads.fold_if_due")
