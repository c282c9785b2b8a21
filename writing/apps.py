from django.apps import AppConfig


class WritingConfig(AppConfig):
    name = "writing"
    verbose_name = "Author's workspace"
