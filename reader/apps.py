from django.apps import AppConfig


class ReaderConfig(AppConfig):
    """The reader site: live approved versions only, never a draft, a revision or a withdrawn article."""

    name = "reader"
    verbose_name = "Reader site"
