from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from editorial.demo.content import ARTICLES, REFERENCES
from editorial.demo.loader import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load Vetted's demo users and articles. Safe to run again; refused when DEBUG is off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo creates users with a published password, so it runs only with DEBUG on. "
                "Set DEBUG=1 on a development machine."
            )
        report = load_demo(ARTICLES, REFERENCES)
        for title in report.created_articles:
            self.stdout.write(f"Created  {title}")
        for title in report.kept_articles:
            self.stdout.write(f"Kept     {title} (already present)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo users: {', '.join(report.users)}; password “{DEMO_PASSWORD}” (given when each was created)"
            )
        )
