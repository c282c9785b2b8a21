from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = "Evidence integrity"

    def ready(self) -> None:
        # A review checks a claim against its sources as they stand: an active retraction notice on
        # a cited source is part of what a reviewer's mark covers (articles.document).
        from articles.document import register_source_facts
        from integrity.selectors import notice_facts

        register_source_facts(notice_facts)
